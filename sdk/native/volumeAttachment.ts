import * as pulumi from "@pulumi/pulumi";
import { resourceTokens } from "../../provider/identity";
import { isResourceOf } from "../instance";
import {
  volumeAttachmentProperties,
  withSecretOutputs,
  type VolumeAttachment as DynamicVolumeAttachment,
  type VolumeAttachmentArgs,
} from "../volumeAttachment";

/** The outputs, exactly as the dynamic SDK's VolumeAttachment declares them. */
type VolumeAttachmentOutputs = Omit<DynamicVolumeAttachment, keyof pulumi.CustomResource>;

// Merged into the class below: its output fields, without restating them.
export interface VolumeAttachment extends VolumeAttachmentOutputs {}

/** The VolumeAttachment of the native plugin, under the package token `cinderblock:index:VolumeAttachment` (see ./volume.ts): the dynamic SDK's arguments. */
export class VolumeAttachment extends pulumi.CustomResource {
  /** Whether `obj` is a VolumeAttachment of the native plugin (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is VolumeAttachment {
    return isResourceOf(obj, resourceTokens.VolumeAttachment);
  }

  /** Looks up an existing attachment by id and tracks it read-only: Read grants nothing. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VolumeAttachment {
    return new VolumeAttachment(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VolumeAttachmentArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VolumeAttachmentArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(resourceTokens.VolumeAttachment, name, volumeAttachmentProperties(args), withSecretOutputs(opts));
  }
}
