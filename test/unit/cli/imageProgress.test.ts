import { progressPrinter } from "../../../cli/commands/image";
import type { CopyProgress } from "../../../drivers";

/** A stderr stand-in: what was written, and whether it claims to be a terminal. */
function stream(isTTY: boolean): { written: string[]; stream: NodeJS.WriteStream } {
  const written: string[] = [];
  const fake = { isTTY, write: (text: string) => written.push(text) > 0 };
  return { written, stream: fake as unknown as NodeJS.WriteStream };
}

const MiB = 1024 * 1024;
const at = (bytesDone: number): CopyProgress => ({ phase: "convert", bytesDone, bytesTotal: 4 * MiB, bytesPerSecond: MiB });

describe("the CLI's progress on stderr", () => {
  it("redraws one bar on a terminal and ends its line at 100%", () => {
    const { written, stream: tty } = stream(true);
    const printer = progressPrinter(tty);
    printer.onProgress(at(MiB));
    printer.onProgress(at(4 * MiB));
    printer.done();
    expect(written[0]).toBe("\r[######------------------] converting 25% (1.0 MiB of 4.0 MiB) at 1.0 MiB/s\u001b[K");
    expect(written[1]).toMatch(/^\r\[#{24}\] converting 100% /);
    // One newline after the bar, not a second one from done().
    expect(written.slice(2)).toEqual(["\n"]);
  });

  it("writes plain lines when stderr is not a terminal (a log file, CI)", () => {
    const { written, stream: pipe } = stream(false);
    const printer = progressPrinter(pipe);
    printer.onProgress(at(MiB));
    printer.onProgress({ phase: "transfer", bytesDone: 2 * MiB, bytesTotal: undefined, bytesPerSecond: MiB });
    printer.done();
    expect(written).toEqual(["converting 25% (1.0 MiB of 4.0 MiB) at 1.0 MiB/s\n", "transferring (2.0 MiB) at 1.0 MiB/s\n"]);
    // eslint-disable-next-line no-control-regex -- no carriage return or terminal escape may reach a log
    expect(written.join("")).not.toMatch(/[\r\u001b]/);
  });
});
