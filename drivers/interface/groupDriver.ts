import type { Group, GroupSnapshot, GroupSpec, MemberResult, Volume, VolumeId, VolumeSpec } from "./types";

/**
 * Consistency groups. A group snapshot is crash-consistent: if a write to one member completed
 * before a write to another member was issued, no snapshot in the set holds the second
 * without the first. Results are per member, never status strings.
 */
export interface ConsistencyGroupDriver {
  createGroup(spec: GroupSpec): Promise<Group>;
  /** Deletes the group; with `deleteVolumes` also its volumes (each reported). */
  deleteGroup(groupId: string, deleteVolumes: boolean): Promise<Array<MemberResult<void>>>;
  updateGroup(groupId: string, add: VolumeId[], remove: VolumeId[]): Promise<Group>;
  createGroupSnapshot(groupId: string, uuid: string): Promise<GroupSnapshot>;
  deleteGroupSnapshot(groupSnapshotId: string): Promise<Array<MemberResult<void>>>;
  /** A new group whose volumes come from a group snapshot or from another group. */
  createGroupFromSource(
    spec: Omit<GroupSpec, "volumeIds">,
    source: { groupSnapshotId: string } | { groupId: string },
    volumes: VolumeSpec[],
  ): Promise<{ group: Group; volumes: Array<MemberResult<Volume>> }>;
}
