import { createHash, type Hash } from "node:crypto";
import { Transform, Writable, type TransformCallback } from "node:stream";
import type { CopyProgress } from "../interface/types";

/** How often a long phase reports; short phases (under this) report nothing. */
export const PROGRESS_INTERVAL_MS = 2000;

/**
 * Turns a phase's byte counts into CopyProgress reports: the first after PROGRESS_INTERVAL_MS,
 * then at most one per interval, and a last one from `finish` when anything was reported, so a
 * progress bar that was drawn ends at its final value.
 */
export class ProgressMeter {
  private readonly started: number;
  private lastReport: number;
  private reported = false;
  private done = 0;

  constructor(
    private readonly phase: CopyProgress["phase"],
    private total: number | undefined,
    private readonly onProgress: ((progress: CopyProgress) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.lastReport = this.started;
  }

  /** Records progress; `total` replaces the expected total when it becomes known. */
  update(bytesDone: number, total?: number): void {
    this.done = bytesDone;
    if (total !== undefined) this.total = total;
    const at = this.now();
    if (at - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = at;
    this.report(at);
  }

  finish(): void {
    if (this.reported) this.report(this.now());
  }

  private report(at: number): void {
    if (!this.onProgress) return;
    this.reported = true;
    const seconds = Math.max((at - this.started) / 1000, 0.001);
    this.onProgress({ phase: this.phase, bytesDone: this.done, bytesTotal: this.total, bytesPerSecond: Math.round(this.done / seconds) });
  }
}

/** A Writable that hands each line of text to `onLine`; `\r` ends a line too (progress redraws). */
export function lineSink(onLine: (line: string) => void): Writable {
  let pending = "";
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const lines = (pending + chunk.toString("utf8")).split(/[\r\n]/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) onLine(line);
      callback();
    },
    final(callback) {
      if (pending.trim()) onLine(pending);
      callback();
    },
  });
}

/** `qemu-img convert -p` prints `    (12.34/100%)`: the percent done, or undefined for other text. */
export function parseQemuProgress(line: string): number | undefined {
  const match = /\((\d{1,3}(?:\.\d+)?)\/100%\)/.exec(line);
  if (!match) return undefined;
  const percent = Number(match[1]);
  return percent >= 0 && percent <= 100 ? percent : undefined;
}

/** The staging script's `progress DONE [TOTAL]` lines (TOTAL empty while unknown). */
export function parseStageProgress(line: string): { done: number; total: number | undefined } | undefined {
  const match = /^progress (\d+)(?: (\d+))?\s*$/.exec(line);
  if (!match) return undefined;
  return { done: Number(match[1]), total: match[2] === undefined ? undefined : Number(match[2]) };
}

/** A pass-through stream that counts and hashes (SHA-256) what flows through it. */
export class MeteredStream extends Transform {
  bytes = 0;
  private readonly hash: Hash = createHash("sha256");

  constructor(private readonly onBytes: (bytes: number) => void = () => undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    this.onBytes(this.bytes);
    callback(null, chunk);
  }

  /** The hex digest; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest("hex");
  }
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** Bytes for people: `460.8 MiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Percent done, or undefined when the total is unknown. */
export function percentOf(progress: CopyProgress): number | undefined {
  if (!progress.bytesTotal) return undefined;
  return Math.min(100, (progress.bytesDone / progress.bytesTotal) * 100);
}

/** One line for logs: `converting 45% (460.8 MiB of 1.0 GiB) at 48.3 MiB/s`. */
export function describeProgress(progress: CopyProgress): string {
  const verb = progress.phase === "convert" ? "converting" : "transferring";
  const percent = percentOf(progress);
  const amount = progress.bytesTotal ? `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}` : formatBytes(progress.bytesDone);
  return `${verb}${percent === undefined ? "" : ` ${Math.floor(percent)}%`} (${amount}) at ${formatBytes(progress.bytesPerSecond)}/s`;
}
