import type { ExistingRef, ManageableSnapshot, ManageableVolume, Snapshot, SnapshotId, Volume, VolumeId, VolumeSpec } from "./types";

/** Adopting existing backend objects as volumes, and releasing them untouched. */
export interface VolumeManagementDriver {
  /**
   * Marks an existing LV as a cinderblock volume without touching its data.
   * @throws ManageExistingInvalidReference, ManageExistingAlreadyManaged
   */
  manageExisting(spec: VolumeSpec, ref: ExistingRef): Promise<Volume>;
  /** Its size in whole GiB, rounded up. @throws ManageExistingInvalidReference */
  manageExistingGetSize(ref: ExistingRef): Promise<number>;
  /** Forgets the volume; the LV and its data stay. */
  unmanage(id: VolumeId): Promise<void>;
}

/** Listings of what could be adopted, with why not where it is unsafe. */
export interface VolumeListManageableDriver {
  getManageableVolumes(): Promise<ManageableVolume[]>;
  getManageableSnapshots(): Promise<ManageableSnapshot[]>;
}

export interface SnapshotManagementDriver {
  manageExistingSnapshot(spec: { uuid: string; name?: string | undefined }, ref: ExistingRef): Promise<Snapshot>;
  manageExistingSnapshotGetSize(ref: ExistingRef): Promise<number>;
  unmanageSnapshot(id: SnapshotId): Promise<void>;
}
