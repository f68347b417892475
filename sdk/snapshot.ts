import * as pulumi from "@pulumi/pulumi";
import { retainAdopted } from "./adopt";
import { identityOf } from "./identity";
import { dynamicType, isResourceOf } from "./instance";
import { shims } from "./shim";

/** The arguments for constructing a {@link Snapshot}. */
export interface SnapshotArgs {
  /** The volume to snapshot (a Volume's id). Changing it replaces the snapshot. */
  readonly volumeId: pulumi.Input<string>;
  /**
   * The snapshot's LV name: 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting with a
   * letter or digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex digits of
   * the snapshot's uuid. Changing it replaces the snapshot.
   */
  readonly name?: pulumi.Input<string>;
  /** Free text of at most 512 bytes, stored as an LV tag. Changing it replaces the snapshot (drivers cannot edit a snapshot). */
  readonly description?: pulumi.Input<string>;
  /**
   * Adopt the existing snapshot LV named `name` of the volume `volumeId` instead of taking a
   * snapshot; it must be a snapshot of that volume, else create fails having changed nothing.
   * Needs `name`. Changing it later changes nothing. Unless it is `false`, `retainOnDelete`
   * defaults to true (release it fully with `cinderblock unmanage snapshot ID`).
   */
  readonly adopt?: pulumi.Input<boolean>;
}

/**
 * A point-in-time snapshot of a {@link Volume}, on the volume's host (thin when the volume is
 * thin). Its id is the driver's `backend/host/volume-group/lv`; use it as a Volume's
 * `sourceSnapshotId` to make a volume from it.
 */
export class Snapshot extends pulumi.dynamic.Resource {
  /** The volume the snapshot was asked of. */
  declare readonly volumeId: pulumi.Output<string>;
  /** The snapshot's name (its LV name, before LVM's reserved-prefix escaping). */
  declare readonly name: pulumi.Output<string>;
  /** The description, if any. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The snapshot's identity: its LV's `cb.uuid` tag, fixed when it is created and kept through renames. */
  declare readonly uuid: pulumi.Output<string>;
  /** The source volume's size in whole GiB when the snapshot was taken. */
  declare readonly sizeGb: pulumi.Output<number>;
  /** The volume the snapshot was taken of, as the backend records it. */
  declare readonly sourceVolumeId: pulumi.Output<string>;
  /** The host the snapshot is on. */
  declare readonly host: pulumi.Output<string>;
  /** The host's volume group holding the LV. */
  declare readonly volumeGroup: pulumi.Output<string>;
  /** The snapshot LV's name on the host. */
  declare readonly lvName: pulumi.Output<string>;
  /** When LVM created the snapshot (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** Whether the snapshot was adopted rather than taken, as declared. */
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  /** Whether `obj` is a Snapshot of this SDK (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is Snapshot {
    return isResourceOf(obj, dynamicType("Snapshot"));
  }

  /** Looks up an existing snapshot by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Snapshot {
    return new Snapshot(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: SnapshotArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: SnapshotArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const identity = args && identityOf("Snapshot", name, args.name);
    if (args?.adopt === true && args.name === undefined) throw new Error(`Snapshot ${name}: adopt needs name, the name of the snapshot LV to adopt`);
    const props = snapshotProperties(args);
    super(shims.Snapshot, name, { ...props, identity }, retainAdopted(args?.adopt, opts), "cinderblock", "Snapshot");
  }
}

/**
 * The properties a Snapshot registers, shared by this class and the native one (sdk/native): every
 * output is listed, even when undefined, since Pulumi only makes Outputs of properties it is given.
 */
export function snapshotProperties(args: SnapshotArgs | undefined): Record<Exclude<keyof Snapshot, keyof pulumi.CustomResource>, unknown> {
  return {
    volumeId: args?.volumeId,
    name: args?.name,
    description: args?.description,
    uuid: undefined,
    sizeGb: undefined,
    sourceVolumeId: undefined,
    host: undefined,
    volumeGroup: undefined,
    lvName: undefined,
    createdAt: undefined,
    adopt: args?.adopt,
  };
}
