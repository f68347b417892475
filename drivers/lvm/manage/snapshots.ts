import { InvalidInput, SnapshotNotFound, VolumeAlreadyExists } from "../../interface/errors";
import { ManageExistingMismatch, type ManageOptions } from "../../interface/manageableDriver";
import type { ExistingRef, ManageSnapshotSpec, Snapshot } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { changeTags } from "../commands/lvchange";
import { lvrename } from "../commands/lvrename";
import { findLv } from "../commands/lvs";
import { parseId } from "../model/ids";
import { adoptedLvName, adoptionTarget, asAdopted, checkRenameFree, refusal, releasable, retag } from "./manage";
import { assessSnapshot, plainName } from "./assess";
import { idOf } from "./refs";
import { toSnapshot } from "../model/model";
import { checkVolumeName } from "../model/names";
import { checkDescription, checkUuid, encodeTags, ownTagKey } from "../model/tags";
import { guard } from "../core/errors";
import { requireOwn } from "../core/lookups";

/**
 * Adopting existing snapshot LVs (thick snapshots, and thin LVs taken of another) and releasing
 * them (SnapshotManagementDriver). Snapshots have no gate: adopting is tagging, plus a rename
 * when the backend sets `manageRename`. The snapshot's volume need not be managed.
 */

function checkSpec(b: LvmBackend, spec: ManageSnapshotSpec): string | undefined {
  checkUuid(spec.uuid);
  if (spec.name !== undefined) checkVolumeName(spec.name);
  if (spec.description) checkDescription(spec.description);
  if (spec.volumeId === undefined) return undefined;
  const volume = parseId(spec.volumeId, "volume");
  if (volume.backend !== b.name) throw new InvalidInput(`volume ${spec.volumeId} belongs to backend '${volume.backend}', not '${b.name}'`);
  return volume.host;
}

export async function manageExistingSnapshot(b: LvmBackend, spec: ManageSnapshotSpec, ref: ExistingRef, options: ManageOptions = {}): Promise<Snapshot> {
  // A snapshot is on its volume's host, so the volume id tells where to look.
  const volumeHost = checkSpec(b, spec);
  const { match, resumed, refName } = await adoptionTarget(b, ref, spec.uuid, "snapshot", { host: volumeHost, preview: options.preview });
  const { ready, lv } = match;
  const id = idOf(b, match, plainName(lv));
  const lvName = adoptedLvName(b, refName, spec.name, `snapshot-${spec.uuid}`);
  if (resumed && lv.name !== refName && lv.name !== lvName) {
    throw new VolumeAlreadyExists(`uuid ${spec.uuid} already belongs to snapshot ${id}, not to ${refName}`);
  }
  if (!resumed) {
    const problems = assessSnapshot(lv, match.lvs).problems.filter((problem) => problem.code !== "badName" || lvName === lv.name);
    if (problems.length > 0) throw refusal(id, "snapshot", problems);
  }
  const volumeId = b.idOf(ready, lv.origin ?? "");
  if (spec.volumeId !== undefined && spec.volumeId !== volumeId) {
    throw new ManageExistingMismatch(id, [{ property: "volumeId", existing: volumeId, declared: spec.volumeId }]);
  }
  if (lvName !== lv.name && !resumed) checkRenameFree(match, lvName);
  const tags = encodeTags({ kind: "snapshot", uuid: spec.uuid, description: spec.description, labels: {}, volume: lv.origin });
  if (options.preview) {
    const adopted = asAdopted(lv, lvName, tags);
    return toSnapshot(b.placeOf(ready), adopted.lv, adopted.tags);
  }
  return guard(`adopting ${id}`, async () => {
    // No gate hangs on a snapshot, so a crash between tagging and renaming needs no guard: the retry finds it by uuid.
    await retag(ready, lv, tags);
    if (lvName !== lv.name) await lvrename(ready.lvm, lv.name, lvName);
    const adopted = await findLv(ready.lvm, lvName);
    if (!adopted) throw new SnapshotNotFound(b.idOf(ready, lvName), "it vanished while being adopted");
    b.invalidateStats();
    return toSnapshot(b.placeOf(ready), adopted, requireOwn(id, adopted, "snapshot"));
  });
}

export async function unmanageSnapshot(b: LvmBackend, id: string): Promise<void> {
  const found = await releasable(b, id, "snapshot");
  if (!found) return;
  await guard(`releasing ${id}`, () => changeTags(found.ready.lvm, found.lv.name, { remove: found.lv.tags.filter(ownTagKey) }));
  b.invalidateStats();
}
