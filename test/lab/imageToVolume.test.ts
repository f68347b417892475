import { readFileSync, statSync, writeFileSync } from "node:fs";
import type { Backends } from "../../drivers";
import { ImageTooBig, ImageUnacceptable, InvalidInput } from "../../drivers/interface/errors";
import type { CopyProgress, ImageFormat, ImageSpec, Volume } from "../../drivers/interface/types";
import { MiB, newUuid, pattern } from "./driverSupport";
import { IMAGE_BYTES, makeImages, openImageDriver, patternImage, serveFiles, sha256, type ImageLabDriver, type Images } from "./imageFixtures";
import { hostLvs, onHostOk, unique } from "./support";

/**
 * Image to volume on a real host: images of every source kind and several formats land in
 * the volume byte for byte (read back on the host with dd, not through the driver), and
 * hostile images are refused with the right error while the volume keeps every byte it had.
 */

/** A conversion directory of this run's own, so that what is left in it is this run's doing. */
const STAGING = `/var/tmp/cb-test-staging-${process.pid}`;

/** The SHA-256 of the volume's first `length` bytes, read on the host through its gate with the system ssh. */
async function hostSha256(volume: Volume, length: number): Promise<string> {
  return (await onHostOk(`dd if=${volume.devicePath} bs=1M count=${length / MiB} iflag=direct status=none | sha256sum`)).split(" ")[0] ?? "";
}

async function stagedFiles(): Promise<string[]> {
  return (await onHostOk(`ls -A ${STAGING} 2>/dev/null || true`)).split("\n").filter(Boolean);
}

