import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkImage, type InfoResult, type Inspection } from "../../../../drivers/images/checks";
import { parseQemuImgInfo, QemuInfoParseError } from "../../../../drivers/images/info";
import { ImageTooBig, ImageUnacceptable } from "../../../../drivers/interface/errors";

const fixture = (name: string): string => readFileSync(join(__dirname, "..", "..", "..", "fixtures", "images", name), "utf8");
const info = (name: string): InfoResult => ({ ok: true, info: parseQemuImgInfo(fixture(name)) });
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** An inspection of a 16 MiB image into a 1 GiB volume, with `changes`. */
function inspection(changes: Partial<Inspection>): Inspection {
  return { declared: "qcow2", asDeclared: info("info-qcow2.json"), probed: info("info-qcow2.json"), path: "p.qcow2", volumeBytes: GiB, ...changes };
}

describe("parseQemuImgInfo on captured qemu-img output", () => {
  it("reads a raw image's format and sizes", () => {
    expect(parseQemuImgInfo(fixture("info-raw.json"))).toEqual({
      format: "raw",
      virtualSizeBytes: 16 * MiB,
      actualSizeBytes: expect.any(Number),
      backingFile: undefined,
      dataFile: undefined,
      vmdkCreateType: undefined,
      vmdkExtentFiles: [],
    });
  });

  it("reads a qcow2's backing file and a qcow2's external data file", () => {
    expect(parseQemuImgInfo(fixture("info-qcow2-backing.json")).backingFile).toBe("/etc/shadow");
    expect(parseQemuImgInfo(fixture("info-qcow2-datafile.json")).dataFile).toBe("/etc/shadow");
    expect(parseQemuImgInfo(fixture("info-qcow2.json"))).toMatchObject({ format: "qcow2", backingFile: undefined, dataFile: undefined });
  });

  it("reads a vmdk's create type and extent files", () => {
    expect(parseQemuImgInfo(fixture("info-vmdk-flat.json"))).toMatchObject({ vmdkCreateType: "monolithicFlat", vmdkExtentFiles: ["flat-flat.vmdk"] });
    expect(parseQemuImgInfo(fixture("info-vmdk-stream.json"))).toMatchObject({ vmdkCreateType: "streamOptimized", vmdkExtentFiles: ["so.vmdk"] });
  });

  it.each([
    ["text that is not JSON", "qemu-img: oops"],
    ["JSON without a format", '{"virtual-size": 1}'],
    ["a negative size", '{"format": "raw", "virtual-size": -1}'],
    ["a backing file that is not a string", '{"format": "qcow2", "virtual-size": 1, "backing-filename": 7}'],
  ])("refuses %s instead of guessing", (_case, text) => {
    expect(() => parseQemuImgInfo(text)).toThrow(QemuInfoParseError);
  });
});

describe("checkImage (Cinder's image checks)", () => {
  it("accepts a self-contained image of the declared format that fits, and returns its info", () => {
    expect(checkImage(inspection({})).virtualSizeBytes).toBe(16 * MiB);
    expect(checkImage(inspection({ declared: "raw", asDeclared: info("info-raw.json"), probed: info("info-raw.json"), path: "p.raw" })).format).toBe("raw");
    expect(
      checkImage(inspection({ declared: "vmdk", asDeclared: info("info-vmdk-stream.json"), probed: info("info-vmdk-stream.json"), path: "so.vmdk" })).format,
    ).toBe("vmdk");
  });

  it("accepts an image exactly as large as the volume", () => {
    expect(() => checkImage(inspection({ volumeBytes: 16 * MiB }))).not.toThrow();
  });

  it("refuses an image whose virtual size exceeds the volume with ImageTooBig, saying what size would do", () => {
    expect(() => checkImage(inspection({ volumeBytes: 16 * MiB - 512 }))).toThrow(ImageTooBig);
    expect(() => checkImage(inspection({ volumeBytes: 8 * MiB }))).toThrow(
      /virtual size is 0\.02 GiB.*larger than the volume's 0\.01 GiB; use a volume of at least 1 GiB/,
    );
  });

  it("refuses a raw file declared qcow2 (the probe says raw, the declared read fails)", () => {
    const raw = info("info-raw.json");
    const error = { ok: false, error: fixture("info-raw-as-qcow2.stderr.txt").trim() } as const;
    expect(() => checkImage(inspection({ asDeclared: error, probed: raw }))).toThrow(/declared qcow2 but it is raw/);
  });

  it("refuses a qcow2 declared raw, which a raw read would accept", () => {
    expect(() => checkImage(inspection({ declared: "raw", asDeclared: info("info-raw.json"), probed: info("info-qcow2.json") }))).toThrow(
      /declared raw but it is qcow2/,
    );
  });

  it("refuses an image qemu-img cannot read at all, or not as declared", () => {
    expect(() => checkImage(inspection({ probed: { ok: false, error: "qemu-img was stopped by SIGXCPU" } }))).toThrow(
      /cannot read the image: qemu-img was stopped by SIGXCPU/,
    );
    expect(() => checkImage(inspection({ asDeclared: { ok: false, error: "corrupt" } }))).toThrow(/cannot read the image as qcow2: corrupt/);
  });

  it.each([
    ["a backing file", "info-qcow2-backing.json", /backing file \(\/etc\/shadow\)/],
    ["an external data file (CVE-2024-32498)", "info-qcow2-datafile.json", /external data file \(\/etc\/shadow\).*CVE-2024-32498/],
  ])("refuses a qcow2 with %s, whichever reading reports it", (_case, name, message) => {
    expect(() => checkImage(inspection({ asDeclared: info(name) }))).toThrow(message);
    expect(() => checkImage(inspection({ probed: info(name) }))).toThrow(ImageUnacceptable);
  });

  it("refuses vmdk create types outside the allow-list and extents in other files", () => {
    const flat = info("info-vmdk-flat.json");
    expect(() => checkImage(inspection({ declared: "vmdk", asDeclared: flat, probed: flat, path: "flat.vmdk" }))).toThrow(
      /create type monolithicFlat is not allowed/,
    );
    const stream = info("info-vmdk-stream.json");
    expect(() => checkImage(inspection({ declared: "vmdk", asDeclared: stream, probed: stream, path: "/var/tmp/cinderblock/cb-stage-x" }))).toThrow(
      /extent in another file \(so\.vmdk\)/,
    );
  });

  it("shows hostile names only as printable, bounded text", () => {
    const hostile = { ok: true, info: { ...parseQemuImgInfo(fixture("info-qcow2.json")), backingFile: `\u001b[31m${"x".repeat(500)}` } } as const;
    const error = (() => {
      try {
        checkImage(inspection({ asDeclared: hostile }));
      } catch (caught) {
        return caught as Error;
      }
      throw new Error("not refused");
    })();
    expect(error.message).not.toContain("\u001b");
    expect(error.message.length).toBeLessThan(300);
  });
});
