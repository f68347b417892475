import { createHash } from "node:crypto";
import type { Backends } from "../../drivers";
import type { DriverWith } from "../../drivers/interface/capabilities";
import { InvalidInput, ManageExistingAlreadyManaged, ManageExistingInvalidReference, VolumeIsBusy } from "../../drivers/interface/errors";
import { ManageExistingMismatch } from "../../drivers/interface/manageableDriver";
import type { ManageableVolume, Snapshot, Volume } from "../../drivers/interface/types";
import { gateName } from "../../drivers/lvm/model/names";
import { MiB, newUuid, openLabDriver } from "./driverSupport";
import { byHand, dev, fillRandom, POOL, removeByHand, sha256, tagsOf, VG } from "./manageSupport";
import { holdOpen, hostDmTable, hostLv, hostLvs, unique } from "./support";

/**
 * Issue 7, point 5: LVs made by hand with lvcreate (thick with a thick snapshot, thin, one held
 * open) are listed, adopted, managed like any other, then released with their data intact;
 * unsafe candidates are refused with their reason, and nothing is adopted twice. Every effect is
 * checked on the host with LVM's own tools.
 */
type ManageDriver = DriverWith<"core" | "dataAccess" | "manage" | "listManageable" | "manageSnapshots">;

const thick = unique("hand-thick");
const thickSnap = unique("hand-tsnap");
const thin = unique("hand-thin");
const open = unique("hand-open");
const renamed = { from: unique("hand-old"), to: unique("hand-new") };
/**
 * Hand-made LVs are 64 MiB (1 GiB once rounded up, as Cinder sizes them), with 4 MiB of random
 * data at their start: hashing on an emulated host takes about a second per MiB.
 */
const LV_MIB = 64;
const DATA_MIB = 4;

let backends: Backends;
let driver: ManageDriver;
let release: () => Promise<void> = async () => undefined;
const before: Record<string, string> = {};
let managed: Volume;
/** What the adoption tests adopted, for the tests after them. */
const adopted: { thick?: Volume; thin?: Volume; snapshot?: Snapshot } = {};

beforeAll(async () => {
  ({ backends } = await openLabDriver());
  for (const capability of ["manage", "listManageable", "manageSnapshots"] as const) await backends.withCapability("lab", capability);
  driver = (await backends.withCapability("lab", "manage")) as ManageDriver;
  await driver.checkForSetupError(); // makes the backend's thin pool, for the thin LV below
  await byHand(
    `lvcreate -q -y -L ${LV_MIB}m -n ${thick} --addtag owner=ops ${VG()}`,
    `lvcreate -q -y -T ${VG()}/${POOL()} -V ${LV_MIB}m -n ${thin}`,
    `lvcreate -q -y -L 8m -n ${open} ${VG()}`,
  );
  await Promise.all([fillRandom(thick, DATA_MIB), fillRandom(thin, DATA_MIB)]);
  // The snapshot is as large as its origin (a smaller one is refused, see the unit tests) and holds the data.
  await byHand(`lvcreate -q -y -s -L ${LV_MIB}m -n ${thickSnap} ${VG()}/${thick}`);
  for (const lv of [thick, thin, thickSnap]) before[lv] = await sha256(dev(lv), DATA_MIB);
  release = await holdOpen(dev(open));
  managed = await driver.createVolume({ uuid: newUuid(), name: unique("managed"), sizeGib: 1, provisioning: "thin" });
});

afterAll(async () => {
  await release();
  if (managed) await driver.deleteVolume(managed.id).catch(() => undefined);
  await removeByHand(thickSnap, thick, thin, open, renamed.from, renamed.to);
  await backends?.close();
});

const idOf = (lv: string): string => `lab/lab-1/${VG()}/${lv}`;
const byId = <T extends ManageableVolume>(list: T[], lv: string): T | undefined => list.find((candidate) => candidate.id === idOf(lv));

