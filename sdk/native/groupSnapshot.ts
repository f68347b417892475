import * as pulumi from "@pulumi/pulumi";
import { resourceTokens } from "../../provider/identity";
import { isResourceOf } from "../instance";
import { groupSnapshotProperties, type GroupSnapshot as DynamicGroupSnapshot, type GroupSnapshotArgs } from "../groupSnapshot";

/** The outputs, exactly as the dynamic SDK's GroupSnapshot declares them. */
type GroupSnapshotOutputs = Omit<DynamicGroupSnapshot, keyof pulumi.CustomResource>;

// Merged into the class below: its output fields, without restating them.
export interface GroupSnapshot extends GroupSnapshotOutputs {}

/** The GroupSnapshot of the native plugin, under the package token `cinderblock:index:GroupSnapshot` (see ./volume.ts): the dynamic SDK's arguments. */
export class GroupSnapshot extends pulumi.CustomResource {
  /** Whether `obj` is a GroupSnapshot of the native plugin (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is GroupSnapshot {
    return isResourceOf(obj, resourceTokens.GroupSnapshot);
  }

  /** Looks up an existing group snapshot by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): GroupSnapshot {
    return new GroupSnapshot(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: GroupSnapshotArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: GroupSnapshotArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(resourceTokens.GroupSnapshot, name, groupSnapshotProperties(args), opts);
  }
}
