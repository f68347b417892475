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
  /**
   * What the device at `devicePath` exposes, in bytes: `sizeBytes` once a write has set the
   * volume up; 0 while there is no device (an adoption not yet completed); less than
   * `sizeBytes` when the volume grew behind the driver's back (an `lvextend` by hand). Reads
   * report it and never fix it; the volume's next write (update, extend) does.
   */
  deviceSizeBytes: number;
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
  /**
   * For thick requests on a host that also has a thin pool: the volume group's own total and
   * free space (thick volumes do not come from the pool). Not Cinder keys; Cinder backends are
   * either thin or thick.
   */
  thick_total_capacity_gb?: Capacity | undefined;
  thick_free_capacity_gb?: Capacity | undefined;
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

/** How a volume is exported: iSCSI (LIO) or NVMe over TCP (the kernel's nvmet). */
export type ExportProtocol = "iscsi" | "nvme-tcp";

/**
 * The initiator side of an attachment, as os-brick describes it. iSCSI needs `initiator`,
 * NVMe/TCP needs `nqn`; a connector may carry both (one machine, two initiators).
 */
export interface Connector {
  /** Host name of the initiator machine (informational). */
  host: string;
  /** iSCSI initiator name: `iqn.YYYY-MM.domain[:...]` (lower case), `eui.` or `naa.` form. */
  initiator?: string | undefined;
  /** NVMe host NQN: `nqn.YYYY-MM.domain:...`. */
  nqn?: string | undefined;
  /** The initiator's IP address (informational; access is granted by name, not address). */
  ip?: string | undefined;
  /**
   * iSCSI only: mutual CHAP, the target authenticates itself to this initiator with credentials
   * of its own for this attachment (`auth_target_username` / `auth_target_password`).
   */
  mutualChap?: boolean | undefined;
}

/** A volume's export as the storage host records it; never holds credentials. */
export interface VolumeExport {
  volumeId: VolumeId;
  protocol: ExportProtocol;
  /** The target IQN (iSCSI) or subsystem NQN (NVMe/TCP). */
  target: string;
  /** `address:port` pairs initiators connect to. */
  portals: string[];
  /** Initiator IQNs or host NQNs that have access (each has its own ACL / allowed-host entry). */
  initiators: string[];
}

/** Cinder's iSCSI `data` (LIO: LUN 0, CHAP always on); the lists have one entry per portal. */
export interface IscsiConnectionData {
  target_discovered: false;
  target_portal: string;
  target_portals: string[];
  target_iqn: string;
  target_iqns: string[];
  target_lun: number;
  target_luns: number[];
  volume_id: string;
  auth_method: "CHAP";
  auth_username: string;
  /** This initiator's CHAP secret (a secret: never log it). */
  auth_password: string;
  /** Mutual CHAP only: the name the target answers with, which the initiator checks (iscsiadm's `node.session.auth.username_in`). */
  auth_target_username?: string | undefined;
  /** Mutual CHAP only: the target's secret for this initiator (iscsiadm's `password_in`; a secret: never log it). */
  auth_target_password?: string | undefined;
  /** Whether the LUN accepts UNMAP (the device below supports discard). */
  discard: boolean;
}

/** Cinder's NVMe-oF `data`, version 2 (portals as [address, port, transport]). */
export interface NvmeofConnectionData {
  target_nqn: string;
  portals: Array<[string, string, "tcp"]>;
  ns_id: number;
  vol_uuid: string;
  host_nqn: string;
  /** Set when the target's kernel supports DH-HMAC-CHAP; then `host_secret` is the host's key. */
  auth_method?: "DH-HMAC-CHAP" | undefined;
  /** The host's DH-HMAC-CHAP key (`DHHC-1:...`; a secret: never log it). */
  host_secret?: string | undefined;
  discard: boolean;
}

export type ConnectionInfo = { driver_volume_type: "iscsi"; data: IscsiConnectionData } | { driver_volume_type: "nvmeof"; data: NvmeofConnectionData };

/** Disk image formats, by qemu-img's names (`vpc` is VHD). */
export type ImageFormat = "raw" | "qcow2" | "vmdk" | "vdi" | "vhdx" | "vpc";

/** Where an image comes from. */
export type ImageSource =
  /** An http(s) URL that the volume's host fetches itself (with curl). */
  | { kind: "url"; url: string }
  /** An absolute path of a regular file on the volume's host. */
  | { kind: "hostPath"; path: string }
  /** A file on the machine running cinderblock, streamed to the host over SSH. */
  | { kind: "localFile"; path: string };

export interface ImageSpec {
  source: ImageSource;
  /** The format the user declares; the detected format must match. */
  format: ImageFormat;
  /** Hex SHA-256 the image file must have. */
  sha256?: string | undefined;
}

/** What an image copy read or wrote. */
export interface ImageInfo {
  format: ImageFormat;
  /** The size of the disk the image describes. */
  virtualSizeBytes: number;
  /** The image file's own size. */
  sizeBytes: number;
  /**
   * Hex SHA-256 of the image file. Always set for volume to image; for image to volume when the
   * caller gave one (it was verified) or the file was local (computed while streaming).
   */
  sha256?: string | undefined;
}

/** Where volume to image writes; an existing file is never overwritten. */
export type ImageTarget =
  | { kind: "hostPath"; path: string; format: ImageFormat; compress?: boolean | undefined }
  | { kind: "localFile"; path: string; format: ImageFormat; compress?: boolean | undefined };

