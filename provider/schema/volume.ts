import type { ObjectTypeDefinition, ResourceDefinition } from "./model";

/** The Volume resource (provider/volume.ts) and the image source it may be filled from. */
export const volume = {
  token: "cinderblock:index:Volume",
  description:
    "A block volume: an LVM logical volume on a host of a configured backend, thin or thick, empty or made from a snapshot or a clone of another volume. Its id is the driver's `backend/host/volume-group/lv`.",
  import: {
    noun: "volume",
    idShape: "backend/host/volume-group/lv",
    note: "An LV cinderblock does not manage yet is adopted: tagged and given its gate, its data untouched. `cinderblock import-file --backend <name>` writes the file for `pulumi import --file` with every LV that is safe to adopt.",
    example: { name: "data", id: "prod/store-1/cinder-volumes/data" },
  },
  inputs: {
    backend: {
      type: "string",
      required: true,
      description: "The backend to create the volume on: a name from the backends configuration (e.g. `lab`). Changing it replaces the volume.",
    },
    name: {
      type: "string",
      description:
        "The LV name: 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting with a letter or digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex digits of the volume's uuid. Changing it replaces the volume.",
    },
    sizeGb: {
      type: "integer",
      required: true,
      description: "Size in whole GiB, at least 1. Growing it extends the volume in place; shrinking is refused at check time.",
    },
    thin: {
      type: "boolean",
      description: "Thin (from the host's thin pool) or thick. Defaults to the backend's choice. Changing it replaces the volume.",
    },
    host: {
      type: "string",
      description:
        "The backend host to place the volume on. Defaults to the driver's choice (a volume from a source goes on the source's host). Changing it replaces the volume.",
    },
    sourceSnapshotId: {
      type: "string",
      description: "Create the volume from this snapshot (a Snapshot's id). Excludes `sourceVolumeId`. Changing it replaces the volume.",
    },
    sourceVolumeId: {
      type: "string",
      description: "Create the volume as a clone of this volume (a Volume's id). Excludes `sourceSnapshotId`. Changing it replaces the volume.",
    },
    description: {
      type: "string",
      description: "Free text of at most 512 bytes, stored as an LV tag. Changes in place.",
    },
    labels: {
      type: "stringMap",
      description: "Labels stored as LV tags: lower-case keys (letters, digits, `_.-`), values of letters, digits and `_.+:/-`. Changes in place.",
    },
    adopt: {
      type: "boolean",
      description:
        "Adopt the existing LV named `name` (on `host`, or wherever the backend finds it) instead of creating one: cinderblock tags it and gives it its gate device, never touching its data. The LV must match `sizeGb` (whole GiB, rounded up) and `thin` when set, else create fails saying what differs, having changed nothing. Needs `name`; excludes the sources. Changing it later changes nothing. Release an adopted volume with the `retainOnDelete` resource option (the cinderblock SDK sets it when `adopt` is a literal true) and `cinderblock unmanage volume ID`.",
    },
    image: {
      type: { ref: "VolumeImageSource" },
      description:
        "Fill the new volume from an image, checked before anything is written (its real format must be the declared one; backing files, qcow2 data files and vmdk types other than monolithicSparse and streamOptimized are refused; its virtual size must fit `sizeGb`). Excludes the sources and `adopt`. Changing it replaces the volume.",
    },
  },
  outputs: {
    backend: {
      type: "string",
      description: "The backend the volume is on.",
    },
    name: {
      type: "string",
      description: "The volume's name (its LV name, before LVM's reserved-prefix escaping).",
    },
    sizeGb: {
      type: "integer",
      description: "The actual size in whole GiB (rounded up).",
    },
    thin: {
      type: "boolean",
      description: "Whether the volume is thin.",
    },
    host: {
      type: "string",
      description: "The host the volume is on.",
    },
    sourceSnapshotId: {
      type: "string",
      optional: true,
      description: "The snapshot the volume was made from, if any.",
    },
    sourceVolumeId: {
      type: "string",
      optional: true,
      description: "The volume this one was cloned from, if any.",
    },
    description: {
      type: "string",
      optional: true,
      description: "The description, if any.",
    },
    labels: {
      type: "stringMap",
      description: "The labels (empty when none).",
    },
    uuid: {
      type: "string",
      description:
        "The volume's stable identity: chosen when it is created (from where it sits in the program and the inputs that would replace it, or taken from the LV when imported) and kept in its state from then on, through renames of the stack, project or resource, refresh and import.",
    },
    volumeGroup: {
      type: "string",
      description: "The host's volume group holding the LV.",
    },
    lvName: {
      type: "string",
      description: "The LV's name on the host.",
    },
    devicePath: {
      type: "string",
      description: "The block device to use on the host (the volume's gate device, not the LV itself).",
    },
    sizeBytes: {
      type: "integer",
      description: "The actual size in bytes (LVM rounds to extents).",
    },
    deviceSizeBytes: {
      type: "integer",
      description:
        "What devicePath exposes, in bytes: sizeBytes once the volume is set up; 0 while an imported volume's adoption waits for its first update; less than sizeBytes when the LV was extended outside Pulumi (a refresh reports it, the next update maps the device to the whole volume).",
    },
    createdAt: {
      type: "string",
      description: "When LVM created the LV (ISO 8601).",
    },
    adopt: {
      type: "boolean",
      optional: true,
      description: "Whether the volume was adopted rather than created, as declared.",
    },
    image: {
      type: { ref: "VolumeImageSource" },
      optional: true,
      description: "The image the volume was filled from, as declared.",
    },
  },
} as const satisfies ResourceDefinition;

export const volumeImageSource = {
  description: "An image to fill a Volume from: exactly one of `url`, `hostPath` and `localFile`.",
  properties: {
    url: {
      type: "string",
      description: "An http(s) URL the volume's host downloads (with curl). Wrap a URL that carries credentials (a password, a pre-signed query) in a secret.",
    },
    hostPath: {
      type: "string",
      description: "An absolute path of a file on the volume's host.",
    },
    localFile: {
      type: "string",
      description: "A file on the machine running Pulumi, streamed to the host over SSH (relative paths are taken from the program's directory).",
    },
    format: {
      type: { enum: ["raw", "qcow2", "vmdk", "vdi", "vhdx", "vpc"] },
      required: true,
      description: "The image's format: raw, qcow2, vmdk, vdi, vhdx or vpc (VHD).",
    },
    sha256: {
      type: "string",
      description: "The image file's SHA-256 (hex); the copy is refused when it differs. Pins a URL's or file's content.",
    },
  },
} as const satisfies ObjectTypeDefinition;
