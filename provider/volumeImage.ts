import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { backendOf, InvalidInput, type ImageInfo, type ImageTarget } from "../drivers";
import { checkLocalPath, findLocalImage, removeLocalImage } from "../drivers/images";
import { backends, configureFromStack } from "./config";
import type { ResourceHandlers } from "./handlers";
import { progressLog } from "./imageProgress";
import { exportFormatSchema, imageTargetSchema } from "./imageSchemas";
import { objectId } from "./schemas";
import { differs, parseInputs, validate, type RawProperties } from "./validation";

/**
 * VolumeImage: a volume copied out to an image file (driver copyVolumeToImage), on the
 * volume's host (`target.hostPath`) or on the machine running Pulumi (`target.localFile`).
 *
 * Semantics: create writes the file (never over an existing one); every input change replaces
 * it (the old file deleted first when the path stays the same); delete removes the file only
 * if it still has the sha256 this resource recorded, so a file someone changed or replaced
 * since is left alone (with a warning). The image is the volume as of create: later writes to
 * the volume do not change it, and refresh reports the file as it is.
 */

export const volumeImageInputSchema = z
  .object({
    volumeId: objectId("volume"),
    target: imageTargetSchema,
    format: exportFormatSchema,
    compress: z.boolean().optional(),
  })
  .strict()
  .superRefine((image, ctx) => {
    if (image.compress === true && image.format !== "qcow2") {
      ctx.addIssue({ code: "custom", path: ["compress"], message: "is only possible with format qcow2", params: { dependsOn: ["format"] } });
    }
  });

export type VolumeImageInputs = z.output<typeof volumeImageInputSchema>;

export type VolumeImageOutputs = VolumeImageInputs & {
  /** Where the file is: an absolute path on the volume's host, or on the machine running Pulumi. */
  path: string;
  sizeBytes: number;
  virtualSizeBytes: number;
  sha256: string;
};

const REPLACE_KEYS = ["volumeId", "target", "format", "compress"] as const;

type TargetKind = ImageTarget["kind"];

/** `hostPath:<volume id>:<path>` or `localFile:<volume id>:<path>`: read and delete need nothing else. */
export function formatImageId(kind: TargetKind, volumeId: string, path: string): string {
  return `${kind}:${volumeId}:${path}`;
}

export function parseImageId(id: string): { kind: TargetKind; volumeId: string; path: string } {
  const match = /^(hostPath|localFile):([^:]+):(\/.*)$/s.exec(id);
  if (!match) throw new InvalidInput(`'${id.slice(0, 120)}' is not a VolumeImage id (hostPath|localFile:<volume id>:<absolute path>)`);
  return { kind: match[1] as TargetKind, volumeId: match[2] ?? "", path: match[3] ?? "" };
}

function targetOf(inputs: VolumeImageInputs): ImageTarget {
  const { format, compress } = inputs;
  return inputs.target.hostPath !== undefined
    ? { kind: "hostPath", path: inputs.target.hostPath, format, compress }
    : { kind: "localFile", path: checkLocalPath(inputs.target.localFile ?? ""), format, compress };
}

function outputsOf(inputs: VolumeImageInputs, path: string, info: ImageInfo): VolumeImageOutputs {
  return { ...inputs, format: info.format, path, sizeBytes: info.sizeBytes, virtualSizeBytes: info.virtualSizeBytes, sha256: info.sha256 ?? "" };
}

async function imageDriverFor(volumeId: string) {
  return (await backends()).withCapability(backendOf(volumeId), "image");
}

export const volumeImageProvider = {
  configure: configureFromStack,

  async check(_olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.CheckResult<VolumeImageInputs>> {
    const { value, failures } = validate(volumeImageInputSchema, news);
    return { inputs: value ?? (news as VolumeImageInputs), failures };
  },

  /**
   * Every change writes a new file: replace, writing the new file first when it goes elsewhere,
   * removing the old file first when it goes to the same path (create never overwrites a file).
   */
  async diff(_id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult> {
    const replaces = REPLACE_KEYS.filter((key) => differs(olds, news, key));
    return replaces.length > 0 ? { changes: true, replaces, deleteBeforeReplace: !differs(olds, news, "target") } : { changes: false };
  },

  async create(raw: RawProperties): Promise<pulumi.dynamic.CreateResult<VolumeImageOutputs>> {
    const inputs = parseInputs(volumeImageInputSchema, raw, "VolumeImage");
    const target = targetOf(inputs);
    const driver = await imageDriverFor(inputs.volumeId);
    const info = await driver.copyVolumeToImage(inputs.volumeId, target, { onProgress: progressLog(`image of ${inputs.volumeId} at ${target.path}`) });
    return { id: formatImageId(target.kind, inputs.volumeId, target.path), outs: outputsOf(inputs, target.path, info) };
  },

  /** The file as it is now, or `{}` when it is gone. With no stored state (import), everything comes from the id and the file. */
  async read(id: string, stored?: RawProperties): Promise<{ id?: string; props?: VolumeImageOutputs; inputs?: VolumeImageInputs }> {
    const { kind, volumeId, path } = parseImageId(id);
    const info = kind === "hostPath" ? await (await imageDriverFor(volumeId)).findHostImage(volumeId, path) : await findLocalImage(path);
    if (!info) return {};
    const known = volumeImageInputSchema.safeParse({ volumeId: stored?.volumeId, target: stored?.target, format: stored?.format, compress: stored?.compress });
    const inputs: VolumeImageInputs = known.success ? { ...known.data, format: info.format } : { volumeId, target: { [kind]: path }, format: info.format };
    return { id, props: outputsOf(inputs, path, info), inputs };
  },

  /** Removes the file if it is still the one this resource wrote; absent is success. */
  async delete(id: string, props: RawProperties): Promise<void> {
    const { kind, volumeId, path } = parseImageId(id);
    const sha256 = typeof props.sha256 === "string" ? props.sha256 : "";
    const outcome = kind === "hostPath" ? await (await imageDriverFor(volumeId)).removeHostImage(volumeId, path, sha256) : await removeLocalImage(path, sha256);
    if (outcome === "changed") {
      void pulumi.log.warn(`${path} changed since cinderblock wrote it (its sha256 is no longer ${sha256}); it was left in place`);
    }
  },
} satisfies ResourceHandlers<VolumeImageInputs, VolumeImageOutputs>;
