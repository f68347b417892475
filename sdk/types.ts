/**
 * Public types of the SDK that are not resource arguments: plain TypeScript, so a program's
 * type-check sees neither the drivers nor zod (the provider checks its own types against these).
 */

/** How a volume is exported: iSCSI (LIO) or NVMe over TCP (the kernel's nvmet). */
export type ExportProtocol = "iscsi" | "nvme-tcp";

/** Cinder's iSCSI connection `data` without the CHAP secret (that is the attachment's `authSecret`); lists have one entry per portal. */
export interface IscsiConnectionDetails {
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
  /** Mutual CHAP only: the name the target answers with (its secret is the attachment's `targetAuthSecret`). */
  auth_target_username?: string | undefined;
  /** Whether the LUN accepts UNMAP (the device below supports discard). */
  discard: boolean;
}

/** Cinder's NVMe-oF connection `data` (version 2) without the host's key (that is `authSecret`). */
export interface NvmeofConnectionDetails {
  target_nqn: string;
  /** `[address, port, transport]` per portal. */
  portals: Array<[string, string, "tcp"]>;
  ns_id: number;
  vol_uuid: string;
  host_nqn: string;
  /** Set when the target's kernel authenticates hosts; then `authSecret` holds the host's key. */
  auth_method?: "DH-HMAC-CHAP" | undefined;
  discard: boolean;
}

/** How an initiator connects to an attached volume, as os-brick takes it. */
export type VolumeConnectionInfo =
  { driver_volume_type: "iscsi"; data: IscsiConnectionDetails } | { driver_volume_type: "nvmeof"; data: NvmeofConnectionDetails };
