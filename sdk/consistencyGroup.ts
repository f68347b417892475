import * as pulumi from "@pulumi/pulumi";
import { identityOf } from "./identity";
import { dynamicType, isResourceOf } from "./instance";
import { shims } from "./shim";

/** The arguments for constructing a {@link ConsistencyGroup}: its members, or a source to make them from. */
export interface ConsistencyGroupArgs {
  /** The backend of the group (a name from the backends configuration). Changing it replaces the group. */
  readonly backend: pulumi.Input<string>;
  /**
   * The group's name, unique per host: 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting
   * with a letter or digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex
   * digits of the group's uuid. Changing it replaces the group.
   */
  readonly name?: pulumi.Input<string>;
  /**
   * The members: Volume ids, all on one host of `backend` (a group snapshot pauses their I/O
   * with that host's device-mapper), none in another group. Changing them adds and removes
   * members in place. Excludes the sources.
   */
  readonly volumeIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Make the members from this GroupSnapshot: one new volume per member snapshot, holding its
   * data. The group owns those volumes: deleting the group deletes them. Changing it replaces the group.
   */
  readonly sourceGroupSnapshotId?: pulumi.Input<string>;
  /**
   * Make the members as copies of this group's volumes, all taken at one crash-consistent
   * instant. The group owns those volumes. Changing it replaces the group.
   */
  readonly sourceGroupId?: pulumi.Input<string>;
}

/**
 * A consistency group: volumes on one host whose GroupSnapshots are crash-consistent (no
 * snapshot in a set holds a write without every write that completed before it was issued).
 * A group is recorded as tags on its volumes; its id is `backend/host/volume-group/name`.
 */
export class ConsistencyGroup extends pulumi.dynamic.Resource {
  /** The backend the group is on. */
  declare readonly backend: pulumi.Output<string>;
  /** The group's name. */
  declare readonly name: pulumi.Output<string>;
  /** The members as declared (for a group of given volumes). */
  declare readonly volumeIds: pulumi.Output<string[] | undefined>;
  /** The group snapshot the members were made from, if any. */
  declare readonly sourceGroupSnapshotId: pulumi.Output<string | undefined>;
  /** The group the members were copied from, if any. */
  declare readonly sourceGroupId: pulumi.Output<string | undefined>;
  /** The group's identity, fixed when it is created and kept through renames. */
  declare readonly uuid: pulumi.Output<string>;
  /** The host of every member. */
  declare readonly host: pulumi.Output<string>;
  /** The host's volume group holding the members. */
  declare readonly volumeGroup: pulumi.Output<string>;
  /** The members' Volume ids as the backend reports them, sorted (for a group made from a source, the volumes it made). */
  declare readonly members: pulumi.Output<string[]>;

  /** Whether `obj` is a ConsistencyGroup of this SDK (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is ConsistencyGroup {
    return isResourceOf(obj, dynamicType("ConsistencyGroup"));
  }

  /** Looks up an existing group by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): ConsistencyGroup {
    return new ConsistencyGroup(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: ConsistencyGroupArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: ConsistencyGroupArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const identity = args && identityOf("ConsistencyGroup", name, args.name);
    const props = consistencyGroupProperties(args);
    super(shims.ConsistencyGroup, name, { ...props, identity }, opts, "cinderblock", "ConsistencyGroup");
  }
}

/**
 * The properties a ConsistencyGroup registers, shared with the native class (sdk/native): every output is
 * listed, even when undefined, since Pulumi only makes Outputs of properties it is given.
 */
export function consistencyGroupProperties(
  args: ConsistencyGroupArgs | undefined,
): Record<Exclude<keyof ConsistencyGroup, keyof pulumi.CustomResource>, unknown> {
  return {
    backend: args?.backend,
    name: args?.name,
    volumeIds: args?.volumeIds,
    sourceGroupSnapshotId: args?.sourceGroupSnapshotId,
    sourceGroupId: args?.sourceGroupId,
    uuid: undefined,
    host: undefined,
    volumeGroup: undefined,
    members: undefined,
  };
}
