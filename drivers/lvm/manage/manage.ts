import {
  InvalidInput,
  ManageExistingAlreadyManaged,
  ManageExistingInvalidReference,
  SnapshotIsBusy,
  VolumeAlreadyExists,
  VolumeIsBusy,
  type DriverError,
} from "../../interface/errors";
import { ManageExistingMismatch, type ManageDifference, type ManageOptions } from "../../interface/manageableDriver";
import type { ExistingRef, ManageVolumeSpec, Volume } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { changeTags } from "../commands/lvchange";
import { lvrename } from "../commands/lvrename";
import { findLv } from "../commands/lvs";
import { gateSizeBytes, removeGate } from "../core/gates";
import type { ReadyHost } from "../core/hosts";
import { gateLockName } from "../core/locks";
import { checkSizeGib, DELETING_TAG, gibOf, INCOMPLETE_TAG, ownTags, provisioningOf, toVolume } from "../model/model";
import { assessVolume, plainName, type Problem } from "./assess";
import { idOf, oneMatch, ownedBy, parseRef, scanHosts, type RefMatch } from "./refs";
import { checkVolumeName, escapeLvName, unescapeLvName } from "../model/names";
import type { LvRow } from "../model/report";
import { checkDescription, checkLabels, checkUuid, decodeTags, encodeTags, ownTagKey, type CinderblockTags, type LvKind } from "../model/tags";
import { guard } from "../core/errors";
import { finishVolume } from "../core/finishVolume";
import { locate } from "../core/lookups";

/**
 * Adopting existing LVs as volumes and releasing them (VolumeManagementDriver). Adopting adds
 * cinderblock's tags and the volume's gate, and renames the LV only when the backend sets
 * `manageRename`; it never writes to the LV's blocks. Releasing removes exactly what adopting
 * added (the gate, the `cinderblock` and `cb.*` tags); foreign tags and the data stay.
 */

/** The error for an LV manage must not take; nothing has changed when it is thrown. */
export function refusal(id: string, kind: "volume" | "snapshot", problems: readonly Problem[]): DriverError {
  const message = `cannot adopt ${id} as a ${kind}: ${problems.map((problem) => problem.reason).join("; ")}`;
  if (problems.some((problem) => problem.code === "managed")) return new ManageExistingAlreadyManaged(message);
  if (problems.every((problem) => problem.code === "inUse")) return kind === "volume" ? new VolumeIsBusy(id, message) : new SnapshotIsBusy(id, message);
  return new ManageExistingInvalidReference(message);
}

/**
 * The name an adopted LV ends up with: its own unless the backend renames on manage (then the
 * one asked for, by default Cinder's `volume-<uuid>` / `snapshot-<uuid>`).
 * @throws InvalidInput when a different name is asked of a backend that does not rename
 */
export function adoptedLvName(b: LvmBackend, current: string, wanted: string | undefined, fallback: string): string {
  if (b.config.manageRename) return escapeLvName(wanted ?? fallback);
  if (wanted !== undefined && escapeLvName(wanted) !== current) {
    throw new InvalidInput(
      `backend ${b.name} adopts LVs under their own names (manageRename is off): leave the name unset or set it to '${unescapeLvName(current)}', or rename the LV first`,
    );
  }
  return current;
}

/** A renamed LV's new name must be free, and no cinderblock snapshot may know it by its old one. */
export function checkRenameFree(match: RefMatch, newName: string): void {
  if (match.lvs.some((lv) => plainName(lv) === newName)) {
    throw new VolumeAlreadyExists(`cannot rename ${match.lv.name} to ${newName}: an LV of that name exists on ${match.ready.lvm.name}`);
  }
  const referrers = match.lvs.filter((lv) => ownTags(lv)?.volume === match.lv.name).map((lv) => lv.name);
  if (referrers.length > 0) {
    throw new InvalidInput(
      `cannot rename ${match.lv.name}: cinderblock snapshot(s) ${referrers.join(", ")} name it; unmanage them first or adopt it without renaming`,
    );
  }
}

/**
 * The LV as adopting will leave it (renamed, with `tags` beside its foreign ones), and the tags
 * decoded: what a preview reports without changing anything.
 */
export function asAdopted(lv: LvRow, lvName: string, tags: readonly string[]): { lv: LvRow; tags: CinderblockTags } {
  const all = [...lv.tags.filter((tag) => !ownTagKey(tag)), ...tags];
  const decoded = decodeTags(all);
  if (!decoded) throw new Error(`adoption tags of ${lv.name} do not decode`);
  return { lv: { ...lv, name: lvName, tags: all }, tags: decoded };
}

/** Makes cinderblock's tags on `lv` exactly `wanted` (stale `cb.*` tags go), leaving foreign tags alone. */
export async function retag(ready: ReadyHost, lv: LvRow, wanted: readonly string[]): Promise<void> {
  await changeTags(ready.lvm, lv.name, {
    add: wanted.filter((tag) => !lv.tags.includes(tag)),
    remove: lv.tags.filter((tag) => ownTagKey(tag) && !wanted.includes(tag)),
  });
}

/**
 * The LV a manage call is about: the one an earlier attempt with the same uuid already tagged
 * (so that a retry finishes it, even after a rename), else the one the reference names.
 */
