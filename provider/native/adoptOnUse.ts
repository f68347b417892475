import type { ResourceAddress } from "../identity";
import type { RawProperties } from "../validation";
import { completeAdoption, isPendingAdoption } from "./import";

/**
 * An imported volume or snapshot is adopted (tags; a volume's gate) at its first write. A
 * dependent created before that write (a snapshot, clone, attachment or image of it, a volume
 * from the snapshot) needs the LV to be cinderblock's already, so that write comes first: the
 * dependent's Create or Update completes the adoption of what it refers to, under the uuid the
 * import recorded in that resource's state.
 *
 * The plugin never sees another resource's state when a dependent is created, so it remembers
 * the imported resources whose adoption is pending as the engine shows them to it: every
 * resource of the program is Diffed before the resources that take its outputs are registered
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go: `(*stepGenerator).diff` calls the
 * provider's Diff for each resource with old state; the program learns `volume.id` only once that
 * resource's step is done), and a refresh Reads it with its state. Only a resource whose own
 * state says it imported or adopted the LV (`adopt: true` and its uuid) is remembered, so a
 * dependent never makes anyone else the LV's owner; an LV another resource owns meanwhile is
 * refused as at that resource's own first write. A dependent declared through another plugin
 * process (an explicit provider, or the dynamic SDK) finds no such memory and is refused as
 * before, by the driver's "not found".
 */
const pending = new Map<string, { address: ResourceAddress; state: RawProperties }>();

/** Remembers (or forgets) `id` as an imported LV whose adoption waits, from the state the engine sent. */
export function notePendingAdoption(address: ResourceAddress, id: string, state: RawProperties): void {
  if (isPendingAdoption(address, state)) pending.set(id, { address, state });
  else pending.delete(id);
}

/** The object ids a resource's inputs refer to (a volume, a snapshot, a group's members). */
function referencedIds(inputs: RawProperties): string[] {
  const single = [inputs.volumeId, inputs.sourceVolumeId, inputs.sourceSnapshotId];
  const members = Array.isArray(inputs.volumeIds) ? (inputs.volumeIds as unknown[]) : [];
  return [...single, ...members].filter((value): value is string => typeof value === "string");
}

/** Completes the pending adoption of everything `inputs` refer to; idempotent. */
export async function adoptReferenced(inputs: RawProperties): Promise<void> {
  for (const id of referencedIds(inputs)) {
    const claim = pending.get(id);
    if (!claim) continue;
    await completeAdoption(claim.address, id, claim.state);
    pending.delete(id);
  }
}
