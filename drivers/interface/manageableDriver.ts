import { ManageExistingVolumeTypeMismatch } from "./errors";
import type { ExistingRef, ManageableSnapshot, ManageableVolume, ManageSnapshotSpec, ManageVolumeSpec, Snapshot, SnapshotId, Volume, VolumeId } from "./types";

/** How a manage call runs. */
export interface ManageOptions {
  /**
   * Run every check of the call and return what it would return, changing nothing on the
   * backend and reading hosts without setting them up (what `pulumi import`'s Read needs: it
   * must not write). A preview refuses exactly what the real call would refuse.
   */
  preview?: boolean;
}

/**
 * Adopting existing backend objects as volumes, and releasing them untouched (Cinder's
 * `ManageableVD`). Adopting marks the object as cinderblock's and never touches its data;
 * releasing removes only cinderblock's marks.
 */
export interface VolumeManagementDriver {
  /**
   * Takes an existing object as a volume: marks it (LVM: tags) and makes it usable like any
   * other volume (LVM: its gate device). Renames it only when the backend is configured to.
   * Idempotent on `spec.uuid`: a retry after a crash finishes the first attempt.
   * @returns the volume, its size in whole GiB rounded up
   * @throws ManageExistingInvalidReference (no such object, or one that cannot be a volume:
   *   a pool, an internal or half-made object; the message says why),
   *   ManageExistingAlreadyManaged (it is already a volume or snapshot under another uuid),
   *   ManageExistingMismatch (it differs from `spec.sizeGib` / `spec.provisioning`),
   *   VolumeIsBusy (something outside cinderblock holds it open), InvalidInput, BackendUnavailable.
   *   A refused call changes nothing.
   */
  manageExisting(spec: ManageVolumeSpec, ref: ExistingRef, options?: ManageOptions): Promise<Volume>;

  /**
   * The size the object would have as a volume: whole GiB, rounded up (Cinder's rule).
   * @throws ManageExistingInvalidReference
   */
  manageExistingGetSize(ref: ExistingRef): Promise<number>;

  /**
   * Releases a volume: removes cinderblock's marks and its device (LVM: the cinderblock tags,
   * foreign tags stay, and the gate); the object and its data stay. Its snapshots stay managed
   * (as in Cinder); release them with `unmanageSnapshot`. Succeeds when the object is gone or
   * already released.
   * @throws VolumeIsBusy (its device is open: detach it first), InvalidInput (not a volume)
   */
  unmanage(id: VolumeId): Promise<void>;
}

/**
 * Listings of what could be adopted (Cinder's `get_manageable_volumes` / `_snapshots`), with the
 * reason where adopting would be unsafe. Objects already managed are listed too, with their
 * uuid as `cinderId`.
 */
export interface VolumeListManageableDriver {
  /**
   * Every object on the backend's hosts that is or could be a volume; one listing per host.
   * With `ref`, only the object it names (an empty list when there is none).
   * @throws BackendUnavailable (a host cannot be listed: a partial listing would mislead),
   *   ManageExistingInvalidReference (a malformed `ref`)
   */
  getManageableVolumes(ref?: ExistingRef): Promise<ManageableVolume[]>;

  /** The same for snapshots; each names the volume it is a snapshot of. */
  getManageableSnapshots(ref?: ExistingRef): Promise<ManageableSnapshot[]>;
}

/** Adopting and releasing snapshots (Cinder's `ManageableSnapshotsVD`). */
export interface SnapshotManagementDriver {
  /**
   * Takes an existing snapshot object as a cinderblock snapshot of its volume (the volume need
   * not be managed yet). Idempotent on `spec.uuid`; never touches data.
   * @throws ManageExistingInvalidReference (no such object, or not a snapshot),
   *   ManageExistingAlreadyManaged, ManageExistingMismatch (not a snapshot of `spec.volumeId`),
   *   SnapshotIsBusy (held open), InvalidInput, BackendUnavailable
   */
  manageExistingSnapshot(spec: ManageSnapshotSpec, ref: ExistingRef, options?: ManageOptions): Promise<Snapshot>;

  /** Whole GiB, rounded up. @throws ManageExistingInvalidReference */
  manageExistingSnapshotGetSize(ref: ExistingRef): Promise<number>;

  /** Removes cinderblock's marks from a snapshot; it and its data stay. Succeeds when gone or already released. */
  unmanageSnapshot(id: SnapshotId): Promise<void>;
}

/** One way an existing object differs from what the caller declared, in the contract's terms. */
export interface ManageDifference {
  property: "sizeGib" | "provisioning" | "volumeId";
  /** What the object is. */
  existing: string | number;
  /** What the caller declared. */
  declared: string | number;
}

/**
 * Cinder's ManageExistingVolumeTypeMismatch, with every difference spelt out, so that callers
 * (the Pulumi provider) can name them in their own terms. Nothing was changed.
 */
export class ManageExistingMismatch extends ManageExistingVolumeTypeMismatch {
  constructor(
    /** The object, as its would-be id. */
    readonly reference: string,
    readonly differences: readonly ManageDifference[],
  ) {
    super(
      `${reference} does not match what was asked: ${differences
        .map((difference) => `${difference.property} is ${difference.existing}, not ${difference.declared}`)
        .join("; ")}; nothing was changed`,
    );
  }
}
