/**
 * The client's half of the session agent's wire format (documented at the top of agent.pl):
 * requests are encoded here and the agent's byte stream is cut back into frames. Lengths
 * count bytes, so argv, stdin and output pass through byte for byte.
 */
import { checkArgv } from "./quote";

export const AGENT_PROTOCOL_VERSION = "2";

/** The agent serves LVM requests in a persistent `lvm` shell. */
export const LVM_SHELL_CAPABILITY = "lvm-shell";

export type AgentFrame =
  | { kind: "ready"; version: string; capabilities: readonly string[] }
  | { kind: "stdout" | "stderr"; id: number; data: Buffer }
  | { kind: "exit"; id: number; code: number | undefined; signal: string | undefined; timedOut: boolean };

/** The agent sent something that is not a frame: the session cannot be trusted any more. */
export class AgentProtocolError extends Error {}

/** A RUN request. Every command gets a deadline: the agent's "0 = none" is never sent. */
export function encodeRun(id: number, timeoutMs: number, argv: readonly string[], stdin: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`RUN ${id} ${wireTimeout(timeoutMs)} ${argv.length} ${stdin.length}\n`), ...encodeArgv(argv), stdin]);
}

/** An LVM request, for the agent's lvm shell; argv must pass `fitsLvmShell`. */
export function encodeLvm(id: number, timeoutMs: number, argv: readonly string[]): Buffer {
  return Buffer.concat([Buffer.from(`LVM ${id} ${wireTimeout(timeoutMs)} ${argv.length}\n`), ...encodeArgv(argv)]);
}

function wireTimeout(timeoutMs: number): number {
  return Math.max(1, Math.ceil(timeoutMs));
}

function encodeArgv(argv: readonly string[]): Buffer[] {
  checkArgv(argv);
  return argv.flatMap((arg) => {
    const bytes = Buffer.from(arg, "utf8");
    return [Buffer.from(`${bytes.length}\n`), bytes];
  });
}

export function encodeCancel(id: number): Buffer {
  return Buffer.from(`CANCEL ${id}\n`);
}

/** Longest header line the agent sends; longer means we are not reading frames. */
const MAX_HEADER = 200;
/** What a login shell may print before the agent starts (rc files that echo); beyond it, give up. */
const MAX_PREAMBLE = 64 * 1024;
const NEWLINE = 0x0a;

/** Cuts the agent's stdout into frames; feed it every chunk in order. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private ready = false;
  private preambleBytes = 0;
  /** Lines seen before READY, kept to explain a start that failed. */
  readonly preamble: string[] = [];

  push(chunk: Buffer): AgentFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: AgentFrame[] = [];
    for (;;) {
      const newline = this.pending.indexOf(NEWLINE);
      if (newline < 0) {
        this.checkUnterminated();
        return frames;
      }
      const header = this.pending.toString("latin1", 0, newline);
      if (!this.ready) {
        this.pending = this.pending.subarray(newline + 1);
        const ready = /^READY (\S+)((?: \S+)*)$/.exec(header);
        if (ready) {
          this.ready = true;
          const capabilities = (ready[2] ?? "").split(" ").filter(Boolean);
          frames.push({ kind: "ready", version: ready[1] ?? "", capabilities });
        } else {
          this.notePreamble(header, newline + 1);
        }
        continue;
      }
      const output = /^(OUT|ERR) (\d+) (\d+)$/.exec(header);
      if (output) {
        const start = newline + 1;
        const end = start + Number(output[3]);
        if (this.pending.length < end) return frames; // The payload is still on its way.
        frames.push({ kind: output[1] === "OUT" ? "stdout" : "stderr", id: Number(output[2]), data: this.pending.subarray(start, end) });
        this.pending = this.pending.subarray(end);
        continue;
      }
      const exit = /^EXIT (\d+) (\d+|-) (\w+|-) ([01])$/.exec(header);
      if (exit) {
        const [, id, code, signal, timedOut] = exit;
        frames.push({
          kind: "exit",
          id: Number(id),
          code: code === "-" ? undefined : Number(code),
          signal: signal === "-" || signal === undefined ? undefined : `SIG${signal}`,
          timedOut: timedOut === "1",
        });
        this.pending = this.pending.subarray(newline + 1);
        continue;
      }
      throw new AgentProtocolError(`unexpected output from the session agent: ${JSON.stringify(header.slice(0, 80))}`);
    }
  }

  private checkUnterminated(): void {
    if (!this.ready) {
      if (this.preambleBytes + this.pending.length > MAX_PREAMBLE) {
        throw new AgentProtocolError(`no READY from the session agent in its first ${MAX_PREAMBLE} bytes of output`);
      }
    } else if (this.pending.length > MAX_HEADER) {
      throw new AgentProtocolError(`unexpected output from the session agent: ${JSON.stringify(this.pending.toString("latin1", 0, 80))}`);
    }
  }

  private notePreamble(line: string, bytes: number): void {
    this.preambleBytes += bytes;
    if (this.preambleBytes > MAX_PREAMBLE) {
      throw new AgentProtocolError(`no READY from the session agent in its first ${MAX_PREAMBLE} bytes of output`);
    }
    this.preamble.push(line);
  }
}
