import * as pulumi from "@pulumi/pulumi";
import { resourceTokens } from "../../provider/identity";
import { isResourceOf } from "../instance";
import { volumeImageProperties, type VolumeImage as DynamicVolumeImage, type VolumeImageArgs } from "../volumeImage";

/** The outputs, exactly as the dynamic SDK's VolumeImage declares them. */
type VolumeImageOutputs = Omit<DynamicVolumeImage, keyof pulumi.CustomResource>;

// Merged into the class below: its output fields, without restating them.
export interface VolumeImage extends VolumeImageOutputs {}

/** The VolumeImage of the native plugin, under the package token `cinderblock:index:VolumeImage` (see ./volume.ts): the dynamic SDK's arguments. */
export class VolumeImage extends pulumi.CustomResource {
  /** Whether `obj` is a VolumeImage of the native plugin (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is VolumeImage {
    return isResourceOf(obj, resourceTokens.VolumeImage);
  }

  /** Looks up an existing image by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VolumeImage {
    return new VolumeImage(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VolumeImageArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VolumeImageArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(resourceTokens.VolumeImage, name, volumeImageProperties(args), opts);
  }
}
