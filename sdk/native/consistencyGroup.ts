import * as pulumi from "@pulumi/pulumi";
import { resourceTokens } from "../../provider/identity";
import { isResourceOf } from "../instance";
import { consistencyGroupProperties, type ConsistencyGroup as DynamicConsistencyGroup, type ConsistencyGroupArgs } from "../consistencyGroup";

/** The outputs, exactly as the dynamic SDK's ConsistencyGroup declares them. */
type ConsistencyGroupOutputs = Omit<DynamicConsistencyGroup, keyof pulumi.CustomResource>;

// Merged into the class below: its output fields, without restating them.
export interface ConsistencyGroup extends ConsistencyGroupOutputs {}

/** The ConsistencyGroup of the native plugin, under the package token `cinderblock:index:ConsistencyGroup` (see ./volume.ts): the dynamic SDK's arguments. */
export class ConsistencyGroup extends pulumi.CustomResource {
  /** Whether `obj` is a ConsistencyGroup of the native plugin (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is ConsistencyGroup {
    return isResourceOf(obj, resourceTokens.ConsistencyGroup);
  }

  /** Looks up an existing group by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ConsistencyGroup {
    return new ConsistencyGroup(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: ConsistencyGroupArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: ConsistencyGroupArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(resourceTokens.ConsistencyGroup, name, consistencyGroupProperties(args), opts);
  }
}
