import type { ResourceDefinition } from "./model";

/** The GroupSnapshot resource (provider/groupSnapshot.ts). */
export const groupSnapshot = {
  token: "cinderblock:index:GroupSnapshot",
  description:
    "A crash-consistent snapshot of every member of a ConsistencyGroup, taken at one instant: the members' I/O is paused (not failed) for about one snapshot creation per member, bounded by the backend's `groupSnapshotMaxPauseSeconds`. Each member's snapshot is a normal snapshot: use `snapshotIds[volumeId]` as a Volume's `sourceSnapshotId`, or the set's id as a ConsistencyGroup's `sourceGroupSnapshotId`. Every input change replaces it.",
  import: {
    noun: "group snapshot",
    idShape: "backend/host/volume-group/name",
    note: "The set must be one cinderblock took (tags on its members' snapshots).",
    example: { name: "db-nightly", id: "prod/store-1/cinder-volumes/db-nightly" },
  },
  inputs: {
    groupId: {
      type: "string",
      required: true,
      description: "The group to snapshot (a ConsistencyGroup's id). Changing it replaces the set.",
    },
    name: {
      type: "string",
      description:
        "The set's name, unique per host (its snapshots' LV names start with it): 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting with a letter or digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex digits of the set's uuid. Changing it replaces the set.",
    },
  },
  outputs: {
    groupId: {
      type: "string",
      description: "The group the set was taken of.",
    },
    name: {
      type: "string",
      description: "The set's name.",
    },
    uuid: {
      type: "string",
      description:
        "The set's stable identity: chosen when it is created (from where it sits in the program and the inputs that would replace it) and kept in its state from then on, through renames of the stack, project or resource.",
    },
    backend: {
      type: "string",
      description: "The backend the set is on.",
    },
    host: {
      type: "string",
      description: "The host the set is on.",
    },
    snapshotIds: {
      type: "stringMap",
      description: "Member volume id → the id of that member's snapshot in the set.",
    },
    createdAt: {
      type: "string",
      description: "When the set was taken (ISO 8601).",
    },
    ioPauseMs: {
      type: "number",
      optional: true,
      description: "How long the members' I/O was paused while the set was taken, in milliseconds (unknown for a set read with `get`).",
    },
  },
} as const satisfies ResourceDefinition;
