import type { Snapshot, SnapshotSpec } from "../../interface/types";
import { VolumeNotFound } from "../../interface/errors";
import type { LvmBackend } from "../core/backend";
import { lvcreateArgv } from "../commands/lvcreate";
import { findLv } from "../commands/lvs";
import { writeLv } from "../core/lvWrite";
import { toSnapshot } from "../model/model";
import { checkDeviceNames, defaultLvName, escapeLvName } from "../model/names";
import { checkDescription, checkUuid, encodeTags } from "../model/tags";
import { reuseOrClear } from "../core/createRecovery";
import { guard } from "../core/errors";
import { locate, lookup, requireOwn } from "../core/lookups";
import { removeSnapshotLv, snapshotRequest } from "../core/snapshotLvs";

/** Snapshot operations of the LVM driver. */

export async function createSnapshot(b: LvmBackend, spec: SnapshotSpec): Promise<Snapshot> {
  checkUuid(spec.uuid);
  if (spec.description) checkDescription(spec.description);
  const lvName = spec.name === undefined ? defaultLvName("snapshot", spec.uuid) : escapeLvName(spec.name);
  const volume = await lookup(b, spec.volumeId, "volume");
  if (!volume) throw new VolumeNotFound(spec.volumeId);
  const { ready, lv: origin } = volume;
  checkDeviceNames(ready.lvm.volumeGroup, lvName);
  return guard(`creating snapshot ${lvName}`, async () => {
    const done = await reuseOrClear(b, ready, lvName, spec.uuid, "snapshot");
    if (done) return toSnapshot(b.placeOf(ready), done.lv, done.tags);
    const tags = encodeTags({ kind: "snapshot", uuid: spec.uuid, description: spec.description, labels: {}, volume: origin.name });
    const request = await snapshotRequest(b, ready, origin, lvName, tags, false);
    const lv = await writeLv(ready.lvm, lvName, { writes: [lvcreateArgv(ready.lvm.volumeGroup, request)], gate: false }).finally(() => b.invalidateStats());
    return toSnapshot(b.placeOf(ready), lv, requireOwn(spec.volumeId, lv, "snapshot"));
  });
}

export async function deleteSnapshot(b: LvmBackend, id: string): Promise<void> {
  const { location, ready } = await locate(b, id, "snapshot");
  await guard(`deleting snapshot ${id}`, async () => {
    const lv = await findLv(ready.lvm, location.lvName);
    if (!lv) return;
    requireOwn(id, lv, "snapshot");
    await removeSnapshotLv(b, ready, lv);
  });
}
