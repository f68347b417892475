import type { Volume, VolumeSpec } from "../drivers";
import { backends } from "./config";
import { progressLog } from "./imageProgress";
import { imageSourceSchema, imageSpecOf, type ImageSourceInput } from "./imageSchemas";
import type { RawProperties } from "./validation";

/**
 * A Volume with an `image` input: created empty, then the image is copied into it (checked
 * first, converted on the host, progress in the engine log). A copy that fails deletes the
 * volume it was copying into, so nothing half-made remains and a retry starts over (a retried
 * create finds the same uuid and copies again: the same image gives the same bytes).
 */
export async function createFromImage(backend: string, spec: VolumeSpec, image: ImageSourceInput, resourceName: string): Promise<Volume> {
  const driver = await (await backends()).withCapability(backend, "image");
  const volume = await driver.createVolume(spec);
  try {
    await driver.copyImageToVolume(volume.id, imageSpecOf(image), { onProgress: progressLog(`volume ${resourceName}: image`) });
  } catch (error) {
    await driver.deleteVolume(volume.id).catch(() => undefined);
    throw error;
  }
  return volume;
}

/**
 * The outputs with the `image` input carried over from `from` (the inputs, or the stored
 * state on refresh): the backend keeps no record of which image a volume was made from, and
 * without it a refresh would make the next `pulumi up` replace the volume.
 */
export function withImage<T extends object>(outputs: T, from: RawProperties | undefined): T & { image?: ImageSourceInput } {
  const parsed = imageSourceSchema.safeParse(from?.image);
  return parsed.success ? { ...outputs, image: parsed.data } : outputs;
}
