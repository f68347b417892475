import { isIP } from "node:net";
import { z } from "zod";
import { checkTarget, sshTargetObject } from "../ssh/target";
import { IQN_PREFIX, NQN_PREFIX, splitPortal } from "../targets";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const VG_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,31}$/;
const port = z.number().int().min(1).max(65535);
const portal = z.string().refine((value) => {
  try {
    splitPortal(value);
    return true;
  } catch {
    return false;
  }
}, "must be address:port (IPv6 as [address]:port)");

/** One LVM host of a backend: how to reach it over SSH, plus per-host overrides. */
export const lvmHostSchema = sshTargetObject
  .extend({
    /** The host's name inside the backend; part of every id, so keep it stable. */
    name: z.string().regex(NAME, "must be 1-32 letters, digits, '_', '.', '-', starting alphanumeric"),
    /** Overrides the backend's volume group on this host. */
    volumeGroup: z.string().regex(VG_NAME, "is not a valid volume group name").optional(),
    /**
     * The `address:port` pairs iSCSI initiators use to reach this host's targets (first one
     * first); defaults to the SSH address and `iscsiPort`. Set them when initiators see the
     * host under another address (NAT, a storage network).
     */
    iscsiPortals: z.array(portal).min(1).optional(),
    /** The same for NVMe/TCP; defaults to the SSH address and `nvmePort`. */
    nvmePortals: z.array(portal).min(1).optional(),
  })
  .superRefine(checkTarget);

/**
 * An LVM backend (Cinder's LVMVolumeDriver options, camel-cased). Defaults follow Cinder,
 * except where Cinder's default is a known hazard (noted per field).
 */
export const lvmBackendSchema = z
  .object({
    driver: z.literal("lvm"),
    hosts: z.array(lvmHostSchema).min(1, "a backend needs at least one host"),
    volumeGroup: z.string().regex(VG_NAME, "is not a valid volume group name").default("cinder-volumes"),
    /**
     * `default` (thick), `thin` (a thin pool is created when missing), or `auto`: thin when the
     * pool exists or the VG is empty. Unlike Cinder's `auto`, a VG that already holds thick
     * LVs is never turned thin behind the operator's back.
     */
    lvmType: z.enum(["default", "thin", "auto"]).default("auto"),
    /** Thin pool LV name; defaults to `<vg>-pool` as in Cinder. */
    thinPool: z.string().regex(VG_NAME, "is not a valid LV name").optional(),
    /**
     * Pool size as a percentage of the VG's free space when it is created. Cinder takes 95%,
     * leaving no room for thick volumes or thick snapshots; 80 keeps some.
     */
    thinPoolPercent: z.number().int().min(10).max(95).default(80),
    /** Wipe thick volumes and thick snapshots' copy-on-write data on delete. */
    volumeClear: z.enum(["zero", "none"]).default("zero"),
    /** MiB to wipe; 0 means the whole volume. */
    volumeClearSizeMib: z.number().int().min(0).max(1024).default(0),
    /**
     * Cinder's image_conversion_dir: where images are staged on the hosts while they are
     * checked and converted. Give it its own mount (large images have filled root file
     * systems); only cinderblock's own files there (`cb-stage-*`) are ever removed.
     */
    imageConversionDir: z
      .string()
      .regex(/^\/[A-Za-z0-9_./-]*$/, "must be an absolute path of letters, digits and _ . / -")
      .refine((path) => !path.split("/").includes(".."), "must not contain '..'")
      .default("/var/tmp/cinderblock"),
    /** Names of iSCSI targets: `<prefix>:volume-<uuid>` (Cinder's target_prefix). */
    iscsiTargetPrefix: z.string().regex(IQN_PREFIX, "must be iqn.YYYY-MM.reversed.domain in lower case").default("iqn.2025-01.dev.cinderblock"),
    /** Names of NVMe subsystems: `<prefix>:volume-<uuid>` (Cinder's target_prefix for nvmet). */
    nvmeTargetPrefix: z.string().regex(NQN_PREFIX, "must be nqn.YYYY-MM.reversed.domain in lower case").default("nqn.2025-01.dev.cinderblock"),
    /** The address targets listen on, on every host (Cinder's target_ip_address); 0.0.0.0: all of them. */
    targetListenAddress: z
      .string()
      .refine((value) => isIP(value) !== 0, "must be an IPv4 or IPv6 address")
      .default("0.0.0.0"),
    /** The port iSCSI targets listen on (Cinder's target_port). */
    iscsiPort: port.default(3260),
    /** The port NVMe/TCP subsystems listen on. */
    nvmePort: port.default(4420),
    reservedPercentage: z.number().int().min(0).max(100).default(0),
    /** Cinder's capacity_weight_multiplier: positive spreads new volumes over hosts (most free space first), negative stacks them. */
    capacityWeightMultiplier: z.number().default(1),
    /** How long `getVolumeStats(false)` reuses host stats; placement always reads the hosts afresh. */
    statsCacheSeconds: z.number().min(0).max(3600).default(10),
    maxOverSubscriptionRatio: z.union([z.number().min(1), z.literal("auto")]).default(20),
    /**
     * Whether adopting an existing LV (manage) renames it to the name asked for (default
     * `volume-<uuid>` / `snapshot-<uuid>`), as Cinder always does. Off by default: other tools
     * or fstab entries may know the LV by its name, and cinderblock's tags are enough to find it.
     */
    manageRename: z.boolean().default(false),
    /**
     * Group snapshots pause the members' I/O while one snapshot per member is taken (about
     * 0.6 s per thin member on a slow host). A watchdog on the host ends the pause after this
     * many seconds and the group snapshot fails. Keep it below the consumers' I/O timeouts (a
     * guest's disk timeout, an initiator's) and above the expected pause.
     */
    groupSnapshotMaxPauseSeconds: z.number().int().min(1).max(300).default(30),
    /** How long pausing the members (their in-flight I/O draining) may take before a group snapshot gives up. */
    groupSnapshotSuspendTimeoutSeconds: z.number().int().min(1).max(120).default(10),
    /**
     * The copy-on-write area of each thick member's snapshot in a group snapshot, as a
     * percentage of the volume. 100 (as for single snapshots) never overflows; less saves
     * space, but a snapshot whose area fills up becomes invalid.
     */
    groupSnapshotCowPercent: z.number().int().min(1).max(100).default(100),
  })
  .strict();

export type LvmHostConfig = z.output<typeof lvmHostSchema>;
export type LvmBackendConfig = z.output<typeof lvmBackendSchema>;
export type LvmBackendInput = z.input<typeof lvmBackendSchema>;