describe("manageable listings of a host with hand-made LVs", () => {
  it("lists the hand-made LVs as safe, sized in whole GiB rounded up, with what is worth knowing", async () => {
    const volumes = await driver.getManageableVolumes();
    expect(byId(volumes, thick)).toEqual({
      reference: { sourceName: thick, host: "lab-1" },
      id: idOf(thick),
      sizeGib: 1,
      sizeBytes: LV_MIB * MiB,
      provisioning: "thick",
      safeToManage: true,
      extraInfo: `has thick snapshot(s) ${thickSnap}`,
    });
    expect(byId(volumes, thin)).toMatchObject({ sizeGib: 1, provisioning: "thin", safeToManage: true });
    // A thick snapshot is a snapshot candidate only.
    expect(byId(volumes, thickSnap)).toBeUndefined();
    const snapshots = await driver.getManageableSnapshots();
    expect(byId(snapshots, thickSnap)).toMatchObject({ safeToManage: true, sourceReference: { sourceName: thick, host: "lab-1" }, provisioning: "thick" });
  });

  it("lists the unsafe ones with their reasons: an open LV, the thin pool, a volume cinderblock already manages", async () => {
    const volumes = await driver.getManageableVolumes();
    expect(byId(volumes, open)).toMatchObject({ safeToManage: false, reasonNotSafe: expect.stringMatching(/^in use: its device is open/) });
    expect(byId(volumes, POOL())).toMatchObject({ safeToManage: false, reasonNotSafe: "a thin pool: it holds thin volumes and is not one itself" });
    expect(byId(volumes, managed.lvName)).toMatchObject({
      safeToManage: false,
      cinderId: managed.uuid,
      reasonNotSafe: `already managed by cinderblock as volume ${managed.uuid}`,
    });
  });

  it("narrows the listing to one reference", async () => {
    expect(await driver.getManageableVolumes({ sourceId: idOf(thin) })).toEqual([byId(await driver.getManageableVolumes(), thin)]);
    expect(await driver.getManageableVolumes({ sourceName: "no-such-lv", host: "lab-1" })).toEqual([]);
  });
});

describe("adopting", () => {
  it("refuses unsafe candidates with their reason, and a mismatch with every difference, changing nothing", async () => {
    const lvsBefore = await hostLvs();
    await expect(driver.manageExisting({ uuid: newUuid() }, { sourceName: open })).rejects.toThrow(VolumeIsBusy);
    await expect(driver.manageExisting({ uuid: newUuid() }, { sourceName: POOL() })).rejects.toThrow(/a thin pool/);
    await expect(driver.manageExisting({ uuid: newUuid() }, { sourceId: managed.id })).rejects.toThrow(ManageExistingAlreadyManaged);
    await expect(driver.manageExisting({ uuid: newUuid() }, { sourceName: thickSnap })).rejects.toThrow(/adopt it as a snapshot/);
    await expect(driver.manageExisting({ uuid: newUuid() }, { sourceName: "no-such-lv" })).rejects.toThrow(ManageExistingInvalidReference);
    const mismatch = await driver.manageExisting({ uuid: newUuid(), sizeGib: 5, provisioning: "thin" }, { sourceName: thick }).catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(ManageExistingMismatch);
    expect((mismatch as ManageExistingMismatch).differences).toEqual([
      { property: "sizeGib", existing: 1, declared: 5 },
      { property: "provisioning", existing: "thick", declared: "thin" },
    ]);
    // Renaming is off by default: asking for another name is refused before anything runs.
    await expect(driver.manageExisting({ uuid: newUuid(), name: "another-name" }, { sourceName: thick })).rejects.toThrow(InvalidInput);
    expect(await hostLvs()).toEqual(lvsBefore);
  });

  it("adopts a thick LV by name and a thin one by path: tags, a gate over each, foreign tags kept, data untouched", async () => {
    expect(await driver.manageExistingGetSize({ sourceName: thick })).toBe(1);
    const thickUuid = newUuid();
    const thickVolume = await driver.manageExisting({ uuid: thickUuid, sizeGib: 1, provisioning: "thick", labels: { app: "legacy" } }, { sourceName: thick });
    const thinVolume = await driver.manageExisting({ uuid: newUuid(), description: "adopted" }, { sourcePath: dev(thin) });
    expect(thickVolume).toMatchObject({ id: idOf(thick), uuid: thickUuid, name: thick, sizeGib: 1, provisioning: "thick", labels: { app: "legacy" } });
    expect(thinVolume).toMatchObject({ id: idOf(thin), provisioning: "thin", description: "adopted" });
    expect(await tagsOf(thick)).toEqual(["cb.kind=volume", "cb.label.app=legacy", `cb.uuid=${thickUuid}`, "cinderblock", "owner=ops"]);
    for (const volume of [thickVolume, thinVolume]) {
      expect(volume.devicePath).toBe(`/dev/mapper/${gateName(VG(), volume.lvName)}`);
      expect(await hostDmTable(gateName(VG(), volume.lvName))).toMatch(new RegExp(`^0 ${(LV_MIB * MiB) / 512} linear \\d+:\\d+ 0$`));
      expect(await sha256(dev(volume.lvName), DATA_MIB)).toBe(before[volume.lvName]);
    }
    expect((await driver.listVolumes()).map((volume) => volume.id)).toEqual(expect.arrayContaining([thickVolume.id, thinVolume.id]));
    Object.assign(adopted, { thick: thickVolume, thin: thinVolume });
  });

  it("does not adopt a volume twice, and a retry with the same uuid returns it unchanged", async () => {
    await expect(driver.manageExisting({ uuid: newUuid() }, { sourceName: thick })).rejects.toThrow(
      `cannot adopt ${idOf(thick)} as a volume: already managed by cinderblock as volume ${adopted.thick!.uuid}`,
    );
    const tags = await tagsOf(thick);
    expect(await driver.manageExisting({ uuid: adopted.thick!.uuid, labels: { app: "legacy" } }, { sourceName: thick })).toEqual(adopted.thick);
    expect(await tagsOf(thick)).toEqual(tags);
  });

  it("adopts the thick snapshot as a snapshot of the adopted volume", async () => {
    const snapshot = await driver.manageExistingSnapshot({ uuid: newUuid(), volumeId: adopted.thick!.id }, { sourceName: thickSnap });
    expect(snapshot).toMatchObject({ id: idOf(thickSnap), volumeId: adopted.thick!.id, provisioning: "thick", sizeGib: 1 });
    expect(await driver.findSnapshot(snapshot.id)).toEqual(snapshot);
    expect(await sha256(dev(thickSnap), DATA_MIB)).toBe(before[thickSnap]);
    adopted.snapshot = snapshot;
  });
});

