import type { BackendStats, Snapshot, SnapshotId, SnapshotSpec, Volume, VolumeId, VolumeMetadata, VolumeSpec } from "./types";

/**
 * The attributes every driver has (Cinder's VERSION, CI_WIKI_NAME, and the class's name and
 * docstring).
 */
export interface DriverInfo {
  /** Semantic version of the driver. */
  readonly version: string;
  /** The name of the driver's CI page, used to associate CI reports with it. */
  readonly ciWikiName: string;
  /** Human name of the driver, e.g. "LVM over SSH". */
  readonly driverName: string;
  readonly description: string;
}

/**
 * The minimum every driver implements (Cinder's `VolumeDriverCore`, plus the clone and
 * snapshot methods Cinder keeps in `BaseVD`). One instance serves one backend.
 *
 * Rules for every method: throw only `DriverError` subclasses; be safe to retry (a repeated
 * call with the same uuid or id has the same effect as one call); validate input before the
 * first command runs, so that a refused call changes nothing.
 */
export interface VolumeDriverCore extends DriverInfo {
  /**
   * Called once before use. Connects to the backend's hosts, creates what configuration asks
   * for (a thin pool), and recovers state a reboot lost (gates over active volumes).
   * @throws InvalidConfiguration, BackendUnavailable
   */
  doSetup(): Promise<void>;

  /**
   * Verifies the backend is usable; after it returns, the driver accepts operations.
   * @throws InvalidConfiguration with what to fix (e.g. LVM is not restricted to a devices file).
   */
  checkForSetupError(): Promise<void>;

  /**
   * Capacity and capabilities. Cached; `refresh` re-reads the backend (one report per host).
   * A host that cannot be reached is reported as a pool with `backend_state: "down"` and
   * `unknown` capacities rather than failing the whole call.
   */
  getVolumeStats(refresh?: boolean): Promise<BackendStats>;

  /**
   * Allocates a volume. Does not export it. Idempotent on `spec.uuid`.
   * @throws InvalidInput, VolumeAlreadyExists (name taken by another volume),
   *   VolumeSizeExceedsAvailableQuota, BackendUnavailable
   */
  createVolume(spec: VolumeSpec): Promise<Volume>;

  /** The volume, or undefined when it does not exist. @throws InvalidInput for a malformed id. */
  findVolume(id: VolumeId): Promise<Volume | undefined>;

  /** Every volume this driver created or adopted on the backend. */
  listVolumes(): Promise<Volume[]>;

  /**
   * Deletes the volume so that its data can never reach a later volume (thick volumes are
   * wiped per `volumeClear`). Succeeds when the volume is already gone.
   * @throws VolumeIsBusy when it has snapshots or its device is open; nothing is changed.
   */
  deleteVolume(id: VolumeId): Promise<void>;

  /**
   * Replaces cinderblock's metadata of a volume (its description and labels); never touches
   * data. Fields left undefined are kept.
   * @throws VolumeNotFound, InvalidInput
   */
  updateVolume(id: VolumeId, changes: VolumeMetadata): Promise<Volume>;

  /**
   * Grows the volume online to `newSizeGib`.
   * @throws InvalidInput when `newSizeGib` is smaller than the current size (never shrinks),
   *   VolumeNotFound, VolumeSizeExceedsAvailableQuota
   */
  extendVolume(id: VolumeId, newSizeGib: number): Promise<Volume>;

  /**
   * Takes a point-in-time snapshot of a volume. Idempotent on `spec.uuid`.
   * @throws VolumeNotFound, VolumeSizeExceedsAvailableQuota
   */
  createSnapshot(spec: SnapshotSpec): Promise<Snapshot>;

  findSnapshot(id: SnapshotId): Promise<Snapshot | undefined>;

  listSnapshots(): Promise<Snapshot[]>;

  /** Deletes a snapshot; succeeds when it is already gone. @throws SnapshotIsBusy */
  deleteSnapshot(id: SnapshotId): Promise<void>;

  /**
   * A new volume holding the snapshot's data, on the snapshot's host. `spec.sizeGib` may
   * exceed the snapshot's size; the volume is then grown.
   * @throws SnapshotNotFound, InvalidInput (smaller than the snapshot, or another host)
   */
  createVolumeFromSnapshot(spec: VolumeSpec, snapshotId: SnapshotId): Promise<Volume>;

  /**
   * A new volume holding a copy of `sourceId`'s data as of the call, on the source's host.
   * Temporary objects are removed even when the copy fails.
   * @throws VolumeNotFound, InvalidInput
   */
  createClonedVolume(spec: VolumeSpec, sourceId: VolumeId): Promise<Volume>;

  /** Releases connections. The driver is unusable afterwards. */
  close(): Promise<void>;
}
