import type { ResourceDefinition } from "./model";

/** The Snapshot resource (provider/snapshot.ts). */
export const snapshot = {
  token: "cinderblock:index:Snapshot",
  description:
    "A point-in-time snapshot of a Volume, on the volume's host (thin when the volume is thin). Its id is the driver's `backend/host/volume-group/lv`; use it as a Volume's `sourceSnapshotId`.",
  import: {
    noun: "snapshot",
    idShape: "backend/host/volume-group/lv",
    note: "A snapshot LV cinderblock does not manage yet is adopted, like a volume.",
    example: { name: "nightly", id: "prod/store-1/cinder-volumes/data-nightly" },
  },
  inputs: {
    volumeId: {
      type: "string",
      required: true,
      description: "The volume to snapshot (a Volume's id). Changing it replaces the snapshot.",
    },
    name: {
      type: "string",
      description:
        "The snapshot's LV name: 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting with a letter or digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex digits of the snapshot's uuid. Changing it replaces the snapshot.",
    },
    description: {
      type: "string",
      description: "Free text of at most 512 bytes, stored as an LV tag. Changing it replaces the snapshot (drivers cannot edit a snapshot).",
    },
    adopt: {
      type: "boolean",
      description:
        "Adopt the existing snapshot LV named `name` of the volume `volumeId` instead of taking a snapshot; it must be a snapshot of that volume, else create fails having changed nothing. Needs `name`. Changing it later changes nothing. Release it with `retainOnDelete` and `cinderblock unmanage snapshot ID`.",
    },
  },
  outputs: {
    volumeId: {
      type: "string",
      description: "The volume the snapshot was asked of.",
    },
    name: {
      type: "string",
      description: "The snapshot's name (its LV name, before LVM's reserved-prefix escaping).",
    },
    description: {
      type: "string",
      optional: true,
      description: "The description, if any.",
    },
    uuid: {
      type: "string",
      description:
        "The snapshot's stable identity: chosen when it is created (from where it sits in the program and the inputs that would replace it, or taken from the LV when imported) and kept in its state from then on, through renames of the stack, project or resource, refresh and import.",
    },
    sizeGb: {
      type: "integer",
      description: "The source volume's size in whole GiB when the snapshot was taken.",
    },
    sourceVolumeId: {
      type: "string",
      description: "The volume the snapshot was taken of, as the backend records it.",
    },
    host: {
      type: "string",
      description: "The host the snapshot is on.",
    },
    volumeGroup: {
      type: "string",
      description: "The host's volume group holding the LV.",
    },
    lvName: {
      type: "string",
      description: "The snapshot LV's name on the host.",
    },
    createdAt: {
      type: "string",
      description: "When LVM created the snapshot (ISO 8601).",
    },
    adopt: {
      type: "boolean",
      optional: true,
      description: "Whether the snapshot was adopted rather than taken, as declared.",
    },
  },
} as const satisfies ResourceDefinition;