describe("adopted volumes are managed like any other", () => {
  it("extends the thin one online, gate included", async () => {
    const grown = await driver.extendVolume(adopted.thin!.id, 2);
    expect(grown.sizeBytes).toBe(2 * 1024 * MiB);
    expect((await hostLv(thin))?.sizeBytes).toBe(2 * 1024 * MiB);
    expect(await hostDmTable(gateName(VG(), thin))).toMatch(new RegExp(`^0 ${(2 * 1024 * MiB) / 512} linear`));
  });

  it("snapshots both, and makes a volume from the adopted snapshot holding the hand-written data", async () => {
    for (const volume of [adopted.thick!, adopted.thin!]) {
      const snapshot = await driver.createSnapshot({ uuid: newUuid(), volumeId: volume.id });
      expect((await hostLv(snapshot.lvName))?.origin).toBe(volume.lvName);
      await driver.deleteSnapshot(snapshot.id);
    }
    const restored = await driver.createVolumeFromSnapshot(
      { uuid: newUuid(), name: unique("restored"), sizeGib: 1, provisioning: "thick" },
      adopted.snapshot!.id,
    );
    try {
      const copied = await driver.readData({ volumeId: restored.id }, 0, DATA_MIB * MiB);
      expect(createHash("sha256").update(copied).digest("hex")).toBe(before[thickSnap]);
    } finally {
      await driver.deleteVolume(restored.id);
    }
  });
});

describe("releasing", () => {
  it("refuses to release a volume whose device is open, changing nothing", async () => {
    const letGo = await holdOpen(adopted.thick!.devicePath);
    try {
      const tags = await tagsOf(thick);
      await expect(driver.unmanage(adopted.thick!.id)).rejects.toThrow(VolumeIsBusy);
      expect(await tagsOf(thick)).toEqual(tags);
      expect(await hostDmTable(gateName(VG(), thick))).toBeDefined();
    } finally {
      await letGo();
    }
  });

  it("releases snapshot and volumes: the LVs stay with their data, only cinderblock's tags and the gates go", async () => {
    await driver.unmanageSnapshot(adopted.snapshot!.id);
    await driver.unmanage(adopted.thick!.id);
    await driver.unmanage(adopted.thin!.id);
    expect(await tagsOf(thick)).toEqual(["owner=ops"]);
    expect(await tagsOf(thin)).toEqual([]);
    expect(await tagsOf(thickSnap)).toEqual([]);
    for (const lv of [thick, thin]) expect(await hostDmTable(gateName(VG(), lv))).toBeUndefined();
    for (const lv of [thick, thin, thickSnap]) expect(await sha256(dev(lv), DATA_MIB)).toBe(before[lv]);
    expect(await driver.findVolume(adopted.thick!.id)).toBeUndefined();
    expect(byId(await driver.getManageableVolumes(), thick)).toMatchObject({ safeToManage: true });
    // Releasing what is already released is no error.
    await driver.unmanage(adopted.thick!.id);
    await driver.unmanageSnapshot(adopted.snapshot!.id);
  });
});

describe("renaming on adoption", () => {
  it("renames only where the backend sets manageRename, to the name asked for", async () => {
    await byHand(`lvcreate -q -y -L 8m -n ${renamed.from} ${VG()}`);
    const { backends: renaming } = await openLabDriver("labrename", { manageRename: true });
    try {
      const manager = (await renaming.withCapability("labrename", "manage")) as ManageDriver;
      const volume = await manager.manageExisting({ uuid: newUuid(), name: renamed.to }, { sourceName: renamed.from });
      expect(volume).toMatchObject({ id: `labrename/lab-1/${VG()}/${renamed.to}`, lvName: renamed.to });
      expect(await hostLv(renamed.from)).toBeUndefined();
      expect(await tagsOf(renamed.to)).toContain("cinderblock");
      expect(await hostDmTable(gateName(VG(), renamed.to))).toBeDefined();
      await manager.unmanage(volume.id);
      expect(await tagsOf(renamed.to)).toEqual([]);
    } finally {
      await renaming.close();
    }
  });
});
