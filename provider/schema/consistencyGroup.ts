import type { ResourceDefinition } from "./model";

/** The ConsistencyGroup resource (provider/consistencyGroup.ts). */
export const consistencyGroup = {
  token: "cinderblock:index:ConsistencyGroup",
  description:
    "A consistency group: volumes on one host whose GroupSnapshots are crash-consistent (no snapshot in a set holds a write without every write that completed before it was issued). A group is recorded as tags on its volumes; its id is `backend/host/volume-group/name`. Its members are given (`volumeIds`, changed in place) or made by the group from a GroupSnapshot or another group, in which case the group owns them and deleting it deletes them.",
  import: {
    noun: "group",
    idShape: "backend/host/volume-group/name",
    note: "The group must be one cinderblock recorded (tags on its volumes).",
    example: { name: "db", id: "prod/store-1/cinder-volumes/db" },
  },
  inputs: {
    backend: {
      type: "string",
      required: true,
      description: "The backend of the group (a name from the backends configuration). Changing it replaces the group.",
    },
    name: {
      type: "string",
      description:
        "The group's name, unique per host: 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting with a letter or digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex digits of the group's uuid. Changing it replaces the group.",
    },
    volumeIds: {
      type: "stringList",
      description:
        "The members: Volume ids, all on one host of `backend` (a group snapshot pauses their I/O with that host's device-mapper), none in another group. Changing them adds and removes members in place. Excludes the sources.",
    },
    sourceGroupSnapshotId: {
      type: "string",
      description:
        "Make the members from this GroupSnapshot: one new volume per member snapshot, holding its data. The group owns those volumes: deleting the group deletes them. Changing it replaces the group.",
    },
    sourceGroupId: {
      type: "string",
      description:
        "Make the members as copies of this group's volumes, all taken at one crash-consistent instant. The group owns those volumes. Changing it replaces the group.",
    },
  },
  outputs: {
    backend: {
      type: "string",
      description: "The backend the group is on.",
    },
    name: {
      type: "string",
      description: "The group's name.",
    },
    volumeIds: {
      type: "stringList",
      optional: true,
      description: "The members as declared (for a group of given volumes).",
    },
    sourceGroupSnapshotId: {
      type: "string",
      optional: true,
      description: "The group snapshot the members were made from, if any.",
    },
    sourceGroupId: {
      type: "string",
      optional: true,
      description: "The group the members were copied from, if any.",
    },
    uuid: {
      type: "string",
      description:
        "The group's stable identity: chosen when it is created (from where it sits in the program and the inputs that would replace it) and kept in its state from then on, through renames of the stack, project or resource.",
    },
    host: {
      type: "string",
      description: "The host of every member.",
    },
    volumeGroup: {
      type: "string",
      description: "The host's volume group holding the members.",
    },
    members: {
      type: "stringList",
      description: "The members' Volume ids as the backend reports them, sorted (for a group made from a source, the volumes it made).",
    },
  },
} as const satisfies ResourceDefinition;
