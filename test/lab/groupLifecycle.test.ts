import type { Backends } from "../../drivers";
import { InvalidInput, VolumeNotFound } from "../../drivers/interface/errors";
import type { Group, GroupSnapshot, Volume } from "../../drivers/interface/types";
import { gateName } from "../../drivers/lvm/model/names";
import { MiB, newUuid, pattern } from "./driverSupport";
import { gateStates, lvsTagged, openGroupDriver, type GroupLabDriver } from "./groupSupport";
import { hostLv, hostLvs, unique } from "./support";

const VG = "cinder-volumes";
/** Every LVM command takes seconds on an emulated host shared with other guests. */
jest.setTimeout(20 * 60_000);

/**
 * Consistency groups on a real host, each step checked with LVM's own `lvs` and dmsetup: a
 * group is tags on its volumes; a group snapshot is a set of normal snapshots holding what was
 * written before it and nothing after; volumes and groups can be made from it; deletes leave
 * nothing behind. Two thin members and one thick, so both snapshot kinds take part.
 */
describe("consistency groups of the LVM driver on a real host", () => {
  let backends: Backends;
  let driver: GroupLabDriver;
  const volumes: Volume[] = [];
  let group: Group;
  let set: GroupSnapshot;
  const cleanup: Array<() => Promise<unknown>> = [];
  const before = (index: number) => pattern(`member ${index} before the group snapshot`, 0x10 + index);
  const after = (index: number) => pattern(`member ${index} after the group snapshot`, 0x20 + index);

  beforeAll(async () => {
    ({ backends, driver } = await openGroupDriver());
    for (const provisioning of ["thin", "thin", "thick"] as const) {
      const volume = await driver.createVolume({ uuid: newUuid(), name: unique(`gm-${provisioning}`), sizeGib: 1, provisioning });
      cleanup.push(() => driver.deleteVolume(volume.id));
      volumes.push(volume);
    }
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await backends.close();
  });

  it("creates a group as tags on its volumes, idempotently, and finds and lists it", async () => {
    const uuid = newUuid();
    const name = unique("grp");
    const ids = [volumes[0]!.id, volumes[1]!.id];
    group = await driver.createGroup({ uuid, name, volumeIds: [...ids].reverse() });
    cleanup.push(() => driver.deleteGroup(group.id, false));
    expect(group).toEqual({ id: `lab/lab-1/${VG}/${name}`, uuid, name, backend: "lab", host: "lab-1", volumeGroup: VG, volumeIds: [...ids].sort() });
    for (const volume of volumes.slice(0, 2)) {
      expect((await hostLv(volume.lvName))?.tags).toEqual(expect.arrayContaining([`cb.group=${name}`, `cb.group-uuid=${uuid}`]));
    }
    expect((await hostLv(volumes[2]!.lvName))?.tags.some((tag) => tag.startsWith("cb.group"))).toBe(false);
    expect(await driver.createGroup({ uuid, name, volumeIds: ids })).toEqual(group);
    expect(await driver.findGroup(group.id)).toEqual(group);
    expect(await driver.listGroups()).toContainEqual(group);
  });

  it("refuses members on another host, in another group, or none at all, changing nothing", async () => {
    const tagsBefore = (await hostLvs()).map((lv) => [lv.name, lv.tags]);
    const elsewhere = `lab/lab-2/${VG}/some-volume`;
    const error = await driver.createGroup({ uuid: newUuid(), volumeIds: [volumes[2]!.id, elsewhere] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as Error).message).toMatch(/must all be on one host/);
    await expect(driver.createGroup({ uuid: newUuid(), volumeIds: [volumes[0]!.id, volumes[2]!.id] })).rejects.toThrow(/already in group/);
    await expect(driver.createGroup({ uuid: newUuid(), volumeIds: [] })).rejects.toThrow(InvalidInput);
    await expect(driver.createGroup({ uuid: newUuid(), volumeIds: [`lab/lab-1/${VG}/no-such-volume`] })).rejects.toThrow(VolumeNotFound);
    await expect(driver.updateGroup(group.id, [elsewhere], [])).rejects.toThrow(/must all be on one host/);
    expect((await hostLvs()).map((lv) => [lv.name, lv.tags])).toEqual(tagsBefore);
  });

  it("adds and removes members in place, never leaving a group empty, and keeps membership through updateVolume", async () => {
    const [a, b, c] = volumes as [Volume, Volume, Volume];
    group = await driver.updateGroup(group.id, [c.id], [b.id]);
    expect(group.volumeIds).toEqual([a.id, c.id].sort());
    expect((await hostLv(b.lvName))?.tags.some((tag) => tag.startsWith("cb.group"))).toBe(false);
    expect((await hostLv(c.lvName))?.tags).toContain(`cb.group=${group.name}`);
    await expect(driver.updateGroup(group.id, [], [a.id, c.id])).rejects.toThrow(/no volumes left/);
    group = await driver.updateGroup(group.id, [b.id, c.id], []);
    expect(group.volumeIds).toEqual(volumes.map((volume) => volume.id).sort());
    await driver.updateVolume(a.id, { description: "a group member" });
    expect((await hostLv(a.lvName))?.tags).toEqual(expect.arrayContaining([`cb.group=${group.name}`, `cb.group-uuid=${group.uuid}`]));
  });

  it("takes a group snapshot of normal snapshots holding the writes before it and none after", async () => {
    for (const [index, volume] of volumes.entries()) await driver.writeData(volume.id, 0, before(index));
    const uuid = newUuid();
    set = await driver.createGroupSnapshot({ uuid, groupId: group.id });
    cleanup.push(() => driver.deleteGroupSnapshot(set.id));
    expect(set).toMatchObject({ uuid, name: `gsnap-${uuid}`, groupId: group.id, host: "lab-1" });
    expect(set.ioPauseMs).toBeGreaterThan(0);
    expect(set.snapshots.map((snapshot) => snapshot.volumeId)).toEqual(group.volumeIds);
    expect(set.snapshots.map((snapshot) => snapshot.provisioning).sort()).toEqual(["thick", "thin", "thin"]);
    for (const snapshot of set.snapshots) {
      const lv = await hostLv(snapshot.lvName);
      expect(lv?.origin).toBe(snapshot.volumeId.split("/")[3]);
      expect(lv?.tags).toEqual(
        expect.arrayContaining(["cinderblock", "cb.kind=snapshot", `cb.gsnap=${set.name}`, `cb.gsnap-uuid=${uuid}`, "cb.gsnap-complete"]),
      );
      expect(lv?.tags).not.toContain("cb.incomplete");
    }
    const gates = await gateStates();
    for (const volume of volumes) expect(gates.get(gateName(VG, volume.lvName))).toBe("Active");

    for (const [index, volume] of volumes.entries()) await driver.writeData(volume.id, 0, after(index));
    for (const snapshot of set.snapshots) {
      const index = volumes.findIndex((volume) => volume.id === snapshot.volumeId);
      expect(await driver.readData({ snapshotId: snapshot.id }, 0, MiB)).toEqual(before(index));
      expect(await driver.findSnapshot(snapshot.id)).toMatchObject({ id: snapshot.id, volumeId: snapshot.volumeId });
    }
    // A retry with the same uuid returns the set; it takes no second one.
    const count = (await lvsTagged("cb.gsnap")).length;
    expect((await driver.createGroupSnapshot({ uuid, groupId: group.id })).id).toBe(set.id);
    expect((await lvsTagged("cb.gsnap")).length).toBe(count);
    expect(await driver.findGroupSnapshot(set.id)).toEqual({ ...set, ioPauseMs: undefined });
    expect((await driver.listGroupSnapshots()).map((listed) => listed.id)).toContain(set.id);
  });

  it("makes a volume from one member's snapshot, as from any snapshot", async () => {
    const snapshot = set.snapshots.find((candidate) => candidate.provisioning === "thin")!;
    const index = volumes.findIndex((volume) => volume.id === snapshot.volumeId);
    const restored = await driver.createVolumeFromSnapshot({ uuid: newUuid(), name: unique("from-member"), sizeGib: 1 }, snapshot.id);
    cleanup.push(() => driver.deleteVolume(restored.id));
    expect(restored.source).toEqual({ kind: "snapshot", id: snapshot.id });
    expect(await driver.readData({ volumeId: restored.id }, 0, MiB)).toEqual(before(index));
  });

  describe("groups made from a source", () => {
    // Thin members only: a thick member's volume is a whole block copy, minutes under emulation.
    let thinSet: GroupSnapshot;

    beforeAll(async () => {
      group = await driver.updateGroup(group.id, [], [volumes[2]!.id]);
      thinSet = await driver.createGroupSnapshot({ uuid: newUuid(), groupId: group.id, name: unique("thin-set") });
    });
    afterAll(async () => {
      await driver.deleteGroupSnapshot(thinSet.id);
    });

    it("makes a group from a group snapshot, one volume per member with its data", async () => {
      const uuid = newUuid();
      const made = await driver.createGroupFromSource({ uuid, name: unique("from-gsnap") }, { groupSnapshotId: thinSet.id });
      cleanup.push(() => driver.deleteGroup(made.group.id, true));
      expect(made.volumes.map((result) => result.ok)).toEqual([true, true]);
      expect(made.volumes.map((result) => result.id).sort()).toEqual(thinSet.snapshots.map((snapshot) => snapshot.id).sort());
      expect(made.group.volumeIds).toHaveLength(2);
      for (const result of made.volumes) {
        if (!result.ok) continue;
        const source = thinSet.snapshots.find((snapshot) => snapshot.id === result.id)!;
        const index = volumes.findIndex((volume) => volume.id === source.volumeId);
        expect(result.value).toMatchObject({ provisioning: "thin", sizeGib: 1, source: { kind: "snapshot", id: source.id } });
        expect(result.value.uuid.startsWith(`${uuid}-`)).toBe(true);
        expect(await driver.readData({ volumeId: result.value.id }, 0, MiB)).toEqual(after(index));
        expect((await hostLv(result.value.lvName))?.tags).toContain(`cb.group=${made.group.name}`);
      }
      // A retry (same uuid) finds what the first call made.
      const again = await driver.createGroupFromSource({ uuid, name: made.group.name }, { groupSnapshotId: thinSet.id });
      expect(again.group).toEqual(made.group);
      // The group owns its volumes: they can go with it.
      const results = await driver.deleteGroup(made.group.id, true);
      expect(results.every((result) => result.ok)).toBe(true);
      for (const id of made.group.volumeIds) expect(await hostLv(id.split("/")[3]!)).toBeUndefined();
    });

    it("makes a group from another group as of one instant, through a temporary group snapshot it removes", async () => {
      for (const [index, volume] of volumes.slice(0, 2).entries()) await driver.writeData(volume.id, MiB, before(index));
      const made = await driver.createGroupFromSource({ uuid: newUuid(), name: unique("from-group") }, { groupId: group.id });
      cleanup.push(() => driver.deleteGroup(made.group.id, true));
      expect(made.volumes.map((result) => result.id).sort()).toEqual([...group.volumeIds].sort());
      for (const result of made.volumes) {
        if (!result.ok) throw result.error;
        const index = volumes.findIndex((volume) => volume.id === result.id);
        expect(await driver.readData({ volumeId: result.value.id }, MiB, MiB)).toEqual(before(index));
      }
      expect((await lvsTagged("cb.gsnap")).filter((lv) => lv.tags.some((tag) => tag.startsWith("cb.gsnap=cbtmp-")))).toEqual([]);
      await driver.deleteGroup(made.group.id, true);
    });
  });

  it("refuses to delete a group that has group snapshots, then deletes the set and the group, keeping its volumes", async () => {
    await expect(driver.deleteGroup(group.id, false)).rejects.toThrow(/has 1 group snapshot/);
    const removed = await driver.deleteGroupSnapshot(set.id);
    expect(removed.map((result) => result.ok)).toEqual([true, true, true]);
    expect(await lvsTagged(`cb.gsnap=${set.name}`)).toEqual([]);
    expect(await driver.findGroupSnapshot(set.id)).toBeUndefined();
    expect(await driver.deleteGroupSnapshot(set.id)).toEqual([]);

    const results = await driver.deleteGroup(group.id, false);
    expect(results.map((result) => result.id).sort()).toEqual([...group.volumeIds].sort());
    for (const volume of volumes) {
      const lv = await hostLv(volume.lvName);
      expect(lv).toBeDefined();
      expect(lv?.tags.some((tag) => tag.startsWith("cb.group"))).toBe(false);
    }
    expect(await driver.findGroup(group.id)).toBeUndefined();
    expect(await driver.deleteGroup(group.id, false)).toEqual([]);
  });
});
