import * as pulumi from "@pulumi/pulumi";
import { retainAdopted } from "./adopt";
import { identityOf } from "./identity";
import { dynamicType, isResourceOf } from "./instance";
import { shims } from "./shim";

/** The arguments for constructing a {@link Volume}. */
export interface VolumeArgs {
  /** The backend to create the volume on: a name from the backends configuration (e.g. `lab`). Changing it replaces the volume. */
  readonly backend: pulumi.Input<string>;
  /**
   * The LV name: 1 to 54 letters, digits, `+`, `_`, `.` or `-`, starting with a letter or
   * digit. Defaults to the resource name made LVM-safe plus `-` and 8 hex digits of the
   * volume's uuid, fixed at create. Changing it replaces the volume. A name you set is kept by
   * replacements, so they delete the old volume before creating the new one (no volume in
   * between); with the default name, the new one is created first.
   */
  readonly name?: pulumi.Input<string>;
  /** Size in whole GiB, at least 1. Growing it extends the volume in place; shrinking is refused. */
  readonly sizeGb: pulumi.Input<number>;
  /** Thin (from the host's thin pool) or thick. Defaults to the backend's choice. Changing it replaces the volume. */
  readonly thin?: pulumi.Input<boolean>;
  /** The backend host to place the volume on. Defaults to the driver's choice (a volume from a source goes on the source's host). Changing it replaces the volume. */
  readonly host?: pulumi.Input<string>;
  /** Create the volume from this snapshot (a Snapshot's id). Excludes `sourceVolumeId`. Changing it replaces the volume. */
  readonly sourceSnapshotId?: pulumi.Input<string>;
  /** Create the volume as a clone of this volume (a Volume's id). Excludes `sourceSnapshotId`. Changing it replaces the volume. */
  readonly sourceVolumeId?: pulumi.Input<string>;
  /** Free text of at most 512 bytes, stored as an LV tag. Changes in place. */
  readonly description?: pulumi.Input<string>;
  /** Labels stored as LV tags: lower-case keys (letters, digits, `_.-`), values of letters, digits and `_.+:/-`. Changes in place. */
  readonly labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Adopt the existing LV named `name` (on `host`, or wherever the backend finds it) instead of
   * creating one: cinderblock tags it and gives it its gate device, never touching its data.
   * The LV must match `sizeGb` (whole GiB, rounded up) and `thin` when set, else create fails
   * saying what differs, having changed nothing. Needs `name`; excludes the sources. Changing
   * it later changes nothing. Unless it is `false`, `retainOnDelete` defaults to true, so that
   * destroying the stack, removing the resource or replacing it leaves the LV and its data
   * (release it fully with `cinderblock unmanage volume ID`; set `retainOnDelete: false` to let
   * Pulumi delete it).
   */
  readonly adopt?: pulumi.Input<boolean>;
  /**
   * Fill the new volume from an image, checked before anything is written (its real format
   * must be the declared one; backing files, qcow2 data files and vmdk types other than
   * monolithicSparse and streamOptimized are refused; its virtual size must fit `sizeGb`).
   * Excludes the sources and `adopt`. Changing it replaces the volume.
   */
  readonly image?: pulumi.Input<VolumeImageSource>;
}

/** An image to fill a {@link Volume} from: exactly one of `url`, `hostPath` and `localFile`. */
export interface VolumeImageSource {
  /**
   * An http(s) URL the volume's host downloads (with curl). Wrap a URL that carries
   * credentials (a password, a pre-signed query) in `pulumi.secret`.
   */
  readonly url?: pulumi.Input<string>;
  /** An absolute path of a file on the volume's host. */
  readonly hostPath?: pulumi.Input<string>;
  /** A file on the machine running Pulumi, streamed to the host over SSH (relative paths are taken from the program's directory). */
  readonly localFile?: pulumi.Input<string>;
  /** The image's format: raw, qcow2, vmdk, vdi, vhdx or vpc (VHD). */
  readonly format: pulumi.Input<"raw" | "qcow2" | "vmdk" | "vdi" | "vhdx" | "vpc">;
  /** The image file's SHA-256 (hex); the copy is refused when it differs. Pins a URL's or file's content. */
  readonly sha256?: pulumi.Input<string>;
}