export async function adoptionTarget(
  b: LvmBackend,
  ref: ExistingRef,
  uuid: string,
  kind: LvKind,
  options: { host?: string | undefined; preview?: boolean | undefined } = {},
): Promise<{ match: RefMatch; resumed: boolean; refName: string }> {
  const target = parseRef(b.name, ref);
  const host = target.host ?? options.host;
  const scans = await scanHosts(b, { ...target, host }, options.preview ? "read" : "write");
  const earlier = ownedBy(scans, uuid, kind);
  if (earlier) return { match: earlier, resumed: true, refName: target.lvName };
  return { match: oneMatch(b, scans, { ...target, host }), resumed: false, refName: target.lvName };
}

function checkSpec(spec: ManageVolumeSpec): void {
  checkUuid(spec.uuid);
  if (spec.name !== undefined) checkVolumeName(spec.name);
  if (spec.labels) checkLabels(spec.labels);
  if (spec.description) checkDescription(spec.description);
  if (spec.sizeGib !== undefined) checkSizeGib(spec.sizeGib, "the expected size");
}

function differences(lv: LvRow, spec: ManageVolumeSpec): ManageDifference[] {
  const found: ManageDifference[] = [];
  if (spec.sizeGib !== undefined && gibOf(lv) !== spec.sizeGib) found.push({ property: "sizeGib", existing: gibOf(lv), declared: spec.sizeGib });
  if (spec.provisioning !== undefined && provisioningOf(lv) !== spec.provisioning) {
    found.push({ property: "provisioning", existing: provisioningOf(lv), declared: spec.provisioning });
  }
  return found;
}

export async function manageExisting(b: LvmBackend, spec: ManageVolumeSpec, ref: ExistingRef, options: ManageOptions = {}): Promise<Volume> {
  checkSpec(spec);
  const { match, resumed, refName } = await adoptionTarget(b, ref, spec.uuid, "volume", { preview: options.preview });
  const { ready, lv } = match;
  const id = idOf(b, match, plainName(lv));
  const lvName = adoptedLvName(b, refName, spec.name, `volume-${spec.uuid}`);
  // A retry finds the LV under the referenced name, or under its new one when a crash followed the rename.
  if (resumed && lv.name !== refName && lv.name !== lvName) {
    throw new VolumeAlreadyExists(`uuid ${spec.uuid} already belongs to volume ${id}, not to ${refName}`);
  }
  if (!resumed) {
    // A name that is about to be replaced does not matter.
    const problems = assessVolume(lv, match.lvs, ready.pool).problems.filter((problem) => problem.code !== "badName" || lvName === lv.name);
    if (problems.length > 0) throw refusal(id, "volume", problems);
  }
  const mismatches = differences(lv, spec);
  if (mismatches.length > 0) throw new ManageExistingMismatch(id, mismatches);
  const renaming = lvName !== lv.name;
  if (renaming && !resumed) checkRenameFree(match, lvName);
  const tags = encodeTags({ kind: "volume", uuid: spec.uuid, description: spec.description, labels: { ...spec.labels } });
  if (options.preview) {
    const adopted = asAdopted(lv, lvName, tags);
    return { ...toVolume(b.placeOf(ready), adopted.lv, adopted.tags), deviceSizeBytes: await gateSizeBytes(ready.lvm, lv) };
  }
  return guard(`adopting ${id}`, async () => {
    // While it is renamed, the incomplete tag keeps gate recovery (in any process) off its old name.
    await retag(ready, lv, renaming ? [...tags, INCOMPLETE_TAG] : tags);
    if (renaming) {
      await lvrename(ready.lvm, lv.name, lvName);
      await changeTags(ready.lvm, lvName, { remove: [INCOMPLETE_TAG] });
    }
    return finishVolume(b, ready, lvName);
  });
}

/** Whole GiB, rounded up, of the LV a reference names (for volumes and snapshots alike, as in Cinder). */
export async function refSizeGib(b: LvmBackend, ref: ExistingRef): Promise<number> {
  const target = parseRef(b.name, ref);
  const match = oneMatch(b, await scanHosts(b, target), target);
  return gibOf(match.lv);
}

/**
 * The LV behind a volume or snapshot id for release: undefined when there is nothing of
 * cinderblock's to release (gone, or never or no longer tagged).
 * @throws InvalidInput when it is cinderblock's other kind
 */
export async function releasable(b: LvmBackend, id: string, kind: "volume" | "snapshot"): Promise<{ ready: ReadyHost; lv: LvRow } | undefined> {
  const { location, ready } = await locate(b, id, kind);
  const lv = await guard(`looking up ${id}`, () => findLv(ready.lvm, location.lvName));
  const tags = lv && ownTags(lv);
  if (!lv || !tags) return undefined;
  if (tags.kind !== kind) throw new InvalidInput(`${id} is a cinderblock ${tags.kind}, not a ${kind}`);
  if (lv.tags.includes(DELETING_TAG)) throw new InvalidInput(`${id} is being deleted; finish the delete instead of releasing it`);
  return { ready, lv };
}

export async function unmanage(b: LvmBackend, id: string): Promise<void> {
  const found = await releasable(b, id, "volume");
  if (!found) return;
  const { ready, lv } = found;
  await guard(`releasing ${id}`, () =>
    // Under the gate lock, so that no gate recovery recreates the gate between the two steps.
    ready.lvm.withLock(gateLockName(ready.lvm.volumeGroup), async () => {
      await removeGate(ready.lvm, lv.name, id);
      await changeTags(ready.lvm, lv.name, { remove: lv.tags.filter(ownTagKey) });
    }),
  );
  b.invalidateStats();
}
