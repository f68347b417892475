import type { ConnectionInfo, Connector, VolumeId } from "./types";

/**
 * Attach and detach (Cinder's export and connection methods). Every export's backstore is
 * the volume's gate device.
 */
export interface ExportDriver {
  /** Makes the volume reachable over the data path. Idempotent. */
  createExport(volumeId: VolumeId, connector: Connector): Promise<void>;
  /** Re-creates the export after a host reboot; a no-op when it is in place. */
  ensureExport(volumeId: VolumeId): Promise<void>;
  /** Removes the export and every ACL; succeeds when there is none. */
  removeExport(volumeId: VolumeId): Promise<void>;
  /**
   * Grants `connector` access and returns how to connect. May be called again for an
   * already-attached connector.
   * @throws InvalidConnector when the connector lacks what the protocol needs.
   */
  initializeConnection(volumeId: VolumeId, connector: Connector): Promise<ConnectionInfo>;
  /**
   * Revokes `connector`'s access (all access when undefined). Returns true when other
   * connectors still use the export, so it must be kept.
   */
  terminateConnection(volumeId: VolumeId, connector: Connector | undefined): Promise<boolean>;
}