describe("image to volume on a real host", () => {
  let backends: Backends;
  let driver: ImageLabDriver;
  let images: Images;
  let server: Awaited<ReturnType<typeof serveFiles>>;
  /** One volume for every case (each LV costs several slow LVM commands): each case first writes what it expects to find overwritten or kept. */
  let volume: Volume;
  const expected = patternImage();
  const cleanup: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    ({ backends, driver } = await openImageDriver({ imageConversionDir: STAGING }));
    images = makeImages();
    server = await serveFiles(images.dir);
    volume = await driver.createVolume({ uuid: newUuid(), name: unique("img"), sizeGib: 1, provisioning: "thin" });
    cleanup.push(() => driver.deleteVolume(volume.id));
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await onHostOk(`rm -rf ${STAGING}`).catch(() => undefined);
    await server?.close();
    images?.remove();
    await backends?.close();
  });

  it.each<[string, (i: Images) => ImageSpec]>([
    [
      "raw from a host path",
      (i) => ({ source: { kind: "hostPath", path: `/var/tmp/cb-test-${process.pid}.raw` }, format: "raw", sha256: sha256(readFileSync(i.raw)) }),
    ],
    [
      "qcow2 from a host path others could rewrite (copied aside first)",
      (i) => ({ source: { kind: "hostPath", path: `/var/tmp/cb-test-${process.pid}-shared.qcow2` }, format: "qcow2", sha256: sha256(readFileSync(i.qcow2)) }),
    ],
    [
      "qcow2 from a URL the host fetches",
      (i) => ({ source: { kind: "url", url: server.url("pattern.qcow2") }, format: "qcow2", sha256: sha256(readFileSync(i.qcow2)) }),
    ],
    ["qcow2 streamed from a local file", (i) => ({ source: { kind: "localFile", path: i.qcow2 }, format: "qcow2" })],
    ["vmdk (streamOptimized) streamed from a local file", (i) => ({ source: { kind: "localFile", path: i.vmdk }, format: "vmdk" })],
  ])("copies %s into the volume byte for byte", async (_case, specOf) => {
    const spec = specOf(images);
    if (spec.source.kind === "hostPath") {
      const path = spec.source.path;
      // Put the image on the host independently of the code under test; a shared one is group- and world-writable.
      const shared = path.includes("-shared");
      await onHostOk(`curl -fsS -o ${path} ${server.url(shared ? "pattern.qcow2" : "pattern.raw")} && chmod ${shared ? 666 : 644} ${path}`);
      cleanup.push(async () => void (await onHostOk(`rm -f ${path}`)));
    }
    // Garbage over the image's blocks and where it has zeros (the volume is shared): the copy must overwrite it all, not skip it.
    await driver.writeData(volume.id, 0, Buffer.concat(Array.from({ length: 9 }, (_, i) => pattern(`stale data ${i}`, 0xe0 + i))));

    const info = await driver.copyImageToVolume(volume.id, spec);

    expect(info).toMatchObject({ format: spec.format, virtualSizeBytes: IMAGE_BYTES });
    if (spec.sha256) expect(info.sha256).toBe(spec.sha256);
    if (spec.source.kind === "localFile") {
      expect(info.sha256).toBe(sha256(readFileSync(spec.source.path)));
      expect(info.sizeBytes).toBe(statSync(spec.source.path).size);
    }
    expect(await hostSha256(volume, IMAGE_BYTES)).toBe(sha256(expected));
    expect(await stagedFiles()).toEqual([]);
  });

  describe("refuses hostile or wrong images and writes nothing", () => {
    const before = Buffer.concat(Array.from({ length: 16 }, (_, i) => pattern(`keep me ${i}`, 0x40 + i)));

    beforeAll(async () => {
      await driver.writeData(volume.id, 0, before);
    });

    it.each<[string, (i: Images) => ImageSpec, new (...args: never[]) => Error, RegExp]>([
      ["a qcow2 whose backing file is /etc/shadow", (i) => local(i.backingShadow, "qcow2"), ImageUnacceptable, /backing file \(\/etc\/shadow\)/],
      ["a qcow2 with an external data file", (i) => local(i.dataFileShadow, "qcow2"), ImageUnacceptable, /external data file.*CVE-2024-32498/],
      ["an image larger than the volume", (i) => local(i.oversized, "qcow2"), ImageTooBig, /virtual size is 2\.00 GiB.*at least 2 GiB/],
      ["a raw image declared qcow2", (i) => local(i.raw, "qcow2"), ImageUnacceptable, /declared qcow2 but it is raw/],
      ["a qcow2 image declared raw", (i) => local(i.qcow2, "raw"), ImageUnacceptable, /declared raw but it is qcow2/],
      [
        "a qcow2 cut inside its data clusters",
        (i) => local(i.truncatedInData, "qcow2"),
        ImageUnacceptable,
        /qemu-img check found \d+ corruptions in the image: it is damaged or truncated/,
      ],
      [
        "a qcow2 cut right after its header",
        (i) => local(i.truncatedAfterHeader, "qcow2"),
        ImageUnacceptable,
        /truncated: its data ends at byte \d+ but the file has only 196608 bytes/,
      ],
      [
        "an image with the wrong sha256",
        (i) => ({ ...local(i.qcow2, "qcow2"), sha256: "0".repeat(64) }),
        ImageUnacceptable,
        /sha256 is [0-9a-f]{64}, not the expected 0{64}/,
      ],
      [
        "a URL with the wrong sha256 (checked on the host)",
        () => ({ source: { kind: "url", url: server.url("pattern.raw") }, format: "raw", sha256: "f".repeat(64) }),
        ImageUnacceptable,
        /not the expected f{64}/,
      ],
    ])("refuses %s", async (_case, specOf, errorClass, message) => {
      const error = await driver.copyImageToVolume(volume.id, specOf(images)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(errorClass);
      expect((error as Error).message).toMatch(message);
    });

    it("refuses a qcow2 whose backing file is /etc/shadow read in place from a host path", async () => {
      const path = `/var/tmp/cb-test-${process.pid}-backing.qcow2`;
      await onHostOk(`curl -fsS -o ${path} ${server.url("backing.qcow2")} && chmod 600 ${path}`);
      try {
        const error = await driver.copyImageToVolume(volume.id, { source: { kind: "hostPath", path }, format: "qcow2" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ImageUnacceptable);
        expect((error as Error).message).toMatch(/backing file \(\/etc\/shadow\)/);
      } finally {
        await onHostOk(`rm -f ${path}`);
      }
    });

    it("refuses bad sources before running anything on the host", async () => {
      const requests = server.requests.length;
      for (const spec of [
        { source: { kind: "url", url: "file:///etc/shadow" }, format: "raw" },
        { source: { kind: "hostPath", path: "relative/path.raw" }, format: "raw" },
        { source: { kind: "hostPath", path: "/var/tmp/../../etc/shadow" }, format: "raw" },
        { source: { kind: "localFile", path: `${images.dir}/missing.raw` }, format: "raw" },
        { source: { kind: "url", url: server.url("pattern.raw") }, format: "iso" },
        { source: { kind: "url", url: server.url("pattern.raw") }, format: "raw", sha256: "abc" },
      ] as ImageSpec[]) {
        await expect(driver.copyImageToVolume(volume.id, spec)).rejects.toBeInstanceOf(InvalidInput);
      }
      expect(server.requests.length).toBe(requests);
    });

    it("refuses a host path that is not a regular file, and a URL that answers 404", async () => {
      await expect(driver.copyImageToVolume(volume.id, { source: { kind: "hostPath", path: "/etc" }, format: "raw" })).rejects.toThrow(/not a regular file/);
      await expect(driver.copyImageToVolume(volume.id, { source: { kind: "url", url: server.url("absent.raw") }, format: "raw" })).rejects.toThrow(/404/);
    });

    // Checked once after all the refusals above (each read of the volume is slow on the lab): any refused image that wrote a byte would change it.
    it("left every byte of the volume as it was, and nothing staged", async () => {
      expect(await hostSha256(volume, before.length)).toBe(sha256(before));
      expect(await stagedFiles()).toEqual([]);
    });
  });

  it("reports transfer and conversion progress for a copy that takes a while, then removes its staged file", async () => {
    const big = `${images.dir}/big.raw`;
    writeFileSync(big, Buffer.concat(Array.from({ length: 32 }, (_, i) => pattern(`big block ${i}`, i & 0xff))));
    const reports: CopyProgress[] = [];
    // Served at 8 MiB/s, the download lasts 4 s: longer than the 2 s between reports, however fast the host.
    const source = { kind: "url" as const, url: `${server.url("big.raw")}?bytesPerSecond=${8 * MiB}` };
    const info = await driver.copyImageToVolume(volume.id, { source, format: "raw" }, { onProgress: (p) => reports.push(p) });
    expect(info.virtualSizeBytes).toBe(32 * MiB);
    const transfer = reports.filter((report) => report.phase === "transfer");
    expect(transfer.length).toBeGreaterThan(0);
    for (const report of transfer) {
      expect(report.bytesTotal).toBe(32 * MiB);
      expect(report.bytesDone).toBeLessThanOrEqual(32 * MiB);
      expect(report.bytesPerSecond).toBeGreaterThan(0);
    }
    expect(transfer.at(-1)?.bytesDone).toBe(32 * MiB);
    const convert = reports.filter((report) => report.phase === "convert");
    for (const report of convert) expect(report.bytesTotal).toBe(32 * MiB);
    if (convert.length > 0) expect(convert.at(-1)?.bytesDone).toBe(32 * MiB);
    expect(await stagedFiles()).toEqual([]);
    expect((await hostLvs()).filter((lv) => lv.tags.includes("cb.kind=temp"))).toEqual([]);
  });
});

function local(path: string, format: ImageFormat): ImageSpec {
  return { source: { kind: "localFile", path }, format };
}
