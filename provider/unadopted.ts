import { backendOf, InvalidInput, SnapshotNotFound, VolumeNotFound } from "../drivers";
import { backends } from "./config";
import type { ResourceHandlers } from "./handlers";
import type { RawProperties } from "./validation";

/**
 * A resource created from an imported volume or snapshot whose adoption is not completed (no
 * cinderblock tags on the LV yet) meets the driver's "does not exist", which is wrong (the LV
 * is there) and says nothing to do. The native plugin completes such adoptions itself when it
 * has seen the imported resource (native/adoptOnUse.ts); a dependent from another plugin process
 * (the dynamic SDK, an explicit provider) gets this refusal instead, naming the LV and what to do.
 */

/** The referenced ids that name an LV cinderblock could adopt but does not manage; reads only. */
async function unadopted(error: VolumeNotFound | SnapshotNotFound): Promise<string | undefined> {
  const [id, kind] = error instanceof VolumeNotFound ? [error.volumeId, "volume"] : [error.snapshotId, "snapshot"];
  const driver = await (await backends()).withCapability(backendOf(id), "listManageable").catch(() => undefined);
  if (!driver) return undefined;
  const ref = { sourceId: id };
  const [found] = await (kind === "volume" ? driver.getManageableVolumes(ref) : driver.getManageableSnapshots(ref)).catch(() => []);
  if (!found?.safeToManage) return undefined;
  return (
    `${kind} ${id} is not cinderblock's yet: its LV has no cinderblock tags (an import whose adoption completes at the imported resource's first write). Nothing was changed. ` +
    `Declare the imported ${kind === "volume" ? "Volume" : "Snapshot"} in the same program through \`pulumi-cinderblock/native\` with the same provider as this resource (the plugin then completes the adoption first), ` +
    `or give it an update (any change, such as a description) in a \`pulumi up\` before this one; an LV nothing imported is adopted with \`adopt: true\` or \`cinderblock manage ${kind}\``
  );
}

async function explained(error: unknown, inputs: RawProperties): Promise<never> {
  const referenced = new Set([inputs.volumeId, inputs.sourceVolumeId, inputs.sourceSnapshotId, ...(Array.isArray(inputs.volumeIds) ? inputs.volumeIds : [])]);
  const missing = error instanceof VolumeNotFound ? error.volumeId : error instanceof SnapshotNotFound ? error.snapshotId : undefined;
  const message = missing !== undefined && referenced.has(missing) ? await unadopted(error as VolumeNotFound | SnapshotNotFound) : undefined;
  throw message === undefined ? error : new InvalidInput(message);
}

/** `handlers` whose Create and Update explain a reference to an LV whose import is not completed. */
export function explainingUnadopted<I extends RawProperties, O extends RawProperties>(handlers: ResourceHandlers<I, O>): ResourceHandlers<I, O> {
  const { create, update } = handlers;
  return {
    ...handlers,
    create: (inputs: RawProperties) => create(inputs).catch((error: unknown) => explained(error, inputs)),
    ...(update && {
      update: (id: string, olds: RawProperties, news: RawProperties) => update(id, olds, news).catch((error: unknown) => explained(error, news)),
    }),
  };
}
