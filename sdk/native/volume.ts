import * as pulumi from "@pulumi/pulumi";
import { resourceTokens } from "../../provider/identity";
import { retainAdopted } from "../adopt";
import { isResourceOf } from "../instance";
import { volumeProperties, type Volume as DynamicVolume, type VolumeArgs } from "../volume";

/** The outputs, exactly as the dynamic SDK's Volume declares them: one resource, two ways to reach it. */
type VolumeOutputs = Omit<DynamicVolume, keyof pulumi.CustomResource>;

// Merged into the class below: its output fields, without restating them.
export interface Volume extends VolumeOutputs {}

/**
 * The Volume of the native plugin (`pulumi-resource-cinderblock`), under the package token
 * `cinderblock:index:Volume`: what `pulumi import` brings in and the code it generates declares
 * (schema.json's `language.nodejs.packageName` points that code here). It takes the dynamic
 * SDK's arguments; the plugin fills in `uuid` and the default `name` from the URN, and keeps
 * those of a resource that exists (an imported one keeps the LV's name).
 */
export class Volume extends pulumi.CustomResource {
  /** Whether `obj` is a Volume of the native plugin (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is Volume {
    return isResourceOf(obj, resourceTokens.Volume);
  }

  /** Looks up an existing volume by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Volume {
    return new Volume(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VolumeArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VolumeArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const props = volumeProperties(args);
    super(resourceTokens.Volume, name, props, retainAdopted(args?.adopt, opts));
  }
}
