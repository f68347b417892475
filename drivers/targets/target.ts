import type { ConnectionInfo, Connector, ExportProtocol } from "../interface/types";
import type { ExportRecord } from "./records";
import type { HostShell } from "./shell";

/** What a target helper is (lio.ts, nvmet.ts implement it), apart from which one serves a protocol (index.ts). */

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
  /** A record for a new export of `volume`, with no initiator yet. */
  newRecord(volume: ExportedVolume): ExportRecord;
  /**
   * `record` with `initiator` granted (with fresh credentials of its own where the protocol has
   * them); unchanged when it already is, but for the target's own credentials, made or dropped
   * to follow `mutualChap`.
   * @throws InvalidConnector when the protocol has no mutual CHAP and it is asked for
   */
  grant(record: ExportRecord, initiator: string, mutualChap?: boolean): ExportRecord;
  /** `record` without `initiator` and its credentials. */
  revoke(record: ExportRecord, initiator: string): ExportRecord;
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
