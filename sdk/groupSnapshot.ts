import * as pulumi from "@pulumi/pulumi";
import { identityOf } from "./identity";
import { dynamicType, isResourceOf } from "./instance";
import { shims } from "./shim";

/** The arguments for constructing a {@link GroupSnapshot}. */
export interface GroupSnapshotArgs {
  /** The group to snapshot (a ConsistencyGroup's id). Changing it replaces the set. */
  readonly groupId: pulumi.Input<string>;
  /**
   * The set's name, unique per host (its snapshots' LV names start with it): 1 to 54 letters,
   * digits, `+`, `_`, `.` or `-`, starting with a letter or digit. Defaults to the resource
   * name made LVM-safe plus `-` and 8 hex digits of the set's uuid. Changing it replaces the set.
   */
  readonly name?: pulumi.Input<string>;
}

/**
 * A crash-consistent snapshot of every member of a {@link ConsistencyGroup}, taken at one
 * instant: the members' I/O is paused (not failed) for about one snapshot creation per member,
 * bounded by the backend's `groupSnapshotMaxPauseSeconds`. Each member's snapshot is a normal
 * snapshot: use `snapshotIds[volumeId]` as a Volume's `sourceSnapshotId`, or the set's id as a
 * ConsistencyGroup's `sourceGroupSnapshotId`.
 */
export class GroupSnapshot extends pulumi.dynamic.Resource {
  /** The group the set was taken of. */
  declare readonly groupId: pulumi.Output<string>;
  /** The set's name. */
  declare readonly name: pulumi.Output<string>;
  /** The set's identity, fixed when it is created and kept through renames. */
  declare readonly uuid: pulumi.Output<string>;
  /** The backend the set is on. */
  declare readonly backend: pulumi.Output<string>;
  /** The host the set is on. */
  declare readonly host: pulumi.Output<string>;
  /** Member volume id → the id of that member's snapshot in the set. */
  declare readonly snapshotIds: pulumi.Output<Record<string, string>>;
  /** When the set was taken (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** How long the members' I/O was paused while the set was taken, in milliseconds (unknown for a set read with `get`). */
  declare readonly ioPauseMs: pulumi.Output<number | undefined>;

  /** Whether `obj` is a GroupSnapshot of this SDK (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is GroupSnapshot {
    return isResourceOf(obj, dynamicType("GroupSnapshot"));
  }

  /** Looks up an existing group snapshot by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): GroupSnapshot {
    return new GroupSnapshot(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: GroupSnapshotArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: GroupSnapshotArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const identity = args && identityOf("GroupSnapshot", name, args.name);
    const props = groupSnapshotProperties(args);
    super(shims.GroupSnapshot, name, { ...props, identity }, opts, "cinderblock", "GroupSnapshot");
  }
}

/**
 * The properties a GroupSnapshot registers, shared with the native class (sdk/native): every output is
 * listed, even when undefined, since Pulumi only makes Outputs of properties it is given.
 */
export function groupSnapshotProperties(args: GroupSnapshotArgs | undefined): Record<Exclude<keyof GroupSnapshot, keyof pulumi.CustomResource>, unknown> {
  return {
    groupId: args?.groupId,
    name: args?.name,
    uuid: undefined,
    backend: undefined,
    host: undefined,
    snapshotIds: undefined,
    createdAt: undefined,
    ioPauseMs: undefined,
  };
}
