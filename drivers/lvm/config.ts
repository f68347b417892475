import { z } from "zod";
import { checkTarget, sshTargetObject } from "../ssh/target";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const VG_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,31}$/;

/** One LVM host of a backend: how to reach it over SSH, plus per-host overrides. */
export const lvmHostSchema = sshTargetObject
  .extend({
    /** The host's name inside the backend; part of every id, so keep it stable. */
    name: z.string().regex(NAME, "must be 1-32 letters, digits, '_', '.', '-', starting alphanumeric"),
    /** Overrides the backend's volume group on this host. */
    volumeGroup: z.string().regex(VG_NAME, "is not a valid volume group name").optional(),
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
    reservedPercentage: z.number().int().min(0).max(100).default(0),
    maxOverSubscriptionRatio: z.union([z.number().min(1), z.literal("auto")]).default(20),
  })
  .strict();

export type LvmHostConfig = z.output<typeof lvmHostSchema>;
export type LvmBackendConfig = z.output<typeof lvmBackendSchema>;
export type LvmBackendInput = z.input<typeof lvmBackendSchema>;
