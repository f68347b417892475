import type { ConnectionInfo, Connector, ExportProtocol, VolumeExport, VolumeId } from "./types";

/**
 * Attach and detach (Cinder's export and connection methods). Every export's backstore is the
 * volume's gate device, never the LV. A volume is exported over one protocol at a time; each
 * initiator that may use it has its own ACL (iSCSI) or allowed-host entry (NVMe/TCP), and
 * nothing is open to initiators not granted access. The export is recorded on the storage host
 * (credentials in a root-only file), so it can be rebuilt after the host reboots.
 *
 * Every method serializes its changes to the host's target configuration with a host-side lock,
 * which also excludes other processes (two `pulumi up` runs at once).
 */
export interface ExportDriver {
  /**
   * Makes the volume reachable over `protocol` (Cinder's create_export): a target (iSCSI: LUN 0,
   * authentication on, random CHAP credentials per granted initiator) or subsystem (NVMe/TCP: namespace 1,
   * no host allowed by default), with no initiator granted yet. Idempotent: an existing export
   * over the same protocol is returned as it is, with its credentials and initiators
   * (`initializeConnection` and `ensureExport` repair what a host reboot lost). Does not grant
   * `connector` anything; it is only validated.
   * @throws VolumeNotFound; InvalidConnector when `connector` lacks what `protocol` needs;
   *   InvalidInput when the volume is exported over the other protocol to some initiator.
   */
  createExport(volumeId: VolumeId, connector: Connector, protocol: ExportProtocol): Promise<VolumeExport>;

  /**
   * Re-creates the volume's export, with every initiator's access, from the storage host's
   * record (after a host reboot, the kernel's target configuration is gone). A no-op when it is
   * in place. Returns undefined when the volume is not exported.
   * @throws VolumeNotFound
   */
  ensureExport(volumeId: VolumeId): Promise<VolumeExport | undefined>;

  /** The volume's export as recorded on its host, or undefined. Reads only. */
  findExport(volumeId: VolumeId): Promise<VolumeExport | undefined>;

  /**
   * Removes the export and its record (Cinder's remove_export). Succeeds when there is none;
   * works when the volume itself is gone. When an initiator still has access (a concurrent
   * attach came in after the last detach), the export is kept and false is returned; to force,
   * terminate every connection first (`terminateConnection(id, undefined)`).
   * @returns true when no export remains.
   */
  removeExport(volumeId: VolumeId): Promise<boolean>;

  /**
   * Grants `connector` access (its own ACL with the volume's CHAP credentials, or an
   * allowed-host entry with the host's DH-HMAC-CHAP key where the kernel supports it) and
   * returns how to connect, with the secret in it. Idempotent: calling it again for the same
   * connector returns the same credentials. Requires `createExport` first.
   * @throws VolumeNotFound; InvalidConnector when the connector lacks the export protocol's
   *   initiator name; InvalidInput when the volume is not exported.
   */
  initializeConnection(volumeId: VolumeId, connector: Connector): Promise<ConnectionInfo>;

  /**
   * How `initiator` (an IQN or host NQN) connects, secrets included, as recorded on the host:
   * what `initializeConnection` returned it. Reads only, so an import can learn an attachment
   * without granting anything. Undefined when the initiator has no access on record.
   * @throws VolumeBackendAPIException when the record is unreadable
   */
  findConnection(volumeId: VolumeId, initiator: string): Promise<ConnectionInfo | undefined>;

  /**
   * Revokes `connector`'s access; with `undefined` (a force-detach) revokes everyone's. Other
   * initiators keep theirs. Succeeds when the access or the export is already gone.
   * @returns true when other initiators still use the export, so the caller must keep it;
   *   false when it may be removed (`removeExport`).
   * @throws InvalidConnector
   */
  terminateConnection(volumeId: VolumeId, connector: Connector | undefined): Promise<boolean>;
}
