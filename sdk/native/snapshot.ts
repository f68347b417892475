import * as pulumi from "@pulumi/pulumi";
import { resourceTokens } from "../../provider/identity";
import { retainAdopted } from "../adopt";
import { isResourceOf } from "../instance";
import { snapshotProperties, type Snapshot as DynamicSnapshot, type SnapshotArgs } from "../snapshot";

/** The outputs, exactly as the dynamic SDK's Snapshot declares them. */
type SnapshotOutputs = Omit<DynamicSnapshot, keyof pulumi.CustomResource>;

// Merged into the class below: its output fields, without restating them.
export interface Snapshot extends SnapshotOutputs {}

/**
 * The Snapshot of the native plugin, under the package token `cinderblock:index:Snapshot` (see
 * ./volume.ts): the dynamic SDK's arguments; `uuid` and the default `name` come from the plugin.
 */
export class Snapshot extends pulumi.CustomResource {
  /** Whether `obj` is a Snapshot of the native plugin (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is Snapshot {
    return isResourceOf(obj, resourceTokens.Snapshot);
  }

  /** Looks up an existing snapshot by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Snapshot {
    return new Snapshot(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: SnapshotArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: SnapshotArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const props = snapshotProperties(args);
    super(resourceTokens.Snapshot, name, props, retainAdopted(args?.adopt, opts));
  }
}
