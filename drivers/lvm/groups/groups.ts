import { GroupNotFound, InvalidInput, VolumeNotFound } from "../../interface/errors";
import type { Group, GroupSpec, MemberResult } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { changeTags } from "../commands/lvchange";
import { listLvs } from "../commands/lvs";
import { readSets } from "./sets";
import type { ReadyHost } from "../core/hosts";
import { MEMBERSHIP_LOCK } from "../core/locks";
import { formatId, parseId } from "../model/ids";
import { isLive, ownTags, type HostPlace } from "../model/model";
import { checkVolumeName } from "../model/names";
import type { LvRow } from "../model/report";
import { checkUuid, groupTags } from "../model/tags";
import { deleteVolume } from "../volumes/volumes";
import { guard } from "../core/errors";
import { locate } from "../core/lookups";

/**
 * Consistency groups of the LVM driver. A group is nothing but tags on its member volumes
 * (`cb.group=<name>`, `cb.group-uuid=<uuid>`, see tags.ts): no database, so a crash can leave
 * no group that a listing does not find, and a group lives exactly as long as one of its
 * volumes does. Its id is `backend/host/vg/name`, like a volume's.
 *
 * All members are on one host: a group snapshot pauses their I/O with that host's
 * device-mapper, which cannot reach another host. Membership changes are serialized per host
 * by a host-side lock, so two processes cannot give one name to two groups.
 */

/** A group's members among a host's LVs: live cinderblock volumes tagged with its name. */
export function membersOf(lvs: readonly LvRow[], groupName: string): LvRow[] {
  return lvs.filter((lv) => isLive(lv) && ownTags(lv)?.kind === "volume" && ownTags(lv)?.group?.name === groupName);
}

/** Every group among a host's LVs, by name, with its uuid and members. */
export function groupsOf(lvs: readonly LvRow[]): Map<string, { uuid: string; members: LvRow[] }> {
  const groups = new Map<string, { uuid: string; members: LvRow[] }>();
  for (const lv of lvs) {
    const tags = ownTags(lv);
    if (!tags?.group || tags.kind !== "volume" || !isLive(lv)) continue;
    const group = groups.get(tags.group.name) ?? { uuid: tags.group.uuid, members: [] };
    group.members.push(lv);
    groups.set(tags.group.name, group);
  }
  return groups;
}

export function toGroup(place: HostPlace, name: string, uuid: string, members: readonly LvRow[]): Group {
  return {
    id: formatId({ ...place, lvName: name }),
    uuid,
    name,
    backend: place.backend,
    host: place.host,
    volumeGroup: place.volumeGroup,
    volumeIds: members.map((lv) => formatId({ ...place, lvName: lv.name })).sort(),
  };
}

/**
 * Parses member ids: all of this backend, all on `host` when given (else on the first one's).
 * Checked before any host is contacted, so a refusal changes nothing.
 */
export function memberLocations(b: LvmBackend, ids: readonly string[], host?: string): { host: string | undefined; lvNames: string[] } {
  const locations = ids.map((id) => parseId(id, "volume"));
  const wanted = host ?? locations[0]?.host;
  for (const [index, location] of locations.entries()) {
    if (location.backend !== b.name) throw new InvalidInput(`volume ${ids[index]} belongs to backend '${location.backend}', not '${b.name}'`);
    if (location.host !== wanted) {
      throw new InvalidInput(
        `volume ${ids[index]} is on host ${location.host}, not ${wanted}: a consistency group's volumes must all be on one host, because a group snapshot pauses their I/O with that host's device-mapper`,
      );
    }
  }
  return { host: wanted, lvNames: [...new Set(locations.map((location) => location.lvName))] };
}

/** Checks that each LV is a live volume that may join `groupName` (in no other group). */
function requireJoinable(b: LvmBackend, ready: ReadyHost, lvs: readonly LvRow[], lvNames: readonly string[], groupName: string): LvRow[] {
  return lvNames.map((lvName) => {
    const id = b.idOf(ready, lvName);
    const lv = lvs.find((candidate) => candidate.name === lvName);
    const tags = lv && ownTags(lv);
    if (!lv || tags?.kind !== "volume" || !isLive(lv)) throw new VolumeNotFound(id);
    if (tags.group && tags.group.name !== groupName)
      throw new InvalidInput(`volume ${id} is already in group ${tags.group.name}; a volume can be in one group only`);
    return lv;
  });
}

export async function createGroup(b: LvmBackend, spec: GroupSpec): Promise<Group> {
  checkUuid(spec.uuid);
  const name = spec.name ?? `group-${spec.uuid}`;
  checkVolumeName(name);
  if (spec.volumeIds.length === 0) throw new InvalidInput("a consistency group needs at least one volume (it exists only as tags on its volumes)");
  const { host, lvNames } = memberLocations(b, spec.volumeIds);
  const ready = await b.hosts.ready(host ?? "");
  return ready.lvm.withLock(MEMBERSHIP_LOCK, () =>
    guard(`creating group ${name} on ${ready.lvm.name}`, async () => {
      const lvs = await listLvs(ready.lvm);
      const groups = groupsOf(lvs);
      const sameName = groups.get(name);
      if (sameName && sameName.uuid !== spec.uuid)
        throw new InvalidInput(`the name ${name} is taken by group ${sameName.uuid} on ${ready.lvm.name}; choose another name`);
      const sameUuid = [...groups.entries()].find(([other, group]) => group.uuid === spec.uuid && other !== name);
      if (sameUuid) throw new InvalidInput(`uuid ${spec.uuid} already belongs to group ${sameUuid[0]} on ${ready.lvm.name}`);
      const members = requireJoinable(b, ready, lvs, lvNames, name);
      const joining = members.filter((lv) => ownTags(lv)?.group === undefined).map((lv) => lv.name);
      await changeTags(ready.lvm, joining, { add: groupTags({ name, uuid: spec.uuid }) });
      return toGroup(b.placeOf(ready), name, spec.uuid, [...(sameName?.members ?? []), ...members.filter((lv) => joining.includes(lv.name))]);
    }),
  );
}

