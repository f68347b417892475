import type { PassThrough, Writable } from "node:stream";
import { withImageFile } from "../../../../drivers/images/imageFile";
import { ImageTooBig, InvalidInput } from "../../../../drivers/interface/errors";
import type { ImageSource } from "../../../../drivers/interface/types";
import type { CommandResult, RunOptions } from "../../../../drivers/ssh/exec";
import { CommandError } from "../../../../drivers/ssh/errors";

/**
 * A host whose image-pin answers `pinLine` (or fails with `pinExit`) and holds until stdin ends,
 * and whose staging scripts succeed: which way the image is read, and what runs for it.
 */
class ImageHostFake {
  readonly name = "fake-1";
  readonly ran: string[] = [];
  constructor(private readonly pin: { line?: string; exit?: number }) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    // A host script by the name its text gives in its usage line, any other command by its program.
    const script = argv[0] === "sh" ? (/^# Usage: ([\w-]+)/m.exec(argv[2] ?? "")?.[1] ?? "sh") : (argv[0] ?? "");
    this.ran.push(script);
    const result = (stdout: string): CommandResult => ({ host: this.name, argv, exitCode: 0, stdout, stderr: "", durationMs: 1 });
    if (script === "image-pin") {
      if (this.pin.exit !== undefined) {
        throw new CommandError({
          host: this.name,
          argv,
          exitCode: this.pin.exit,
          signal: undefined,
          stdout: "",
          stderr: "",
          durationMs: 1,
          timedOut: false,
          cancelled: false,
        });
      }
      (options.stdout as Writable).write(`${this.pin.line}\n`);
      await new Promise<void>((resolve) => (options.stdin as PassThrough).on("finish", resolve).resume());
      this.ran.push("unpinned");
      return result("");
    }
    if (script === "image-prepare") return result("/stage/cb-stage-abcdefghij\n1000000\n");
    if (script === "image-stage") {
      (options.stdout as Writable).write("size 300\n");
      return result("");
    }
    return result("");
  }
}

const hostPath: ImageSource = { kind: "hostPath", path: "/images/disk.qcow2" };
const read = async (host: ImageHostFake, source: ImageSource = hostPath, maxBytes = 1000) =>
  withImageFile(host, "/stage", source, maxBytes, {}, async (file) => {
    host.ran.push(`work on ${file.path} (${file.sizeBytes} bytes)`);
    return file;
  });

describe("where an image copy reads its image", () => {
  it("reads a host file no one else can change in place, through the descriptor held open for the whole work, staging nothing", async () => {
    const host = new ImageHostFake({ line: "pinned 4242 300" });
    expect(await read(host)).toEqual({ path: "/proc/4242/fd/3", sizeBytes: 300, sha256: undefined });
    expect(host.ran).toEqual(["image-pin", "work on /proc/4242/fd/3 (300 bytes)", "unpinned"]);
  });

  it("copies a host file others could change into a staging file first, and lets go of it before", async () => {
    const host = new ImageHostFake({ line: "unpinned writable by other users (mode 666)" });
    expect((await read(host)).path).toBe("/stage/cb-stage-abcdefghij");
    expect(host.ran).toEqual(["image-pin", "unpinned", "image-prepare", "image-stage", "work on /stage/cb-stage-abcdefghij (300 bytes)", "rm"]);
  });

  it("stages URLs and local files without asking", async () => {
    const host = new ImageHostFake({ line: "pinned 1 1" });
    await read(host, { kind: "url", url: "https://images.example/disk.qcow2" });
    expect(host.ran).not.toContain("image-pin");
    expect(host.ran).toContain("image-stage");
  });

  it("refuses a file larger than the volume could need, and what is not a regular file, before any work", async () => {
    const big = new ImageHostFake({ line: "pinned 4242 1001" });
    await expect(read(big)).rejects.toThrow(ImageTooBig);
    await expect(read(big)).rejects.toThrow(/the image file \(1001 bytes\) is larger than a volume of this size could need \(1000 bytes\)/);
    const directory = new ImageHostFake({ exit: 66 });
    await expect(read(directory)).rejects.toThrow(InvalidInput);
    await expect(read(directory)).rejects.toThrow("hostPath /images/disk.qcow2 is not a regular file on fake-1");
    expect([...big.ran, ...directory.ran].filter((step) => step.startsWith("work"))).toEqual([]);
  });
});