/**
 * Progress of a long copy. `transfer` moves the image file (a download on the host, a local
 * file streamed up, an exported image streamed back); `convert` is qemu-img at work.
 */
export interface CopyProgress {
  phase: "transfer" | "convert";
  bytesDone: number;
  /** Undefined when the size is not known in advance (a download without Content-Length). */
  bytesTotal: number | undefined;
  /** Average since the phase began. */
  bytesPerSecond: number;
}

/**
 * A reference to an existing backend object for manage and the manageable listings (Cinder's
 * `existing_ref`): exactly one of `sourceName`, `sourcePath` or `sourceId`.
 */
export interface ExistingRef {
  /** Its name as the backend lists it (for LVM, the LV name; a cinderblock name is accepted too). */
  sourceName?: string | undefined;
  /** Its device path on the host (for LVM, `/dev/<vg>/<lv>` or `/dev/mapper/<vg>-<lv>`). */
  sourcePath?: string | undefined;
  /** The id it has, or will have once managed where it is: what the listings give as `id`, and what `pulumi import` takes. */
  sourceId?: string | undefined;
  /** The host it is on; a name or path without one is looked for on every host of the backend. */
  host?: string | undefined;
}

/** What managing a volume is asked to do (Cinder's `volume` argument of `manage_existing`). */
export interface ManageVolumeSpec {
  /** The identity the volume takes; a retried manage with the same uuid is idempotent. */
  uuid: string;
  /**
   * The name to give it. Drivers that rename on manage (LVM with `manageRename`) rename to it
   * (default `volume-<uuid>`); the others refuse a name other than the object's own.
   */
  name?: string | undefined;
  description?: string | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
  /** When set, the object must be this large (whole GiB, rounded up), else ManageExistingVolumeTypeMismatch. */
  sizeGib?: number | undefined;
  /** When set, the object must be provisioned so, else ManageExistingVolumeTypeMismatch. */
  provisioning?: Provisioning | undefined;
}

/** What managing a snapshot is asked to do. */
export interface ManageSnapshotSpec {
  uuid: string;
  /** As for volumes; the default is `snapshot-<uuid>`. */
  name?: string | undefined;
  description?: string | undefined;
  /** When set, the object must be a snapshot of this volume, else ManageExistingVolumeTypeMismatch. */
  volumeId?: VolumeId | undefined;
}

/** One object a listing of manageable objects found (Cinder's manageable entry). */
export interface ManageableVolume {
  /** What to pass to manage: the name and host as the backend knows them. */
  reference: { sourceName: string; host: string };
  /** The id it has when managed where it is (its id already, when `cinderId` is set). */
  id: string;
  /** Whole GiB, rounded up. */
  sizeGib: number;
  sizeBytes: number;
  provisioning: Provisioning;
  safeToManage: boolean;
  /** Why not, when `safeToManage` is false: one sentence a person can act on. */
  reasonNotSafe?: string | undefined;
  /** The uuid of the cinderblock volume or snapshot it already is. */
  cinderId?: string | undefined;
  /** Anything else worth knowing before adopting it. */
  extraInfo?: string | undefined;
}

export interface ManageableSnapshot extends ManageableVolume {
  /** The volume it is a snapshot of. */
  sourceReference: { sourceName: string; host: string };
}

/** Groups and group snapshots have self-describing ids too: `backend/host/volumeGroup/name`. */
export type GroupId = string;
export type GroupSnapshotId = string;

/** What the caller asks for when creating a consistency group. */
export interface GroupSpec {
  /** Stable identity chosen by the caller; a retried create with the same uuid is idempotent. */
  uuid: string;
  /** Unique per host; defaults to `group-<uuid>`. The rules of volume names apply. */
  name?: string | undefined;
  /** The members: at least one volume, all on one host. */
  volumeIds: VolumeId[];
}

/** A consistency group: volumes on one host whose snapshots are taken at one instant. */
export interface Group {
  id: GroupId;
  uuid: string;
  name: string;
  backend: string;
  host: string;
  volumeGroup: string;
  /** The members, sorted. */
  volumeIds: VolumeId[];
}

export interface GroupSnapshotSpec {
  /** Stable identity chosen by the caller; a retried create with the same uuid is idempotent. */
  uuid: string;
  groupId: GroupId;
  /** Unique per host; defaults to `gsnap-<uuid>`. The rules of volume names apply. */
  name?: string | undefined;
}

/** A crash-consistent set of snapshots, one per member of a group as it was when the set was taken. */
export interface GroupSnapshot {
  id: GroupSnapshotId;
  uuid: string;
  name: string;
  /** The group the set was taken of (it may since have changed or been deleted). */
  groupId: GroupId;
  backend: string;
  host: string;
  volumeGroup: string;
  /** One per member, sorted by volume id; each is a normal snapshot (a volume can be made from it). */
  snapshots: Snapshot[];
  /** ISO 8601, from LVM's creation time of the set's first snapshot. */
  createdAt: string;
  /**
   * How long the members' I/O was paused while the set was taken, in milliseconds. Known only
   * to the call that took the set; undefined when the set is read back.
   */
  ioPauseMs?: number | undefined;
}

/** Where a group made from a source gets its volumes' data. */
export type GroupSource = { groupSnapshotId: GroupSnapshotId } | { groupId: GroupId };

/** One member's outcome in a group operation: no status strings in side dictionaries. */
export type MemberResult<T> = { id: string; ok: true; value: T } | { id: string; ok: false; error: Error };
