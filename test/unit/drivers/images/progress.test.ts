import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createHash } from "node:crypto";
import {
  describeProgress,
  lineSink,
  MeteredStream,
  parseQemuProgress,
  parseStageProgress,
  PROGRESS_INTERVAL_MS,
  ProgressMeter,
} from "../../../../drivers/images/progress";
import type { CopyProgress } from "../../../../drivers/interface/types";

describe("ProgressMeter", () => {
  function meter(total: number | undefined) {
    let now = 1_000_000;
    const reports: CopyProgress[] = [];
    const progress = new ProgressMeter(
      "convert",
      total,
      (report) => reports.push(report),
      () => now,
    );
    return { progress, reports, advance: (ms: number) => (now += ms) };
  }

  it("reports nothing for a phase shorter than the interval, not even at the end", () => {
    const { progress, reports, advance } = meter(100);
    advance(PROGRESS_INTERVAL_MS - 1);
    progress.update(100);
    progress.finish();
    expect(reports).toEqual([]);
  });

  it("reports at most once per interval, with the average rate since the phase began, and a final report", () => {
    const { progress, reports, advance } = meter(10_000);
    advance(2000);
    progress.update(2000);
    advance(500);
    progress.update(2500);
    advance(1500);
    progress.update(4000);
    advance(1000);
    progress.update(10_000);
    progress.finish();
    expect(reports).toEqual([
      { phase: "convert", bytesDone: 2000, bytesTotal: 10_000, bytesPerSecond: 1000 },
      { phase: "convert", bytesDone: 4000, bytesTotal: 10_000, bytesPerSecond: 1000 },
      { phase: "convert", bytesDone: 10_000, bytesTotal: 10_000, bytesPerSecond: 2000 },
    ]);
  });

  it("takes the total when it becomes known (a download's Content-Length)", () => {
    const { progress, reports, advance } = meter(undefined);
    advance(2000);
    progress.update(10);
    advance(2000);
    progress.update(20, 100);
    expect(reports.map((report) => report.bytesTotal)).toEqual([undefined, 100]);
  });
});

describe("progress parsers", () => {
  it("reads every percentage qemu-img convert -p printed to a pipe, split on carriage returns", async () => {
    const seen: number[] = [];
    const sink = lineSink((line) => {
      const percent = parseQemuProgress(line);
      if (percent !== undefined) seen.push(percent);
    });
    await pipeline(Readable.from([readFileSync(join(__dirname, "..", "..", "..", "fixtures", "images", "convert-progress.txt"))]), sink);
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it("joins lines split across chunks", async () => {
    const lines: string[] = [];
    await pipeline(
      Readable.from([Buffer.from("    (12.5"), Buffer.from("0/100%)\r    (50.00/100%)\r")]),
      lineSink((line) => lines.push(line)),
    );
    expect(lines.map(parseQemuProgress)).toEqual([12.5, 50]);
  });

  it("ignores anything that is not a progress line", () => {
    expect(parseQemuProgress("qemu-img: error while writing")).toBeUndefined();
    expect(parseQemuProgress("(250.00/100%)")).toBeUndefined();
  });

  it("reads the staging script's lines, with the total known or not", () => {
    expect(parseStageProgress("progress 1024 4096")).toEqual({ done: 1024, total: 4096 });
    expect(parseStageProgress("progress 1024 ")).toEqual({ done: 1024, total: undefined });
    expect(parseStageProgress("curl: (22) The requested URL returned error: 404")).toBeUndefined();
  });
});

describe("MeteredStream", () => {
  it("passes bytes through unchanged, counting and hashing them", async () => {
    const data = Buffer.from("x".repeat(100_000));
    const counts: number[] = [];
    const metered = new MeteredStream((bytes) => counts.push(bytes));
    const out: Buffer[] = [];
    await pipeline(Readable.from([data.subarray(0, 60_000), data.subarray(60_000)]), metered, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) out.push(chunk);
    });
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(metered.bytes).toBe(data.length);
    expect(counts.at(-1)).toBe(data.length);
    expect(metered.digest()).toBe(createHash("sha256").update(data).digest("hex"));
  });
});

describe("describeProgress", () => {
  it("says phase, percent, amounts and rate in binary units", () => {
    expect(describeProgress({ phase: "convert", bytesDone: 460.8 * 1024 * 1024, bytesTotal: 1024 ** 3, bytesPerSecond: 48.3 * 1024 * 1024 })).toBe(
      "converting 45% (460.8 MiB of 1.0 GiB) at 48.3 MiB/s",
    );
  });

  it("leaves the percent out while the total is unknown", () => {
    expect(describeProgress({ phase: "transfer", bytesDone: 2048, bytesTotal: undefined, bytesPerSecond: 512 })).toBe("transferring (2.0 KiB) at 512 B/s");
  });
});
