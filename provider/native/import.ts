import { backendOf, ManageExistingInvalidReference, type ExistingRef, type ManageableVolume } from "../../drivers";
import { backends } from "../config";
import { resourceTokens, resourceUuid, type ResourceAddress, type ResourceKind } from "../identity";
import { providers } from "..";

/**
 * `pulumi import` through the native plugin: the engine calls Read with an id and no state.
 * A volume or snapshot cinderblock already manages is read as it is. An LV it does not manage
 * yet is adopted where it is, under the uuid the resource's URN gives it (the one a program
 * declaring that resource derives), so that the next `pulumi up` sees the same identity:
 * adopting tags the LV and gives a volume its gate; it never renames the LV and never touches
 * its data. An LV that is not safe to adopt is refused with the reason; no LV reads as gone.
 *
 * Read cannot tell an import from a `get` of the native SDK (both send an id alone), so a
 * native `Volume.get` of an unmanaged LV adopts it too.
 */

/** The kinds that are LVs, which import may adopt; each is refused for what the other is. */
type Adoptable = "Volume" | "Snapshot";
const OTHER: Record<Adoptable, Adoptable> = { Volume: "Snapshot", Snapshot: "Volume" };
const adoptable = (kind: ResourceKind): kind is Adoptable => kind in OTHER;

async function candidate(kind: Adoptable, ref: ExistingRef): Promise<ManageableVolume | undefined> {
  const driver = await (await backends()).withCapability(backendOf(ref.sourceId ?? ""), "listManageable");
  const [found] = kind === "Volume" ? await driver.getManageableVolumes(ref) : await driver.getManageableSnapshots(ref);
  return found;
}

export async function readForImport(address: ResourceAddress, id: string): Promise<{ id?: string; props?: object; inputs?: object }> {
  const handlers = providers[address.kind];
  const managed = await handlers.read(id);
  // Other kinds' ids name what their own reads find (a file, an attachment, a group's tagged LVs): nothing to adopt.
  const kind = address.kind;
  if (managed.id || !adoptable(kind)) return managed;
  const ref = { sourceId: id };
  const found = await candidate(kind, ref);
  if (!found) {
    // A thick snapshot is no volume candidate, an LV without an origin no snapshot one: say which it is.
    if (await candidate(OTHER[kind], ref)) {
      throw new ManageExistingInvalidReference(`${id} cannot be imported as ${resourceTokens[kind]}; import it as ${resourceTokens[OTHER[kind]]}`);
    }
    return {};
  }
  if (!found.safeToManage) throw new ManageExistingInvalidReference(`cannot import ${id}: ${found.reasonNotSafe ?? "it is not safe to adopt"}`);
  const all = await backends();
  const uuid = resourceUuid(address);
  if (kind === "Volume") await (await all.withCapability(backendOf(id), "manage")).manageExisting({ uuid }, ref);
  else await (await all.withCapability(backendOf(id), "manageSnapshots")).manageExistingSnapshot({ uuid }, ref);
  return handlers.read(id);
}
