import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { findLocalImage, removeLocalImage } from "../../../drivers/images/localImage";
import { providers } from "../../../provider";
import { progressLog } from "../../../provider/imageProgress";
import { formatImageId, parseImageId } from "../../../provider/volumeImage";
import { withImage } from "../../../provider/volumeFromImage";
import { useTestBackends } from "../../fixtures/provider/backends";

useTestBackends();

const volume = {
  backend: "lab",
  name: "web-0123abcd",
  sizeGb: 2,
  uuid: "0123abcd-0000-5000-8000-000000000000",
};
const image = { url: "http://10.0.2.2:8080/web.qcow2", format: "qcow2", sha256: "ab".repeat(32) };

describe("Volume with an image", () => {
  const { check, diff } = providers.Volume;

  it("accepts one image source with its format", async () => {
    for (const source of [{ url: image.url }, { hostPath: "/srv/web.raw" }, { localFile: "images/web.vmdk" }]) {
      expect((await check!({}, { ...volume, image: { ...source, format: "raw" } })).failures).toEqual([]);
    }
  });

  it.each<[string, Record<string, unknown>, { property: string; reason: RegExp }]>([
    ["no source", { image: { format: "raw" } }, { property: "image", reason: /exactly one of url, hostPath, localFile/ }],
    ["two sources", { image: { url: image.url, hostPath: "/srv/a.raw", format: "raw" } }, { property: "image", reason: /exactly one/ }],
    ["an unknown format", { image: { url: image.url, format: "iso" } }, { property: "image.format", reason: /one of raw, qcow2, vmdk, vdi, vhdx, vpc/ }],
    ["a file: URL", { image: { url: "file:///etc/shadow", format: "raw" } }, { property: "image.url", reason: /http or https/ }],
    ["a relative host path", { image: { hostPath: "srv/a.raw", format: "raw" } }, { property: "image.hostPath", reason: /absolute/ }],
    ["a malformed sha256", { image: { ...image, sha256: "xyz" } }, { property: "image.sha256", reason: /64 hex digits/ }],
    ["a misspelt key", { image: { ...image, sha: "x" } }, { property: "sha", reason: /is not an input/ }],
    [
      "an image and a source snapshot",
      { image, sourceSnapshotId: "lab/lab-1/vg/s" },
      { property: "image", reason: /cannot be combined with sourceSnapshotId/ },
    ],
  ])("refuses %s", async (_case, change, expected) => {
    const result = await check!({}, { ...volume, ...change });
    expect(result.failures).toEqual([{ property: expected.property, reason: expect.stringMatching(expected.reason) }]);
  });

  it("replaces the volume when the image changes, and not when it stays", async () => {
    const olds = { ...volume, image, thin: true, host: "lab-1" };
    expect(await diff!("id", olds, { ...volume, image })).toEqual({ changes: false });
    const changed = await diff!("id", olds, { ...volume, image: { ...image, sha256: "cd".repeat(32) } });
    expect(changed).toMatchObject({ changes: true, replaces: ["image"], deleteBeforeReplace: true });
    expect((await diff!("id", olds, { ...volume })).replaces).toEqual(["image"]);
  });

  it("carries the image over from stored state, which is the only record of it", () => {
    expect(withImage({ sizeGb: 2 }, { image })).toEqual({ sizeGb: 2, image });
    expect(withImage({ sizeGb: 2 }, {})).toEqual({ sizeGb: 2 });
  });
});

