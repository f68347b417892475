import { SnapshotNotFound, VolumeBackendAPIException } from "../../interface/errors";
import type { Group, GroupSource, GroupSpec, MemberResult, Snapshot, Volume } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { createGroupSnapshot, deleteGroupSnapshot, findGroupSnapshot } from "./snapshots";
import { derivedUuid, derivedVolumeName } from "./sets";
import { createGroup } from "./groups";
import { checkVolumeName } from "../model/names";
import { checkUuid } from "../model/tags";
import { createVolumeFromSnapshot } from "../volumes/volumes";

/**
 * Groups made from a source (Cinder's create_group_from_src): one new volume per member of a
 * group snapshot, or per member of a group as of one crash-consistent instant. A group source
 * is first captured by a temporary group snapshot (copying its volumes one by one would not
 * be consistent), which is removed afterwards; a crash leaves it as a group snapshot named
 * `cbtmp-gs-<uuid>` that the retried call reuses and then removes.
 */

export async function createGroupFromSource(
  b: LvmBackend,
  spec: Omit<GroupSpec, "volumeIds">,
  source: GroupSource,
): Promise<{ group: Group; volumes: Array<MemberResult<Volume>> }> {
  checkUuid(spec.uuid);
  const name = spec.name ?? `group-${spec.uuid}`;
  checkVolumeName(name);
  if ("groupSnapshotId" in source) {
    const set = await findGroupSnapshot(b, source.groupSnapshotId);
    if (!set) throw new SnapshotNotFound(source.groupSnapshotId, "no complete group snapshot has this id");
    return fromSnapshots(b, { uuid: spec.uuid, name }, set.snapshots, (snapshot) => snapshot.id);
  }
  const temp = await createGroupSnapshot(b, { uuid: derivedUuid(spec.uuid, "source"), name: `cbtmp-gs-${spec.uuid}`.slice(0, 54), groupId: source.groupId });
  try {
    return await fromSnapshots(b, { uuid: spec.uuid, name }, temp.snapshots, (snapshot) => snapshot.volumeId);
  } finally {
    const removed = await deleteGroupSnapshot(b, temp.id);
    for (const result of removed) if (!result.ok) b.logger.warn(`the temporary group snapshot ${temp.id} was not fully removed: ${result.error.message}`);
  }
}

/** One volume per snapshot (each reported under `sourceIdOf` it), then the group of those that were made. */
async function fromSnapshots(
  b: LvmBackend,
  group: { uuid: string; name: string },
  snapshots: readonly Snapshot[],
  sourceIdOf: (snapshot: Snapshot) => string,
): Promise<{ group: Group; volumes: Array<MemberResult<Volume>> }> {
  const volumes: Array<MemberResult<Volume>> = [];
  for (const snapshot of snapshots) {
    const uuid = derivedUuid(group.uuid, snapshot.uuid);
    const id = sourceIdOf(snapshot);
    try {
      const spec = { uuid, name: derivedVolumeName(group.name, uuid), sizeGib: snapshot.sizeGib, provisioning: snapshot.provisioning, host: snapshot.host };
      volumes.push({ id, ok: true, value: await createVolumeFromSnapshot(b, spec, snapshot.id) });
    } catch (error) {
      volumes.push({ id, ok: false, error: error as Error });
    }
  }
  const made = volumes.flatMap((result) => (result.ok ? [result.value.id] : []));
  if (made.length === 0) {
    const reasons = volumes.map((result) => (result.ok ? "" : `${result.id}: ${result.error.message}`)).join("; ");
    throw new VolumeBackendAPIException(`no volume of group ${group.name} could be made: ${reasons || "the source has no members"}`);
  }
  return { group: await createGroup(b, { uuid: group.uuid, name: group.name, volumeIds: made }), volumes };
}
