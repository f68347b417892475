import { createHash } from "node:crypto";
import type { GroupSnapshot } from "../../interface/types";
import { formatId } from "../model/ids";
import { INCOMPLETE_TAG, ownTags, toSnapshot, type HostPlace } from "../model/model";
import { escapeLvName } from "../model/names";
import type { LvRow } from "../model/report";

/**
 * How a group snapshot lives on the host: as tags on its member snapshots, like everything
 * cinderblock makes. Each member snapshot is a normal cinderblock snapshot (marker, kind,
 * uuid, volume) and also carries the set's name, uuid and group. A set is taken with every
 * member tagged `cb.incomplete` (so the rest of the driver ignores it) and is usable only once
 * all its members have traded that tag for `cb.gsnap-complete`; a set in any other state was
 * interrupted, may be inconsistent, and is removed by recovery (groupSnapshotRecovery.ts).
 */

export const SET_TAG = "cb.gsnap";
export const SET_UUID_TAG = "cb.gsnap-uuid";
export const SET_GROUP_TAG = "cb.gsnap-group";
export const COMPLETE_TAG = "cb.gsnap-complete";

/** The set a group snapshot is, as found among a host's LVs. */
export interface SnapshotSet {
  name: string;
  uuid: string;
  /** The name of the group it was taken of. */
  groupName: string;
  lvs: LvRow[];
  /** Every member carries the complete tag and none is marked incomplete. */
  complete: boolean;
}

export function setTags(set: { name: string; uuid: string; groupName: string }): string[] {
  return [`${SET_TAG}=${set.name}`, `${SET_UUID_TAG}=${set.uuid}`, `${SET_GROUP_TAG}=${set.groupName}`];
}

function tagValue(lv: LvRow, key: string): string | undefined {
  const prefix = `${key}=`;
  return lv.tags.find((tag) => tag.startsWith(prefix))?.slice(prefix.length);
}

/** The sets among `lvs`, by name; an LV counts only when it is one of cinderblock's snapshots. */
export function readSets(lvs: readonly LvRow[]): Map<string, SnapshotSet> {
  const sets = new Map<string, SnapshotSet>();
  for (const lv of lvs) {
    const name = tagValue(lv, SET_TAG);
    if (name === undefined || ownTags(lv)?.kind !== "snapshot") continue;
    const set = sets.get(name) ?? { name, uuid: tagValue(lv, SET_UUID_TAG) ?? "", groupName: tagValue(lv, SET_GROUP_TAG) ?? "", lvs: [], complete: true };
    set.lvs.push(lv);
    set.complete &&= lv.tags.includes(COMPLETE_TAG) && !lv.tags.includes(INCOMPLETE_TAG);
    sets.set(name, set);
  }
  return sets;
}

/** Every member of every set that is not complete: what recovery removes. */
export function incompleteSetLvs(lvs: readonly LvRow[]): LvRow[] {
  return [...readSets(lvs).values()].filter((set) => !set.complete).flatMap((set) => set.lvs);
}

const hex8 = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 8);

/**
 * The LV name of a member's snapshot: the set's name (cut to 45 characters) and 8 hex digits
 * of the set's and the volume's uuids, so names are stable across retries, readable in `lvs`,
 * and distinct for two sets whose names share their first 45 characters.
 */
export function memberSnapshotName(set: { name: string; uuid: string }, volumeUuid: string): string {
  return escapeLvName(`${set.name.slice(0, 45)}-${hex8(`${set.uuid}\0${volumeUuid}`)}`);
}

/** A uuid derived from a parent's (a set's, a group's) and a member's key: `<parent>-<8 hex>`, stable across retries. */
export function derivedUuid(parentUuid: string, key: string): string {
  return `${parentUuid.slice(0, 55)}-${hex8(key)}`;
}

/** The name of a volume a group made from a source: `<group name>-<8 hex of its uuid>`. */
export function derivedVolumeName(groupName: string, volumeUuid: string): string {
  return `${groupName.slice(0, 45)}-${hex8(volumeUuid)}`;
}

/** A complete set as the contract shows it; its snapshots sorted by volume id. */
export function toGroupSnapshot(place: HostPlace, set: SnapshotSet): GroupSnapshot {
  const snapshots = set.lvs
    .flatMap((lv) => {
      const tags = ownTags(lv);
      return tags ? [toSnapshot(place, lv, tags)] : [];
    })
    .sort((a, b) => a.volumeId.localeCompare(b.volumeId));
  const createdAt = snapshots.map((snapshot) => snapshot.createdAt).sort()[0] ?? "";
  return {
    id: formatId({ ...place, lvName: set.name }),
    uuid: set.uuid,
    name: set.name,
    groupId: formatId({ ...place, lvName: set.groupName }),
    backend: place.backend,
    host: place.host,
    volumeGroup: place.volumeGroup,
    snapshots,
    createdAt,
  };
}
