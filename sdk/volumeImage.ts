import * as pulumi from "@pulumi/pulumi";
import { dynamicType, isResourceOf } from "./instance";
import { shims } from "./shim";

/** Where a {@link VolumeImage} is written: exactly one of the two. */
export interface VolumeImageTarget {
  /** An absolute path on the volume's host. */
  readonly hostPath?: pulumi.Input<string>;
  /** A path on the machine running Pulumi (relative paths are taken from the program's directory). */
  readonly localFile?: pulumi.Input<string>;
}

/** The arguments for constructing a {@link VolumeImage}. */
export interface VolumeImageArgs {
  /** The volume to copy (a Volume's id). Changing it replaces the image. */
  readonly volumeId: pulumi.Input<string>;
  /** Where to write the image file; an existing file is never overwritten. Changing it replaces the image. */
  readonly target: pulumi.Input<VolumeImageTarget>;
  /** `raw` or `qcow2`. Changing it replaces the image. */
  readonly format: pulumi.Input<"raw" | "qcow2">;
  /** Compress a qcow2 image (slower to write, smaller). Changing it replaces the image. */
  readonly compress?: pulumi.Input<boolean>;
}

/**
 * An image file made from a {@link Volume}: the volume as of creation, read from a temporary
 * snapshot so that it is consistent while the volume is in use. Every change writes a new
 * file (replacing: the new file is written first when it goes to another path, the old one is
 * deleted first when it stays at the same path). Deleting the resource deletes the file, unless
 * it changed since it was written (then it is left, with a warning). Its id is
 * `hostPath|localFile:<volume id>:<path>`.
 */
export class VolumeImage extends pulumi.dynamic.Resource {
  /** The volume the image was made from. */
  declare readonly volumeId: pulumi.Output<string>;
  /** Where the image was asked to be written. */
  declare readonly target: pulumi.Output<VolumeImageTarget>;
  /** The image's format. */
  declare readonly format: pulumi.Output<"raw" | "qcow2">;
  /** Whether a qcow2 image was asked to be compressed. */
  declare readonly compress: pulumi.Output<boolean | undefined>;
  /** The absolute path of the file (on the volume's host for `hostPath`). */
  declare readonly path: pulumi.Output<string>;
  /** The file's size in bytes. */
  declare readonly sizeBytes: pulumi.Output<number>;
  /** The size of the disk the image holds (the volume's size) in bytes. */
  declare readonly virtualSizeBytes: pulumi.Output<number>;
  /** The file's SHA-256, hex. */
  declare readonly sha256: pulumi.Output<string>;

  /** Whether `obj` is a VolumeImage of this SDK (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is VolumeImage {
    return isResourceOf(obj, dynamicType("VolumeImage"));
  }

  /** Looks up an existing image file by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VolumeImage {
    return new VolumeImage(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VolumeImageArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VolumeImageArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const props = volumeImageProperties(args);
    super(shims.VolumeImage, name, props, opts, "cinderblock", "VolumeImage");
  }
}

/**
 * The properties a VolumeImage registers, shared with the native class (sdk/native): every output is
 * listed, even when undefined, since Pulumi only makes Outputs of properties it is given.
 */
export function volumeImageProperties(args: VolumeImageArgs | undefined): Record<Exclude<keyof VolumeImage, keyof pulumi.CustomResource>, unknown> {
  return {
    volumeId: args?.volumeId,
    target: args?.target,
    format: args?.format,
    compress: args?.compress,
    path: undefined,
    sizeBytes: undefined,
    virtualSizeBytes: undefined,
    sha256: undefined,
  };
}
