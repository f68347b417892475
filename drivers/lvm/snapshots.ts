import type { Snapshot, SnapshotSpec } from "../interface/types";
import { VolumeNotFound } from "../interface/errors";
import type { LvmBackend } from "./backend";
import { lvcreateArgv } from "./commands/lvcreate";
import { findLv } from "./commands/lvs";
import { writeLv } from "./lvWrite";
import { toSnapshot } from "./model";
import { checkDeviceNames, defaultLvName, escapeLvName } from "./names";
import { checkDescription, checkUuid, encodeTags } from "./tags";

/** Snapshot operations of the LVM driver. */

export async function createSnapshot(b: LvmBackend, spec: SnapshotSpec): Promise<Snapshot> {
  checkUuid(spec.uuid);
  if (spec.description) checkDescription(spec.description);
  const lvName = spec.name === undefined ? defaultLvName("snapshot", spec.uuid) : escapeLvName(spec.name);
  const volume = await b.lookup(spec.volumeId, "volume");
  if (!volume) throw new VolumeNotFound(spec.volumeId);
  const { ready, lv: origin } = volume;
  checkDeviceNames(ready.lvm.volumeGroup, lvName);
  return b.guard(`creating snapshot ${lvName}`, async () => {
    const done = await b.reuseOrClear(ready, lvName, spec.uuid, "snapshot");
    if (done) return toSnapshot(b.placeOf(ready), done.lv, done.tags);
    const tags = encodeTags({ kind: "snapshot", uuid: spec.uuid, description: spec.description, labels: {}, volume: origin.name });
    const request = await b.snapshotRequest(ready, origin, lvName, tags, false);
    const lv = await writeLv(ready.lvm, lvName, { writes: [lvcreateArgv(ready.lvm.volumeGroup, request)], gate: false }).finally(() => b.invalidateStats());
    return toSnapshot(b.placeOf(ready), lv, b.requireOwn(spec.volumeId, lv, "snapshot"));
  });
}

export async function deleteSnapshot(b: LvmBackend, id: string): Promise<void> {
  const { location, ready } = await b.locate(id, "snapshot");
  await b.guard(`deleting snapshot ${id}`, async () => {
    const lv = await findLv(ready.lvm, location.lvName);
    if (!lv) return;
    b.requireOwn(id, lv, "snapshot");
    await b.removeSnapshotLv(ready, lv);
  });
}
