import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkIntegrity, type CheckRun } from "../../../../drivers/images/integrity";
import { ImageUnacceptable } from "../../../../drivers/interface/errors";

const fixture = (name: string): string => readFileSync(join(__dirname, "..", "..", "..", "fixtures", "images", name), "utf8");
const run = (exitCode: number, stdout: string, stderr = ""): CheckRun => ({ exitCode, stdout, stderr });
/** The file size of the intact image the check fixtures were captured from. */
const INTACT_BYTES = 8716288;

describe("checkIntegrity (qemu-img check as an acceptance rule)", () => {
  it("accepts an intact qcow2 whose end is the file's end", () => {
    expect(() => checkIntegrity(run(0, fixture("check-qcow2.json")), INTACT_BYTES)).not.toThrow();
  });

  it("refuses a qcow2 cut inside its data clusters, counting the corruptions", () => {
    const cut = run(2, fixture("check-qcow2-cut-data.json"));
    expect(() => checkIntegrity(cut, 4_000_000)).toThrow(ImageUnacceptable);
    expect(() => checkIntegrity(cut, 4_000_000)).toThrow(/found 71 corruptions.*damaged or truncated/);
  });

  it("refuses a qcow2 cut right after its header, which check itself passes, by its end offset", () => {
    const cut = run(0, fixture("check-qcow2-cut-header.json"));
    expect(() => checkIntegrity(cut, 196608)).toThrow(/truncated: its data ends at byte 262144 but the file has only 196608 bytes/);
    // The same report for a file that does reach the end offset is fine: the size decides.
    expect(() => checkIntegrity(cut, 262144)).not.toThrow();
  });

  it("refuses an image check could not finish (a truncated vmdk), naming qemu-img's reason", () => {
    expect(() => checkIntegrity(run(1, "", fixture("check-vmdk-cut.stderr.txt")), 98048)).toThrow(
      /could not finish reading the image \(qemu-img: Check failed: Invalid argument\)/,
    );
  });

  it("accepts leaked clusters (wasted space, no lost data) and formats without checks", () => {
    expect(() => checkIntegrity(run(3, '{"leaks": 4, "check-errors": 0, "image-end-offset": 100}'), 100)).not.toThrow();
    expect(() => checkIntegrity(run(63, "", "qemu-img: This image format does not support checks"), 1)).not.toThrow();
  });

  it.each([
    ["exit 2 without a corruption count", run(2, '{"check-errors": 0}'), /found corruptions in the image/],
    ["check errors", run(0, '{"check-errors": 2}'), /hit 2 errors/],
    ["no JSON", run(0, "qemu-img: oops", "boom"), /no readable report \(exit 0\): boom/],
    ["a negative end offset", run(0, '{"image-end-offset": -1}'), /no readable report/],
  ])("refuses %s rather than guess", (_case, result, message) => {
    expect(() => checkIntegrity(result, 1 << 30)).toThrow(message);
  });
});
