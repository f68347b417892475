import { z } from "zod";
import {
  DESCRIPTION_RULE,
  LABEL_KEY_PATTERN,
  LABEL_KEY_RULE,
  LABEL_VALUE_PATTERN,
  LABEL_VALUE_RULE,
  MAX_DESCRIPTION_BYTES,
  NAME_PATTERN,
  NAME_RULE,
  UUID_PATTERN,
  UUID_RULE,
} from "../drivers";
import { imageSourceSchema } from "./imageSchemas";

/**
 * The inputs of each resource as the handlers see them: after check has filled in `uuid` and
 * the default `name` (provider/keepIdentity.ts; the native provider fills them from the URN). These rules are
 * the resources' documented contract (provider/schema/, written to schema.json); the driver enforces its own as well, but
 * checking here makes `pulumi preview` fail before anything runs.
 */

/*
 * Cross-field issues name the other fields they read in `params.dependsOn`, so that a check
 * during preview, when some of those are still unknown, can drop them (see validation.ts).
 */

/** `backend/host/volume-group/lv`: the ids drivers hand out (and that outputs carry). */
const ID_PATTERN = /^[^/\s]+\/[^/\s]+\/[^/\s]+\/[^/\s]+$/;
export const objectId = (kind: string) => z.string().regex(ID_PATTERN, `must be a ${kind} id (backend/host/volume-group/lv)`);

/** The contract's input rules (drivers/interface/rules.ts), so preview refuses what a driver would. */
export const lvName = z.string().regex(NAME_PATTERN, NAME_RULE);
const description = z.string().refine((text) => Buffer.byteLength(text, "utf8") <= MAX_DESCRIPTION_BYTES, DESCRIPTION_RULE);
const labels = z.record(z.string().regex(LABEL_KEY_PATTERN, LABEL_KEY_RULE), z.string().regex(LABEL_VALUE_PATTERN, LABEL_VALUE_RULE));
export const uuid = z.string().regex(UUID_PATTERN, UUID_RULE);

/**
 * What the SDK sends in place of a uuid (provider/keepIdentity.ts): `seed`, the uuid of where
 * the resource sits (project, stack, type, name), and `autoName`, the stem of the LV name when
 * the SDK chooses it (absent when the program sets `name`).
 */
export const identitySeed = z
  .object({
    seed: uuid,
    autoName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9+_.-]{0,39}$/, "must be an LV name stem of at most 40 characters")
      .optional(),
  })
  .strict();

export const volumeInputSchema = z
  .object({
    backend: z.string().min(1, "must name a configured backend"),
    name: lvName,
    sizeGb: z.number().int("must be a whole number of GiB").min(1, "must be at least 1 GiB"),
    thin: z.boolean().optional(),
    host: z.string().min(1, "must name a host of the backend").optional(),
    sourceSnapshotId: objectId("snapshot").optional(),
    sourceVolumeId: objectId("volume").optional(),
    description: description.optional(),
    labels: labels.optional(),
    /** Take the existing LV named `name` instead of creating one (provider/adopt.ts). */
    adopt: z.boolean().optional(),
    /** Fill the new volume from an image (provider/volumeFromImage.ts). */
    image: imageSourceSchema.optional(),
    uuid,
    identity: identitySeed.optional(),
  })
  .strict()
  .superRefine((volume, ctx) => {
    if (volume.adopt === true && (volume.sourceSnapshotId !== undefined || volume.sourceVolumeId !== undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["adopt"],
        message: "adopts an existing LV as it is, so it cannot be combined with sourceSnapshotId or sourceVolumeId",
        params: { dependsOn: ["sourceSnapshotId", "sourceVolumeId"] },
      });
    }
    if (volume.image !== undefined && (volume.sourceSnapshotId !== undefined || volume.sourceVolumeId !== undefined || volume.adopt === true)) {
      ctx.addIssue({
        code: "custom",
        path: ["image"],
        message: "fills a new volume from an image, so it cannot be combined with sourceSnapshotId, sourceVolumeId or adopt",
        params: { dependsOn: ["sourceSnapshotId", "sourceVolumeId", "adopt"] },
      });
    }
    if (volume.sourceSnapshotId !== undefined && volume.sourceVolumeId !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["sourceVolumeId"],
        message: "set sourceSnapshotId or sourceVolumeId, not both",
        params: { dependsOn: ["sourceSnapshotId"] },
      });
    }
    for (const key of ["sourceSnapshotId", "sourceVolumeId"] as const) {
      const source = volume[key];
      if (source !== undefined && ID_PATTERN.test(source) && source.split("/")[0] !== volume.backend) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `must be on backend '${volume.backend}' (a volume is made on its source's backend)`,
          params: { dependsOn: ["backend"] },
        });
      }
    }
  });

export type VolumeInputs = z.output<typeof volumeInputSchema>;

/** Outputs extend inputs with what the backend decided; `thin` and `host` become the actual values. */
export type VolumeOutputs = Omit<VolumeInputs, "thin" | "host" | "labels"> & {
  thin: boolean;
  host: string;
  labels: Record<string, string>;
  volumeGroup: string;
  lvName: string;
  devicePath: string;
  sizeBytes: number;
  /** What devicePath exposes (drivers' Volume.deviceSizeBytes): less than sizeBytes until the next update when the LV grew outside Pulumi. */
  deviceSizeBytes: number;
  /** ISO 8601. */
  createdAt: string;
};

export const snapshotInputSchema = z
  .object({
    volumeId: objectId("volume"),
    name: lvName,
    description: description.optional(),
    /** Take the existing snapshot LV named `name` of the volume instead of taking a snapshot (provider/adopt.ts). */
    adopt: z.boolean().optional(),
    uuid,
    identity: identitySeed.optional(),
  })
  .strict();

export type SnapshotInputs = z.output<typeof snapshotInputSchema>;

export type SnapshotOutputs = SnapshotInputs & {
  sizeGb: number;
  /** The volume the snapshot was taken of, as the backend records it. */
  sourceVolumeId: string;
  host: string;
  volumeGroup: string;
  lvName: string;
  createdAt: string;
};
