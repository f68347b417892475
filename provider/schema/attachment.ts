import type { ObjectTypeDefinition, ResourceDefinition } from "./model";

/** The VolumeAttachment resource (provider/attachment.ts) and the initiator it admits. */
export const attachment = {
  token: "cinderblock:index:VolumeAttachment",
  description:
    "A Volume exported to one initiator: iSCSI through LIO (one target per volume, LUN 0, CHAP always on, an ACL per initiator with random credentials of its own, mutual CHAP as an option, never an open TPG) or NVMe/TCP through nvmet (one subsystem per volume, namespace 1, an allow-list of host NQNs, DH-HMAC-CHAP where the target's kernel supports it). Every export serves the volume's gate device. Outputs are Cinder's connection info; the CHAP secret or DH-HMAC-CHAP key is the secret output `authSecret`. Deleting it revokes this initiator's access; the volume's export goes with its last attachment. Its id is `<volume id>/<protocol>/<initiator>`.",
  import: {
    noun: "attachment",
    idShape: "<volume id>/<protocol>/<initiator>",
    note: "The export must already admit the initiator; its credentials are read again from the host.",
    example: { name: "web", id: "prod/store-1/cinder-volumes/data/iscsi/iqn.2004-10.com.ubuntu:01:web1" },
  },
  inputs: {
    volumeId: {
      type: "string",
      required: true,
      description: "The volume to attach (a Volume's id). Changing it replaces the attachment.",
    },
    protocol: {
      type: { enum: ["iscsi", "nvme-tcp"] },
      required: true,
      description: "`iscsi` or `nvme-tcp`. A volume is exported over one protocol at a time. Changing it replaces the attachment.",
    },
    connector: {
      type: { ref: "VolumeAttachmentConnector" },
      required: true,
      description: "The initiator that gets access (os-brick's connector). Changing it replaces the attachment.",
    },
  },
  outputs: {
    volumeId: {
      type: "string",
      description: "The attached volume.",
    },
    protocol: {
      type: "string",
      description: "The export protocol: `iscsi` or `nvme-tcp`.",
    },
    connector: {
      type: { ref: "VolumeAttachmentConnector" },
      description: "The initiator that has access.",
    },
    connectionInfo: {
      type: "any",
      description:
        'How to connect, as Cinder\'s initialize_connection returns it, without the secret: `driver_volume_type` (`iscsi` or `nvmeof`) and `data` (iSCSI: `target_portal(s)`, `target_iqn(s)`, `target_lun(s)` (0), `auth_method` CHAP, `auth_username`, `volume_id`, `discard`; NVMe/TCP: `target_nqn`, `portals` as [address, port, "tcp"], `ns_id`, `vol_uuid`, `host_nqn`, `auth_method` when DH-HMAC-CHAP is on, `discard`).',
    },
    authSecret: {
      type: "string",
      optional: true,
      secret: true,
      description:
        "This initiator's CHAP secret (iSCSI), or the host's DH-HMAC-CHAP key where the target supports it (NVMe/TCP); absent otherwise. A secret: encrypted in state.",
    },
    targetAuthSecret: {
      type: "string",
      optional: true,
      secret: true,
      description:
        "With `connector.mutualChap` (iSCSI): the target's CHAP secret for this initiator, which the initiator checks (with `connectionInfo.data.auth_target_username`); absent otherwise. A secret: encrypted in state.",
    },
  },
} as const satisfies ResourceDefinition;

export const volumeAttachmentConnector = {
  description: "The initiator side of a VolumeAttachment, as os-brick describes a connector.",
  properties: {
    host: {
      type: "string",
      required: true,
      description: "Host name of the initiator machine (letters, digits, `_`, `.`, `-`).",
    },
    initiator: {
      type: "string",
      description: "The iSCSI initiator name (`iqn.YYYY-MM.domain[:id]` in lower case, `eui.` or `naa.`): required for `iscsi`.",
    },
    nqn: {
      type: "string",
      description: "The NVMe host NQN (`nqn.YYYY-MM.domain:id`): required for `nvme-tcp`.",
    },
    ip: {
      type: "string",
      description: "The initiator's IP address (informational: access is granted by name).",
    },
    mutualChap: {
      type: "boolean",
      description:
        "`iscsi` only: mutual CHAP, the target authenticates itself to the initiator with credentials of its own for this attachment (`connectionInfo.data.auth_target_username` and the secret output `targetAuthSecret`).",
    },
  },
} as const satisfies ObjectTypeDefinition;
