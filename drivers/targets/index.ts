import type { ConnectionInfo, Connector, ExportProtocol } from "../interface/types";
import { LioTarget } from "./lio";
import { NvmetTarget } from "./nvmet";
import type { ExportRecord } from "./records";
import type { HostShell } from "./shell";

/**
 * Target helpers (Cinder's cinder/volume/targets): how one protocol exports a block device of
 * a storage host. They know nothing of LVM; the LVM driver's export capability
 * (drivers/lvm/exports.ts) decides what to export and holds the host's target lock around
 * every call that changes something.
 */

/** Where a target listens, what it is named after, and what initiators are told. */
export interface TargetSettings {
  /** The IQN or NQN prefix (`iqn.YYYY-MM.domain`); a volume's target is `<prefix>:volume-<uuid>`. */
  prefix: string;
  /** Where the target listens on the storage host (`0.0.0.0`: every address). */
  listen: { address: string; port: number };
  /** `address:port` pairs initiators connect to (they may differ from `listen` behind NAT). */
  portals: readonly string[];
}

/** The volume an export serves. */
export interface ExportedVolume {
  volumeId: string;
  uuid: string;
  /** The volume's gate device (never the LV itself). */
  device: string;
}

/** What the kernel's target turned out to support for an export. */
export interface AppliedExport {
  /** The device accepts discards, so the export offers them (UNMAP / DSM). */
  discard: boolean;
  /** NVMe only: the kernel authenticates hosts with DH-HMAC-CHAP. */
  dhchap: boolean;
}

export interface Target {
  readonly protocol: ExportProtocol;
  /**
   * The initiator name `connector` presents for this protocol (its IQN or host NQN).
   * @throws InvalidConnector when it has none
   */
  initiatorOf(connector: Connector): string;
  /** A record for a new export of `volume`, with no initiator yet and fresh credentials. */
  newRecord(volume: ExportedVolume): ExportRecord;
  /**
   * Writes `record` to `path` on the host, then makes the kernel's configuration of its target
   * match it: creates what is missing, grants every listed initiator, revokes every other.
   * Idempotent; the caller holds the host's target lock.
   */
  apply(host: HostShell, record: ExportRecord, path: string): Promise<AppliedExport>;
  /**
   * What `apply` reports for `record`'s export, found without changing anything (the import of
   * an attachment): whether the device accepts discards, and (NVMe) whether `initiator` has a
   * DH-HMAC-CHAP key in the kernel and on record.
   */
  probe(host: HostShell, record: ExportRecord, initiator: string): Promise<AppliedExport>;
  /** Tears the target down and deletes the record; succeeds when they are already gone. */
  remove(host: HostShell, record: ExportRecord, path: string): Promise<void>;
  /** How `initiator` connects, secrets included (registered for redaction). */
  connectionInfo(host: HostShell, record: ExportRecord, applied: AppliedExport, initiator: string): Promise<ConnectionInfo>;
}

export function targetFor(protocol: ExportProtocol, settings: TargetSettings): Target {
  return protocol === "iscsi" ? new LioTarget(settings) : new NvmetTarget(settings);
}

export { checkConnector, IQN_PREFIX, joinPortal, NQN_PREFIX, splitPortal } from "./identifiers";
export { exportOf, readRecord, recordPath, type ExportRecord } from "./records";
export type { HostShell } from "./shell";
