import { VolumeBackendAPIException } from "./errors";
import type { Group, GroupId, GroupSnapshot, GroupSnapshotId, GroupSnapshotSpec, GroupSource, GroupSpec, MemberResult, Volume, VolumeId } from "./types";

/**
 * Consistency groups (Cinder's `VolumeGroupDriver`): volumes on one host whose snapshots are
 * taken together. A group snapshot is crash-consistent: if a write to one member completed
 * before a write to any member was issued, no snapshot in the set holds the second without
 * the first. Results that can differ per member are reported per member (`MemberResult`),
 * never as status strings.
 *
 * Groups and group snapshots have self-describing ids like volumes (`backend/host/vg/name`),
 * so every method works from an id alone.
 */
export interface ConsistencyGroupDriver {
  /**
   * Makes the volumes a group. Every member must be a volume of this backend, all on one host,
   * none in another group. Idempotent on `spec.uuid`: a retry adds members a crash left out.
   * @returns the group, its `volumeIds` sorted
   * @throws InvalidInput (no members, members on different hosts, a member in another group,
   *   the name taken by another group), VolumeNotFound (a member does not exist). A refused
   *   call changes nothing.
   */
  createGroup(spec: GroupSpec): Promise<Group>;

  /** The group, or undefined when it has no members (a group exists only through its members). @throws InvalidInput for a malformed id */
  findGroup(id: GroupId): Promise<Group | undefined>;

  /** Every group on the backend's hosts. @throws BackendUnavailable when a host cannot be listed */
  listGroups(): Promise<Group[]>;

  /**
   * Adds and removes members. Adding a member already in the group, or removing a volume that
   * is not in it, changes nothing (so a retry is safe). Every added volume must be on the
   * group's host and in no other group; at least one member must remain.
   * @throws GroupNotFound, VolumeNotFound (an added volume), InvalidInput. A refused call changes nothing.
   */
  updateGroup(id: GroupId, add: readonly VolumeId[], remove: readonly VolumeId[]): Promise<Group>;

  /**
   * Deletes the group. Without `deleteVolumes` the members stay as plain volumes; with it each
   * member is deleted as `deleteVolume` would (a member that cannot be, say one with snapshots,
   * stays in the group and is reported as failed). Succeeds with no results when the group is
   * already gone.
   * @returns one result per member volume id
   * @throws InvalidInput when the group still has group snapshots (delete them first); nothing is changed then
   */
  deleteGroup(id: GroupId, deleteVolumes: boolean): Promise<Array<MemberResult<void>>>;

  /**
   * Takes a crash-consistent snapshot of every member at one instant: the members' I/O is
   * paused (never failed) for about one snapshot creation per member, bounded by the
   * backend's configured maximum pause. The set is all or nothing: a set that could not be
   * completed is removed. Each member's snapshot is a normal snapshot afterwards (a volume can
   * be made from it). Idempotent on `spec.uuid`.
   * @throws GroupNotFound, VolumeIsBusy (a member is used other than through its device),
   *   VolumeSizeExceedsAvailableQuota (a thin pool too full, no room for thick copy-on-write
   *   areas), VolumeAlreadyExists (the name is another group snapshot's), GroupSnapshotFailed
   *   (the set was started and then abandoned, e.g. the maximum pause passed; the error says
   *   what happened to each member, and nothing of the set is kept)
   */
  createGroupSnapshot(spec: GroupSnapshotSpec): Promise<GroupSnapshot>;

  /** The group snapshot, or undefined when it does not exist or was never completed. */
  findGroupSnapshot(id: GroupSnapshotId): Promise<GroupSnapshot | undefined>;

  /** Every complete group snapshot on the backend's hosts. */
  listGroupSnapshots(): Promise<GroupSnapshot[]>;

  /**
   * Deletes every snapshot of the set. The set stops being usable first, so a crash half-way
   * leaves an incomplete set that recovery removes. Succeeds with no results when it is gone.
   * @returns one result per member snapshot id
   */
  deleteGroupSnapshot(id: GroupSnapshotId): Promise<Array<MemberResult<void>>>;

  /**
   * A new group whose volumes hold the data of a group snapshot's members, or of another
   * group's members as of one crash-consistent instant (a temporary group snapshot is taken
   * and removed). Each new volume has the size and provisioning of its source, the uuid
   * `<group uuid>-<8 hex>` and the name `<group name>-<8 hex>` (derived from its source, so a
   * retry finds the volumes a crash left). Idempotent on `spec.uuid`.
   * @returns the group (of the volumes that could be made) and one result per source member
   *   (keyed by the source snapshot's or volume's id)
   * @throws GroupNotFound (the source group), InvalidInput, GroupSnapshotFailed; VolumeBackendAPIException when no volume could be made
   */
  createGroupFromSource(spec: Omit<GroupSpec, "volumeIds">, source: GroupSource): Promise<{ group: Group; volumes: Array<MemberResult<Volume>> }>;
}

/**
 * A group snapshot was started and then abandoned: the members' I/O was resumed and whatever
 * the set already held was removed. `members` says, per member volume id, whether its snapshot
 * had been taken.
 */
export class GroupSnapshotFailed extends VolumeBackendAPIException {
  constructor(
    message: string,
    readonly members: ReadonlyArray<MemberResult<void>>,
  ) {
    super(message);
  }
}
