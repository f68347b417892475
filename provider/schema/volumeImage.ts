import type { ObjectTypeDefinition, ResourceDefinition } from "./model";

/** The VolumeImage resource (provider/volumeImage.ts) and where it writes its file. */
export const volumeImage = {
  token: "cinderblock:index:VolumeImage",
  description:
    "An image file made from a Volume: the volume as of creation, read from a temporary snapshot so that it is consistent while the volume is in use. Every change writes a new file (a replacement: created first when it goes to another path, the old file deleted first when it keeps the path). Deleting the resource deletes the file, unless it changed since it was written (then it is left, with a warning). Its id is `hostPath|localFile:<volume id>:<path>`.",
  import: {
    noun: "image",
    idShape: "hostPath|localFile:<volume id>:<path>",
    note: "The file must exist; its format and checksum are read from it.",
    example: { name: "backup", id: "hostPath:prod/store-1/cinder-volumes/data:/srv/images/data.qcow2" },
  },
  inputs: {
    volumeId: {
      type: "string",
      required: true,
      description: "The volume to copy (a Volume's id). Changing it replaces the image.",
    },
    target: {
      type: { ref: "VolumeImageTarget" },
      required: true,
      description: "Where to write the image file; an existing file is never overwritten. Changing it replaces the image.",
    },
    format: {
      type: { enum: ["raw", "qcow2"] },
      required: true,
      description: "`raw` or `qcow2`. Changing it replaces the image.",
    },
    compress: {
      type: "boolean",
      description: "Compress a qcow2 image (slower to write, smaller). Changing it replaces the image.",
    },
  },
  outputs: {
    volumeId: {
      type: "string",
      description: "The volume the image was made from.",
    },
    target: {
      type: { ref: "VolumeImageTarget" },
      description: "Where the image was asked to be written.",
    },
    format: {
      type: "string",
      description: "The image's format.",
    },
    compress: {
      type: "boolean",
      optional: true,
      description: "Whether a qcow2 image was asked to be compressed.",
    },
    path: {
      type: "string",
      description: "The absolute path of the file (on the volume's host for `hostPath`).",
    },
    sizeBytes: {
      type: "integer",
      description: "The file's size in bytes.",
    },
    virtualSizeBytes: {
      type: "integer",
      description: "The size of the disk the image holds (the volume's size) in bytes.",
    },
    sha256: {
      type: "string",
      description: "The file's SHA-256, hex.",
    },
  },
} as const satisfies ResourceDefinition;

export const volumeImageTarget = {
  description: "Where a VolumeImage is written: exactly one of `hostPath` and `localFile`.",
  properties: {
    hostPath: {
      type: "string",
      description: "An absolute path on the volume's host.",
    },
    localFile: {
      type: "string",
      description: "A path on the machine running Pulumi (relative paths are taken from the program's directory).",
    },
  },
} as const satisfies ObjectTypeDefinition;