export async function findGroup(b: LvmBackend, id: string): Promise<Group | undefined> {
  const { location, ready } = await locate(b, id, "group", "read");
  const members = membersOf(await guard(`reading group ${id}`, () => listLvs(ready.lvm)), location.lvName);
  const uuid = members[0] && ownTags(members[0])?.group?.uuid;
  return uuid === undefined ? undefined : toGroup(b.placeOf(ready), location.lvName, uuid, members);
}

export async function listGroups(b: LvmBackend): Promise<Group[]> {
  const perHost = await Promise.all(
    b.hosts.names.map(async (host) => {
      const ready = await b.hosts.ready(host);
      const lvs = await guard(`listing ${host}`, () => listLvs(ready.lvm));
      return [...groupsOf(lvs).entries()].map(([name, group]) => toGroup(b.placeOf(ready), name, group.uuid, group.members));
    }),
  );
  return perHost.flat();
}

export async function updateGroup(b: LvmBackend, id: string, add: readonly string[], remove: readonly string[]): Promise<Group> {
  const location = parseId(id, "group");
  const adding = memberLocations(b, add, location.host).lvNames;
  const removing = memberLocations(b, remove, location.host).lvNames;
  const both = adding.find((lvName) => removing.includes(lvName));
  if (both) throw new InvalidInput(`volume ${formatId({ ...location, lvName: both })} is both added to and removed from group ${id}`);
  const { ready } = await locate(b, id, "group");
  return ready.lvm.withLock(MEMBERSHIP_LOCK, () =>
    guard(`updating group ${id}`, async () => {
      const lvs = await listLvs(ready.lvm);
      const members = membersOf(lvs, location.lvName);
      const uuid = members[0] && ownTags(members[0])?.group?.uuid;
      if (uuid === undefined) throw new GroupNotFound(id);
      const joining = requireJoinable(b, ready, lvs, adding, location.lvName).filter((lv) => !members.includes(lv));
      const leaving = members.filter((lv) => removing.includes(lv.name));
      const after = [...members.filter((lv) => !leaving.includes(lv)), ...joining];
      if (after.length === 0) throw new InvalidInput(`group ${id} would have no volumes left; delete the group instead`);
      const tags = groupTags({ name: location.lvName, uuid });
      await changeTags(
        ready.lvm,
        joining.map((lv) => lv.name),
        { add: tags },
      );
      await changeTags(
        ready.lvm,
        leaving.map((lv) => lv.name),
        { remove: tags },
      );
      return toGroup(b.placeOf(ready), location.lvName, uuid, after);
    }),
  );
}

export async function deleteGroup(b: LvmBackend, id: string, deleteVolumes: boolean): Promise<Array<MemberResult<void>>> {
  const { location, ready } = await locate(b, id, "group");
  const place = b.placeOf(ready);
  const members = await ready.lvm.withLock(MEMBERSHIP_LOCK, () =>
    guard(`deleting group ${id}`, async () => {
      const lvs = await listLvs(ready.lvm);
      const found = membersOf(lvs, location.lvName);
      const uuid = found[0] && ownTags(found[0])?.group?.uuid;
      if (uuid === undefined) return [];
      // As in Cinder: the sets reference the group; Pulumi deletes them first anyway.
      const sets = [...readSets(lvs).values()].filter((set) => set.complete && set.groupName === location.lvName);
      if (sets.length > 0) {
        const ids = sets.map((set) => formatId({ ...place, lvName: set.name }));
        throw new InvalidInput(`group ${id} has ${ids.length} group snapshot(s): ${ids.join(", ")}; delete them first`);
      }
      if (!deleteVolumes)
        await changeTags(
          ready.lvm,
          found.map((lv) => lv.name),
          { remove: groupTags({ name: location.lvName, uuid }) },
        );
      return found;
    }),
  );
  const ids = members.map((lv) => formatId({ ...place, lvName: lv.name }));
  if (!deleteVolumes) return ids.map((volumeId) => ({ id: volumeId, ok: true, value: undefined }));
  // A member that cannot go (it has snapshots, say) keeps its tags, so the group stays with it.
  const results: Array<MemberResult<void>> = [];
  for (const volumeId of ids) {
    try {
      await deleteVolume(b, volumeId);
      results.push({ id: volumeId, ok: true, value: undefined });
    } catch (error) {
      results.push({ id: volumeId, ok: false, error: error as Error });
    }
  }
  return results;
}
