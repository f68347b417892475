import { InvalidInput, VolumeIsBusy } from "../../drivers/interface/errors";
import type { Provisioning } from "../../drivers/interface/types";
import type { Backends } from "../../drivers";
import { GiB, MiB, newUuid, openLabDriver, pattern, type LabDriver } from "./driverSupport";
import { hostLv, hostLvs, unique } from "./support";

/**
 * The data rules of snapshots and copies, checked by reading bytes back: what was written
 * before a snapshot is in it, in the volume made from it and in a clone taken later; what was
 * written after is not.
 */
describe.each(["thin", "thick"] as Provisioning[])("LVM driver %s snapshots and copies on a real host", (provisioning) => {
  let backends: Backends;
  let driver: LabDriver;
  const cleanup: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    ({ backends, driver } = await openLabDriver());
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await backends.close();
  });

  it("keeps each copy's data to what existed when it was taken", async () => {
    const origin = await driver.createVolume({ uuid: newUuid(), name: unique(`origin-${provisioning}`), sizeGib: 1, provisioning });
    cleanup.push(() => driver.deleteVolume(origin.id));
    const A = pattern("A before the snapshot", 0xa1);
    const tailA = pattern("A at the end", 0xa2);
    const B = pattern("B after the snapshot", 0xb1);
    const C = pattern("C after the clone", 0xc1);
    await driver.writeData(origin.id, 0, A);
    await driver.writeData(origin.id, GiB - MiB, tailA);

    const snapshot = await driver.createSnapshot({ uuid: newUuid(), volumeId: origin.id, name: unique("snap") });
    cleanup.push(() => driver.deleteSnapshot(snapshot.id));
    expect(snapshot).toMatchObject({ volumeId: origin.id, sizeGib: 1, provisioning });
    const snapLv = await hostLv(snapshot.lvName);
    expect(snapLv?.origin).toBe(origin.lvName);
    expect(snapLv?.tags).toEqual(expect.arrayContaining(["cinderblock", "cb.kind=snapshot", `cb.volume=${origin.lvName}`]));

    await driver.writeData(origin.id, 0, B);
    expect(await driver.readData({ snapshotId: snapshot.id }, 0, MiB)).toEqual(A);
    expect(await driver.readData({ snapshotId: snapshot.id }, GiB - MiB, MiB)).toEqual(tailA);

    // A volume from the snapshot, larger than it: the snapshot's data, then the extra space.
    const fromSnap = await driver.createVolumeFromSnapshot({ uuid: newUuid(), name: unique("fromsnap"), sizeGib: 2 }, snapshot.id);
    cleanup.push(() => driver.deleteVolume(fromSnap.id));
    expect(fromSnap).toMatchObject({ sizeGib: 2, provisioning, source: { kind: "snapshot", id: snapshot.id } });
    expect((await hostLv(fromSnap.lvName))!.sizeBytes).toBe(2 * GiB);
    expect(await driver.readData({ volumeId: fromSnap.id }, 0, MiB)).toEqual(A);
    expect(await driver.readData({ volumeId: fromSnap.id }, GiB - MiB, MiB)).toEqual(tailA);

    // A clone taken now holds B; a write to the origin after the clone does not reach it.
    const clone = await driver.createClonedVolume({ uuid: newUuid(), name: unique("clone"), sizeGib: 1 }, origin.id);
    cleanup.push(() => driver.deleteVolume(clone.id));
    await driver.writeData(origin.id, 0, C);
    expect(await driver.readData({ volumeId: clone.id }, 0, MiB)).toEqual(B);
    expect(await driver.readData({ volumeId: clone.id }, GiB - MiB, MiB)).toEqual(tailA);
    expect(await driver.readData({ volumeId: origin.id }, 0, MiB)).toEqual(C);

    // Copies are independent: writing to one changes no other.
    await driver.writeData(fromSnap.id, 0, C);
    expect(await driver.readData({ snapshotId: snapshot.id }, 0, MiB)).toEqual(A);

    // No temporary LV is left behind by the clone.
    expect((await hostLvs()).filter((lv) => lv.name.startsWith("cbtmp-") || lv.tags.includes("cb.kind=temp"))).toEqual([]);

    // The origin cannot go while its snapshot exists; the refusal names the snapshot.
    const busy = await driver.deleteVolume(origin.id).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(VolumeIsBusy);
    expect((busy as VolumeIsBusy).snapshotIds).toEqual([snapshot.id]);
    expect(await hostLv(origin.lvName)).toBeDefined();
  });

  it("refuses a volume from a snapshot that is smaller than the snapshot", async () => {
    const origin = await driver.createVolume({ uuid: newUuid(), name: unique("small-src"), sizeGib: 2, provisioning });
    cleanup.push(() => driver.deleteVolume(origin.id));
    const snapshot = await driver.createSnapshot({ uuid: newUuid(), volumeId: origin.id });
    cleanup.push(() => driver.deleteSnapshot(snapshot.id));
    const before = await hostLvs();
    await expect(driver.createVolumeFromSnapshot({ uuid: newUuid(), sizeGib: 1 }, snapshot.id)).rejects.toThrow(InvalidInput);
    await expect(driver.createVolumeFromSnapshot({ uuid: newUuid(), sizeGib: 2, host: "lab-9" }, snapshot.id)).rejects.toThrow(InvalidInput);
    expect(await hostLvs()).toEqual(before);
  });
});
