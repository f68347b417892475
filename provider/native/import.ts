import {
  backendOf,
  ManageExistingAlreadyManaged,
  ManageExistingInvalidReference,
  type ExistingRef,
  type ManageableVolume,
  type ManageOptions,
} from "../../drivers";
import { withAdopt } from "../adopt";
import { backends } from "../config";
import { resourceTokens, resourceUuid, type ResourceAddress, type ResourceKind } from "../identity";
import { providers } from "..";
import { inputsOf as snapshotInputs, outputsOf as snapshotOutputs } from "../snapshot";
import type { RawProperties } from "../validation";
import { inputsOf as volumeInputs, outputsOf as volumeOutputs } from "../volume";

/**
 * `pulumi import` through the native plugin: the engine calls Read with an id and no state,
 * during the import's preview as well as the import itself, so Read never writes. A volume or
 * snapshot cinderblock already manages is read as it is. An LV it does not manage yet is read
 * as adopting will make it: under the uuid the resource's URN gives it, under its own name,
 * with `adopt: true` in its inputs (so the code Pulumi generates declares it adopted, and the
 * SDK retains it on removal). Adopting itself (tags; a volume's gate) is deferred to the first
 * write that needs it: that resource's Update or Delete, or the Create of a resource made from
 * it (`completeAdoption`, adoptOnUse.ts). An LV that is not safe to adopt is refused at Read
 * with the reason, as adopting would refuse it.
 *
 * Until that first write the LV carries no cinderblock tags: refresh reads it the same way
 * (its state says `adopt: true`), and another stack may still adopt it first, after which
 * this resource's Read and writes refuse with the uuid that owns it.
 *
 * Read cannot tell an import from a `get` of the native SDK (both send an id alone), so a
 * native `Volume.get` of an unmanaged LV reads it the same way.
 */

/** The kinds that are LVs, which import may adopt; each is refused for what the other is. */
type Adoptable = "Volume" | "Snapshot";
const OTHER: Record<Adoptable, Adoptable> = { Volume: "Snapshot", Snapshot: "Volume" };
const adoptable = (kind: ResourceKind): kind is Adoptable => kind in OTHER;

type ReadResult = { id?: string; props?: object; inputs?: object };

async function candidate(kind: Adoptable, ref: ExistingRef): Promise<ManageableVolume | undefined> {
  const driver = await (await backends()).withCapability(backendOf(ref.sourceId ?? ""), "listManageable");
  const [found] = kind === "Volume" ? await driver.getManageableVolumes(ref) : await driver.getManageableSnapshots(ref);
  return found;
}

/** Adopts (or, with `preview`, describes adopting) the LV `id` as `kind` under `uuid` and its own name. */
async function adopt(kind: Adoptable, id: string, uuid: string, name: string, options: ManageOptions): Promise<ReadResult> {
  const all = await backends();
  const ref = { sourceId: id };
  const declared = { adopt: true };
  if (kind === "Volume") {
    const volume = await (await all.withCapability(backendOf(id), "manage")).manageExisting({ uuid, name }, ref, options);
    const props = withAdopt(volumeOutputs(volume), declared);
    return { id: volume.id, props, inputs: volumeInputs(props) };
  }
  const snapshot = await (await all.withCapability(backendOf(id), "manageSnapshots")).manageExistingSnapshot({ uuid, name }, ref, options);
  const props = withAdopt(snapshotOutputs(snapshot), declared);
  return { id: snapshot.id, props, inputs: snapshotInputs(props) };
}

/** A managed LV whose uuid is not the one this resource recorded belongs to another resource. */
function ownedElsewhere(kind: Adoptable, id: string, stored: RawProperties, read: ReadResult): ManageExistingAlreadyManaged | undefined {
  const found = (read.props as { uuid?: unknown } | undefined)?.uuid;
  if (typeof stored.uuid !== "string" || found === stored.uuid) return undefined;
  return new ManageExistingAlreadyManaged(
    `${id} is managed by cinderblock as another ${kind.toLowerCase()} (uuid ${String(found)}), not by this resource (uuid ${stored.uuid}): ` +
      "another stack or program adopted it. Nothing was changed; remove this resource from the state (`pulumi state delete`) or release the LV from the other one",
  );
}

/**
 * Read from the native plugin: with no state (`pulumi import`), or with the state of a resource
 * whose import is not yet completed (`adopt: true`, LV untagged). Never writes.
 */
export async function readAdoptable(address: ResourceAddress, id: string, stored: RawProperties): Promise<ReadResult> {
  const kind = address.kind;
  const managed = await providers[kind].read(id, stored);
  // Other kinds' ids name what their own reads find (a file, an attachment, a group's tagged LVs): nothing to adopt.
  if (!adoptable(kind)) return managed;
  if (managed.id) {
    const conflict = ownedElsewhere(kind, id, stored, managed);
    if (conflict) throw conflict;
    return managed;
  }
  const importing = Object.keys(stored).length === 0;
  if (!importing && stored.adopt !== true) return managed;
  const ref = { sourceId: id };
  const found = await candidate(kind, ref);
  if (!found) {
    // A thick snapshot is no volume candidate, an LV without an origin no snapshot one: say which it is.
    if (importing && (await candidate(OTHER[kind], ref))) {
      throw new ManageExistingInvalidReference(`${id} cannot be imported as ${resourceTokens[kind]}; import it as ${resourceTokens[OTHER[kind]]}`);
    }
    return {};
  }
  if (!found.safeToManage) throw new ManageExistingInvalidReference(`cannot import ${id}: ${found.reasonNotSafe ?? "it is not safe to adopt"}`);
  const uuid = typeof stored.uuid === "string" ? stored.uuid : resourceUuid(address);
  return adopt(kind, id, uuid, found.reference.sourceName, { preview: true });
}

/** Whether a resource's state is that of an import or adoption, which its first write may have to complete. */
export function isPendingAdoption(address: ResourceAddress, state: RawProperties): state is RawProperties & { uuid: string } {
  return adoptable(address.kind) && state.adopt === true && typeof state.uuid === "string";
}

/**
 * The first write to an imported resource completes its adoption (tags; a volume's gate),
 * idempotently: nothing is done when the LV is already this resource's. Called before its Update
 * and Delete, and before the Create or Update of a resource that refers to it (adoptOnUse.ts).
 */
export async function completeAdoption(address: ResourceAddress, id: string, olds: RawProperties): Promise<void> {
  const kind = address.kind;
  if (!adoptable(kind) || !isPendingAdoption(address, olds)) return;
  const managed = await providers[kind].read(id, olds);
  if (managed.id) {
    const conflict = ownedElsewhere(kind, id, olds, managed);
    if (conflict) throw conflict;
    return;
  }
  const found = await candidate(kind, { sourceId: id });
  if (!found) return; // Gone: the write reports that in its own terms.
  await adopt(kind, id, olds.uuid, found.reference.sourceName, {});
}
