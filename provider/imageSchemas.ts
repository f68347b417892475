import { z } from "zod";
import { checkHostPath, checkLocalPath, checkUrl } from "../drivers/images";
import { EXPORT_FORMATS, IMAGE_FORMATS, SHA256_PATTERN, SHA256_RULE, type ImageFormat, type ImageSpec } from "../drivers";

/**
 * The image inputs of the resources: a Volume's `image` source, and a VolumeImage's target.
 * The driver's own checks (drivers/images/spec.ts) are reused, so preview refuses exactly what
 * the driver would.
 */

/** A string checked by one of the driver's checks; its message, minus the field name it starts with. */
function checked(check: (value: string) => unknown) {
  return z.string().superRefine((value, ctx) => {
    try {
      check(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message.replace(/^(url|hostPath|localFile) /, "") });
    }
  });
}

const formats = (list: readonly ImageFormat[]) => z.enum(list as [ImageFormat, ...ImageFormat[]], { message: `must be one of ${list.join(", ")}` });
const SOURCES = ["url", "hostPath", "localFile"] as const;
const TARGETS = ["hostPath", "localFile"] as const;

/** Exactly one of `keys` set on the object. */
function exactlyOne<K extends string>(keys: readonly K[]) {
  return (value: Partial<Record<K, unknown>>, ctx: z.RefinementCtx): void => {
    const given = keys.filter((key) => value[key] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: "custom", message: `set exactly one of ${keys.join(", ")}`, params: { dependsOn: [...keys] } });
  };
}

export const imageSourceSchema = z
  .object({
    url: checked(checkUrl).optional(),
    hostPath: checked((path) => checkHostPath(path)).optional(),
    localFile: checked((path) => checkLocalPath(path)).optional(),
    format: formats(IMAGE_FORMATS),
    sha256: z.string().regex(SHA256_PATTERN, SHA256_RULE).optional(),
  })
  .strict()
  .superRefine(exactlyOne(SOURCES));

export type ImageSourceInput = z.output<typeof imageSourceSchema>;

/** The driver's ImageSpec for a Volume's `image` input. */
export function imageSpecOf(image: ImageSourceInput): ImageSpec {
  const source: ImageSpec["source"] =
    image.url !== undefined
      ? { kind: "url", url: image.url }
      : image.hostPath !== undefined
        ? { kind: "hostPath", path: image.hostPath }
        : { kind: "localFile", path: image.localFile ?? "" };
  return { source, format: image.format, sha256: image.sha256 };
}

export const imageTargetSchema = z
  .object({
    hostPath: checked((path) => checkHostPath(path)).optional(),
    localFile: checked((path) => checkLocalPath(path)).optional(),
  })
  .strict()
  .superRefine(exactlyOne(TARGETS));

export const exportFormatSchema = formats(EXPORT_FORMATS);