describe("VolumeImage", () => {
  const { check, diff } = providers.VolumeImage;
  const inputs = { volumeId: "lab/lab-1/cinder-volumes/web", target: { hostPath: "/srv/web.qcow2" }, format: "qcow2", compress: true };

  it("accepts a host or local target, raw or qcow2", async () => {
    expect((await check!({}, inputs)).failures).toEqual([]);
    expect((await check!({}, { ...inputs, target: { localFile: "out/web.raw" }, format: "raw", compress: undefined })).failures).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, { property: string; reason: RegExp }]>([
    ["a vmdk target", { format: "vmdk" }, { property: "format", reason: /one of raw, qcow2/ }],
    ["compression of a raw image", { format: "raw" }, { property: "compress", reason: /only possible with format qcow2/ }],
    ["two targets", { target: { hostPath: "/a", localFile: "/b" } }, { property: "target", reason: /exactly one of hostPath, localFile/ }],
    ["a malformed volume id", { volumeId: "web" }, { property: "volumeId", reason: /backend\/host\/volume-group\/lv/ }],
    ["a relative host path", { target: { hostPath: "web.qcow2" } }, { property: "target.hostPath", reason: /absolute/ }],
  ])("refuses %s", async (_case, change, expected) => {
    expect((await check!({}, { ...inputs, ...change })).failures).toEqual([{ property: expected.property, reason: expect.stringMatching(expected.reason) }]);
  });

  it("replaces on any change, deleting the old file first (it is often at the same path)", async () => {
    expect(await diff!("id", inputs, inputs)).toEqual({ changes: false });
    expect(await diff!("id", inputs, { ...inputs, compress: false })).toEqual({ changes: true, replaces: ["compress"], deleteBeforeReplace: true });
  });

  it("has ids that name the target kind, the volume and the path, and parse back", () => {
    const id = formatImageId("hostPath", inputs.volumeId, "/srv/a:b.qcow2");
    expect(id).toBe("hostPath:lab/lab-1/cinder-volumes/web:/srv/a:b.qcow2");
    expect(parseImageId(id)).toEqual({ kind: "hostPath", volumeId: inputs.volumeId, path: "/srv/a:b.qcow2" });
    expect(() => parseImageId("lab/lab-1/cinder-volumes/web")).toThrow(/not a VolumeImage id/);
  });
});

describe("local image files", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cb-local-image-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tells qcow2 (with its virtual size) from raw without qemu-img", async () => {
    const header = Buffer.alloc(512);
    Buffer.from([0x51, 0x46, 0x49, 0xfb]).copy(header);
    header.writeBigUInt64BE(2n * 1024n ** 3n, 24);
    writeFileSync(join(dir, "a.qcow2"), header);
    writeFileSync(join(dir, "a.raw"), Buffer.alloc(4096, 7));
    expect(await findLocalImage(join(dir, "a.qcow2"))).toMatchObject({ format: "qcow2", virtualSizeBytes: 2 * 1024 ** 3, sizeBytes: 512 });
    expect(await findLocalImage(join(dir, "a.raw"))).toEqual({
      format: "raw",
      virtualSizeBytes: 4096,
      sizeBytes: 4096,
      sha256: createHash("sha256").update(Buffer.alloc(4096, 7)).digest("hex"),
    });
    expect(await findLocalImage(join(dir, "missing.raw"))).toBeUndefined();
  });

  it("removes a file only while it has the recorded sha256", async () => {
    const path = join(dir, "b.raw");
    writeFileSync(path, "written by cinderblock");
    const sha256 = createHash("sha256").update("written by cinderblock").digest("hex");
    writeFileSync(path, "changed by someone else");
    expect(await removeLocalImage(path, sha256)).toBe("changed");
    writeFileSync(path, "written by cinderblock");
    expect(await removeLocalImage(path, sha256)).toBe("removed");
    expect(await removeLocalImage(path, sha256)).toBe("absent");
  });
});

describe("progressLog", () => {
  it("logs a phase's first report, then every ten seconds, and its end once", () => {
    let now = 0;
    const lines: string[] = [];
    const log = progressLog(
      "volume web: image",
      (line) => lines.push(line),
      () => now,
    );
    const report = (done: number) => log({ phase: "convert", bytesDone: done, bytesTotal: 100, bytesPerSecond: 10 });
    // The end comes twice (the meter's last update and its finish): it is logged once.
    for (const [at, done] of [
      [2000, 10],
      [4000, 20],
      [12_000, 50],
      [14_000, 60],
      [15_000, 100],
      [15_001, 100],
    ] as const) {
      now = at;
      report(done);
    }
    expect(lines).toEqual([
      "volume web: image: converting 10% (10 B of 100 B) at 10 B/s",
      "volume web: image: converting 50% (50 B of 100 B) at 10 B/s",
      "volume web: image: converting 100% (100 B of 100 B) at 10 B/s",
    ]);
  });
});