/**
 * A block volume: an LVM logical volume on a host of a configured backend, thin or thick,
 * empty or made from a snapshot or a clone of another volume. Its id is the driver's
 * `backend/host/volume-group/lv`.
 */
export class Volume extends pulumi.dynamic.Resource {
  /** The backend the volume is on. */
  declare readonly backend: pulumi.Output<string>;
  /** The volume's name (its LV name, before LVM's reserved-prefix escaping). */
  declare readonly name: pulumi.Output<string>;
  /** The actual size in whole GiB (rounded up). */
  declare readonly sizeGb: pulumi.Output<number>;
  /** Whether the volume is thin. */
  declare readonly thin: pulumi.Output<boolean>;
  /** The host the volume is on. */
  declare readonly host: pulumi.Output<string>;
  /** The snapshot the volume was made from, if any. */
  declare readonly sourceSnapshotId: pulumi.Output<string | undefined>;
  /** The volume this one was cloned from, if any. */
  declare readonly sourceVolumeId: pulumi.Output<string | undefined>;
  /** The description, if any. */
  declare readonly description: pulumi.Output<string | undefined>;
  /** The labels (empty when none). */
  declare readonly labels: pulumi.Output<Record<string, string>>;
  /** The volume's identity: its LV's `cb.uuid` tag, fixed when it is created and kept through renames. */
  declare readonly uuid: pulumi.Output<string>;
  /** The host's volume group holding the LV. */
  declare readonly volumeGroup: pulumi.Output<string>;
  /** The LV's name on the host. */
  declare readonly lvName: pulumi.Output<string>;
  /** The block device to use on the host (the volume's gate device, not the LV itself). */
  declare readonly devicePath: pulumi.Output<string>;
  /** The actual size in bytes (LVM rounds to extents). */
  declare readonly sizeBytes: pulumi.Output<number>;
  /** What devicePath exposes, in bytes: less than sizeBytes after the LV was extended outside Pulumi, until the next update; 0 while an import's adoption waits for its first update. */
  declare readonly deviceSizeBytes: pulumi.Output<number>;
  /** When LVM created the LV (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** The image the volume was filled from, as declared. */
  declare readonly image: pulumi.Output<VolumeImageSource | undefined>;
  /** Whether the volume was adopted rather than created, as declared. */
  declare readonly adopt: pulumi.Output<boolean | undefined>;

  /** Whether `obj` is a Volume of this SDK (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is Volume {
    return isResourceOf(obj, dynamicType("Volume"));
  }

  /** Looks up an existing volume by id and tracks it read-only. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): Volume {
    return new Volume(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VolumeArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VolumeArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    const identity = args && identityOf("Volume", name, args.name);
    if (args?.adopt === true && args.name === undefined) throw new Error(`Volume ${name}: adopt needs name, the name of the LV to adopt`);
    const props = volumeProperties(args);
    super(shims.Volume, name, { ...props, identity }, retainAdopted(args?.adopt, opts), "cinderblock", "Volume");
  }
}

/**
 * The properties a Volume registers, shared by this class and the native one (sdk/native): every
 * output is listed, even when undefined, since Pulumi only makes Outputs of properties it is given.
 */
export function volumeProperties(args: VolumeArgs | undefined): Record<Exclude<keyof Volume, keyof pulumi.CustomResource>, unknown> {
  return {
    backend: args?.backend,
    name: args?.name,
    sizeGb: args?.sizeGb,
    thin: args?.thin,
    host: args?.host,
    sourceSnapshotId: args?.sourceSnapshotId,
    sourceVolumeId: args?.sourceVolumeId,
    description: args?.description,
    labels: args?.labels,
    uuid: undefined,
    volumeGroup: undefined,
    lvName: undefined,
    devicePath: undefined,
    sizeBytes: undefined,
    deviceSizeBytes: undefined,
    createdAt: undefined,
    adopt: args?.adopt,
    image: args?.image,
  };
}
