/**
 * Data shapes of the driver contract. Sizes a user asks for are whole GiB (Cinder's unit);
 * sizes a backend reports are also given in bytes, because LVM rounds to extents.
 */

export type Provisioning = "thin" | "thick";

/** Ids are self-describing: `backend/host/volumeGroup/lv`, so no lookup table is needed. */
export type VolumeId = string;
export type SnapshotId = string;

/** What the caller asks for when creating a volume. */
export interface VolumeSpec {
  /** Stable identity chosen by the caller (a UUID); a retried create with the same uuid is idempotent. */
  uuid: string;
  /** LV name; defaults to `volume-<uuid>`. */
  name?: string | undefined;
  /** Whole GiB, at least 1. */
  sizeGib: number;
  /** Defaults to the backend's `lvmType`. */
  provisioning?: Provisioning | undefined;
  /** Host of the backend to place the volume on; defaults to the driver's choice. */
  host?: string | undefined;
  description?: string | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
}

/** The parts of a volume that are cinderblock's bookkeeping, not data. */
export interface VolumeMetadata {
  description?: string | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
}

export interface VolumeSource {
  kind: "snapshot" | "volume";
  /** The source's id (it may since have been deleted). */
  id: string;
}

export interface Volume {
  id: VolumeId;
  uuid: string;
  name: string;
  backend: string;
  host: string;
  volumeGroup: string;
  lvName: string;
  /** The path consumers use: the volume's gate device, never the LV itself. */
  devicePath: string;
  sizeGib: number;
  sizeBytes: number;
  provisioning: Provisioning;
  /** ISO 8601, from LVM's own creation time. */
  createdAt: string;
  description?: string | undefined;
  labels: Record<string, string>;
  source?: VolumeSource | undefined;
}

export interface SnapshotSpec {
  uuid: string;
  volumeId: VolumeId;
  /** LV name; defaults to `snapshot-<uuid>` (stored escaped, as LVM reserves the prefix). */
  name?: string | undefined;
  description?: string | undefined;
}

export interface Snapshot {
  id: SnapshotId;
  uuid: string;
  name: string;
  volumeId: VolumeId;
  backend: string;
  host: string;
  volumeGroup: string;
  lvName: string;
  /** The source volume's size when the snapshot was taken. */
  sizeGib: number;
  sizeBytes: number;
  provisioning: Provisioning;
  createdAt: string;
  description?: string | undefined;
}

/**
 * A capacity figure in GiB, or one of Cinder's keywords: `unknown` (the backend cannot say)
 * and `infinite` (no upper limit). Every consumer must handle all three.
 */
export type Capacity = number | "unknown" | "infinite";

/** Per-pool figures (for LVM: one pool per host). Keys mirror Cinder's stats exactly. */
export interface PoolStats {
  pool_name: string;
  total_capacity_gb: Capacity;
  free_capacity_gb: Capacity;
  provisioned_capacity_gb: number;
  allocated_capacity_gb: number;
  reserved_percentage: number;
  max_over_subscription_ratio: number | "auto";
  thin_provisioning_support: boolean;
  thick_provisioning_support: boolean;
  total_volumes: number;
  multiattach: boolean;
  online_extend_support: boolean;
  backend_state: "up" | "down";
  location_info: string;
  /** Why the pool is down, when it is. */
  backend_state_reason?: string | undefined;
}

/**
 * What `getVolumeStats` returns: Cinder's six required keys, then the optional ones, then the
 * pools. Keys keep Cinder's snake_case so that they read the same as in Cinder's docs.
 */
export interface BackendStats {
  volume_backend_name: string;
  vendor_name: string;
  driver_version: string;
  storage_protocol: string;
  total_capacity_gb: Capacity;
  free_capacity_gb: Capacity;
  reserved_percentage: number;
  provisioned_capacity_gb: number;
  max_over_subscription_ratio: number | "auto";
  thin_provisioning_support: boolean;
  thick_provisioning_support: boolean;
  total_volumes: number;
  pools: PoolStats[];
}

/** The initiator side of an attachment, as os-brick describes it. */
export interface Connector {
  /** Host name of the initiator machine. */
  host: string;
  /** iSCSI initiator IQN. */
  initiator?: string | undefined;
  /** NVMe host NQN. */
  nqn?: string | undefined;
  ip?: string | undefined;
  multipath?: boolean | undefined;
}

export interface IscsiConnectionData {
  target_discovered: false;
  target_portal: string;
  target_portals: string[];
  target_iqn: string;
  target_lun: number;
  volume_id: string;
  auth_method: "CHAP";
  auth_username: string;
  auth_password: string;
  discard: boolean;
}

export interface NvmeofConnectionData {
  target_nqn: string;
  portals: Array<[string, string, "tcp"]>;
  ns_id: number;
  vol_uuid: string;
  host_nqn: string;
  auth_method?: "DH-HMAC-CHAP" | undefined;
  host_secret?: string | undefined;
  discard: boolean;
}

export type ConnectionInfo =
  | { driver_volume_type: "iscsi"; data: IscsiConnectionData }
  | { driver_volume_type: "nvmeof"; data: NvmeofConnectionData };

export type ImageFormat = "raw" | "qcow2" | "vmdk" | "vdi" | "vhdx" | "vpc";

/** Where an image comes from. */
export type ImageSource =
  | { kind: "url"; url: string }
  | { kind: "hostPath"; path: string }
  | { kind: "localFile"; path: string };

export interface ImageSpec {
  source: ImageSource;
  /** The format the user declares; the detected format must match. */
  format: ImageFormat;
  /** Hex SHA-256 the image must have. */
  sha256?: string | undefined;
}

export interface ImageInfo {
  format: ImageFormat;
  virtualSizeBytes: number;
  sha256?: string | undefined;
}

export type ImageTarget =
  | { kind: "hostPath"; path: string; format: ImageFormat; compress?: boolean | undefined }
  | { kind: "localFile"; path: string; format: ImageFormat; compress?: boolean | undefined };

/** Progress of a long copy, reported every few seconds. */
export interface CopyProgress {
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
}

/** A reference to an existing backend object for manage: an LV name or path. */
export interface ExistingRef {
  sourceName?: string | undefined;
  sourcePath?: string | undefined;
  host?: string | undefined;
}

export interface ManageableVolume {
  reference: { sourceName: string; host: string };
  sizeGib: number;
  safeToManage: boolean;
  reasonNotSafe?: string | undefined;
  /** Set when cinderblock already manages it. */
  cinderId?: string | undefined;
  extraInfo?: string | undefined;
}

export interface ManageableSnapshot extends ManageableVolume {
  sourceReference: { sourceName: string; host: string };
}

export interface GroupSpec {
  uuid: string;
  name?: string | undefined;
  volumeIds: VolumeId[];
}

export interface Group {
  id: string;
  uuid: string;
  name: string;
  backend: string;
  host: string;
  volumeIds: VolumeId[];
}

export interface GroupSnapshot {
  id: string;
  uuid: string;
  groupId: string;
  snapshots: Snapshot[];
  createdAt: string;
}

/** One member's outcome in a group operation: no status strings in side dictionaries. */
export type MemberResult<T> = { id: string; ok: true; value: T } | { id: string; ok: false; error: Error };
