import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Backends } from "../../drivers";
import { InvalidInput } from "../../drivers/interface/errors";
import type { Volume } from "../../drivers/interface/types";
import { GiB, MiB, newUuid } from "./driverSupport";
import { openImageDriver, patternImage, sha256, type ImageLabDriver } from "./imageFixtures";
import { hostLvs, onHost, onHostOk, unique } from "./support";

/**
 * Volume to image on a real host: the volume (a known pattern, then zeros) is exported as raw
 * to a path on the host and as compressed qcow2 to a local file; both are compared with the
 * volume's known bytes (sha256sum on the host, qemu-img compare here), independently of the
 * code under test. Exports never overwrite a file, leave no temporary snapshot or partial
 * file, and their files are removed only while they are unchanged.
 */
describe("volume to image on a real host", () => {
  let backends: Backends;
  let driver: ImageLabDriver;
  let volume: Volume;
  let local: string;
  const hostDir = `/var/tmp/cb-test-export-${process.pid}`;
  const data = patternImage();

  beforeAll(async () => {
    ({ backends, driver } = await openImageDriver());
    local = mkdtempSync(join(tmpdir(), "cb-export-"));
    volume = await driver.createVolume({ uuid: newUuid(), name: unique("export"), sizeGib: 1, provisioning: "thin" });
    await driver.writeData(volume.id, 0, data);
    await onHostOk(`mkdir -p ${hostDir}`);
  });
  afterAll(async () => {
    await onHost(`rm -rf ${hostDir}`);
    if (volume) await driver.deleteVolume(volume.id).catch(() => undefined);
    rmSync(local, { recursive: true, force: true });
    await backends?.close();
  });

  async function leftovers(): Promise<{ temps: string[]; partials: string }> {
    const temps = (await hostLvs()).filter((lv) => lv.tags.includes("cb.kind=temp")).map((lv) => lv.name);
    return { temps, partials: (await onHostOk(`ls -A ${hostDir} | grep cb-partial || true`)).trim() };
  }

  it("exports raw to a host path, byte for byte, and reports its checksum", async () => {
    const path = `${hostDir}/volume.raw`;
    const info = await driver.copyVolumeToImage(volume.id, { kind: "hostPath", path, format: "raw" });
    // The volume holds the pattern, then zeros (a new thin volume reads as zeros): its SHA-256 is computed here.
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    const volumeSha = createHash("sha256").update(data);
    for (let at = data.length; at < GiB; at += zeros.length) volumeSha.update(zeros);
    const expected = volumeSha.digest("hex");
    expect(info).toMatchObject({ format: "raw", virtualSizeBytes: GiB, sizeBytes: GiB, sha256: expected });
    // Independently of the driver, on the host: the file's size, and its pattern part (hashing the whole GiB again is minutes under TCG; the zeros are covered by the checksum above, which the driver computes from the file).
    expect((await onHostOk(`stat -c %s ${path}; dd if=${path} bs=1M count=${data.length / MiB} status=none | sha256sum`)).split(/\s+/).slice(0, 2)).toEqual([
      String(GiB),
      sha256(data),
    ]);
    expect(await leftovers()).toEqual({ temps: [], partials: "" });
  });

  it("finds an image file on the host as it is, and removes it only while it is unchanged", async () => {
    // A small raw file: what matters is the bookkeeping, not the size.
    const path = `${hostDir}/small.raw`;
    await onHostOk(`head -c 1048576 /dev/urandom > ${path}`);
    const sha = (await onHostOk(`sha256sum < ${path}`)).split(" ")[0] ?? "";
    expect(await driver.findHostImage(volume.id, path)).toEqual({ format: "raw", virtualSizeBytes: 1048576, sizeBytes: 1048576, sha256: sha });
    expect(await driver.removeHostImage(volume.id, path, "0".repeat(64))).toBe("changed");
    await onHostOk(`test -f ${path}`);
    expect(await driver.removeHostImage(volume.id, path, sha)).toBe("removed");
    expect(await onHost(`test -e ${path}`)).toMatchObject({ code: 1 });
    expect(await driver.removeHostImage(volume.id, path, sha)).toBe("absent");
    expect(await driver.findHostImage(volume.id, path)).toBeUndefined();
  });

  it("exports compressed qcow2 to a local file that holds the volume's bytes", async () => {
    const path = join(local, "volume.qcow2");
    const info = await driver.copyVolumeToImage(volume.id, { kind: "localFile", path, format: "qcow2", compress: true });
    expect(info).toMatchObject({ format: "qcow2", virtualSizeBytes: GiB, sha256: sha256(readFileSync(path)) });
    expect(info.sizeBytes).toBeLessThan(data.length); // compressed: the pattern's blocks repeat one byte
    const expected = join(local, "expected.raw");
    writeFileSync(expected, data);
    truncateSync(expected, GiB);
    execFileSync("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", expected, path]);
    expect(await leftovers()).toEqual({ temps: [], partials: "" });
  });

  it("never overwrites an existing file, on the host or here, and leaves it as it was", async () => {
    const hostPath = `${hostDir}/taken.raw`;
    await onHostOk(`echo precious > ${hostPath}`);
    await expect(driver.copyVolumeToImage(volume.id, { kind: "hostPath", path: hostPath, format: "raw" })).rejects.toThrow(/already exists.*never overwrites/);
    expect(await onHostOk(`cat ${hostPath}`)).toBe("precious\n");
    const localPath = join(local, "taken.qcow2");
    writeFileSync(localPath, "precious");
    await expect(driver.copyVolumeToImage(volume.id, { kind: "localFile", path: localPath, format: "qcow2" })).rejects.toBeInstanceOf(InvalidInput);
    expect(readFileSync(localPath, "utf8")).toBe("precious");
    await expect(driver.copyVolumeToImage(volume.id, { kind: "hostPath", path: `${hostDir}/missing-dir/x.raw`, format: "raw" })).rejects.toThrow(
      /directory .* does not exist/,
    );
    await expect(driver.copyVolumeToImage(volume.id, { kind: "hostPath", path: `${hostDir}/x.raw`, format: "raw", compress: true })).rejects.toThrow(
      /only possible with format qcow2/,
    );
    expect(await leftovers()).toEqual({ temps: [], partials: "" });
  });
});
