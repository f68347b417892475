import { createHash } from "node:crypto";
import type { Backends } from "../../drivers";
import { GiB, MiB, newUuid, openLabDriver, pattern, type LabDriver } from "./driverSupport";
import { onHostOk, unique } from "./support";

const VG = "cinder-volumes";
const sha = (data: Buffer): string => createHash("sha256").update(data).digest("hex");
const ZEROS = sha(Buffer.alloc(MiB));

/** Where an LV's first extent lies on its PV, so its blocks can be read after the LV is gone. */
async function placement(lvName: string): Promise<{ pv: string; offset: number }> {
  const seg = JSON.parse(await onHostOk(`lvs --reportformat json -o seg_pe_ranges ${VG}/${lvName}`)) as {
    report: Array<{ lv: Array<{ seg_pe_ranges: string }> }>;
  };
  const [pv, range] = (seg.report[0]?.lv[0]?.seg_pe_ranges ?? "").split(":");
  const firstExtent = Number(range?.split("-")[0]);
  const pvInfo = (await onHostOk(`pvs --noheadings --units b --nosuffix -o pe_start,vg_extent_size ${pv}`)).trim().split(/\s+/);
  return { pv: pv ?? "", offset: Number(pvInfo[0]) + firstExtent * Number(pvInfo[1]) };
}

/** sha256 of one MiB read straight from the PV, bypassing LVM. */
async function rawMiB(pv: string, offset: number): Promise<string> {
  return (await onHostOk(`dd if=${pv} bs=1M skip=${offset} count=1 iflag=skip_bytes,direct status=none | sha256sum`)).split(" ")[0] ?? "";
}

/**
 * Deleting a thick volume must not leave its data where a later volume could read it. Checked
 * on the raw PV after the delete: the test reads the very extents the volume had.
 */
describe("LVM driver wipes thick volumes on delete", () => {
  const opened: Backends[] = [];
  afterAll(async () => {
    for (const backends of opened) await backends.close();
  });

  async function deleteAndRead(name: string, options: { volumeClear: "zero" | "none"; volumeClearSizeMib: number }) {
    const { backends, driver }: { backends: Backends; driver: LabDriver } = await openLabDriver(name, options);
    opened.push(backends);
    const volume = await driver.createVolume({ uuid: newUuid(), name: unique("wipe"), sizeGib: 1, provisioning: "thick" });
    await driver.writeData(volume.id, 0, pattern("secret head", 0x5a));
    await driver.writeData(volume.id, GiB - MiB, pattern("secret tail", 0x5b));
    const where = await placement(volume.lvName);
    expect(await rawMiB(where.pv, where.offset)).toBe(sha(pattern("secret head", 0x5a)));
    await driver.deleteVolume(volume.id);
    return { head: await rawMiB(where.pv, where.offset), tail: await rawMiB(where.pv, where.offset + GiB - MiB) };
  }

  it("zeroes the whole volume with volumeClear=zero (the default)", async () => {
    const after = await deleteAndRead("wipe-all", { volumeClear: "zero", volumeClearSizeMib: 0 });
    expect(after).toEqual({ head: ZEROS, tail: ZEROS });
  });

  it("zeroes only the first volumeClearSizeMib MiB when that is set", async () => {
    const after = await deleteAndRead("wipe-head", { volumeClear: "zero", volumeClearSizeMib: 1 });
    expect(after).toEqual({ head: ZEROS, tail: sha(pattern("secret tail", 0x5b)) });
  });

  it("zeroes what a thick snapshot's copy-on-write area saved of its origin when the snapshot is deleted (only its filled part is wiped)", async () => {
    const { backends, driver } = await openLabDriver("wipe-cow", { volumeClear: "zero", volumeClearSizeMib: 0 });
    opened.push(backends);
    const volume = await driver.createVolume({ uuid: newUuid(), name: unique("wipe-origin"), sizeGib: 1, provisioning: "thick" });
    try {
      const secrets = [pattern("secret saved head", 0x6a), pattern("secret saved middle", 0x6b)];
      await driver.writeData(volume.id, 0, secrets[0]!);
      await driver.writeData(volume.id, GiB / 2, secrets[1]!);
      const snapshot = await driver.createSnapshot({ uuid: newUuid(), volumeId: volume.id, name: unique("wipe-snap") });
      const cow = await placement(snapshot.lvName);
      // Overwritten on the origin, the old blocks move into the snapshot's copy-on-write area.
      await driver.writeData(volume.id, 0, pattern("new head", 0x01));
      await driver.writeData(volume.id, GiB / 2, pattern("new middle", 0x02));
      const savedSecrets = async (): Promise<number> =>
        Number(
          (
            await onHostOk(
              `dd if=${cow.pv} bs=1M skip=${cow.offset} count=8 iflag=skip_bytes,direct status=none | grep -a -o -e 'secret saved [a-z]*' | sort -u | wc -l`,
            )
          ).trim(),
        );
      expect(await savedSecrets()).toBe(2);
      await driver.deleteSnapshot(snapshot.id);
      expect(await savedSecrets()).toBe(0);
    } finally {
      await driver.deleteVolume(volume.id);
    }
  });

  it("leaves the data in place with volumeClear=none (so the checks above can fail)", async () => {
    const after = await deleteAndRead("wipe-none", { volumeClear: "none", volumeClearSizeMib: 0 });
    expect(after).toEqual({ head: sha(pattern("secret head", 0x5a)), tail: sha(pattern("secret tail", 0x5b)) });
  });
});
