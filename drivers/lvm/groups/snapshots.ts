import { GroupSnapshotFailed } from "../../interface/groupDriver";
import {
  DriverError,
  GroupNotFound,
  InvalidConfiguration,
  VolumeAlreadyExists,
  VolumeBackendAPIException,
  VolumeIsBusy,
  VolumeSizeExceedsAvailableQuota,
} from "../../interface/errors";
import type { GroupSnapshot, GroupSnapshotSpec, MemberResult } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { changeTags, changeTagsArgv } from "../commands/lvchange";
import type { LvcreateRequest } from "../commands/lvcreate";
import { listLvs } from "../commands/lvs";
import { logRecovery, removeIncompleteSets } from "./recovery";
import { COMPLETE_TAG, derivedUuid, incompleteSetLvs, memberSnapshotName, readSets, setTags, toGroupSnapshot, type SnapshotSet } from "./sets";
import { runWindow, type WindowMember, type WindowOutcome } from "./window";
import { membersOf } from "./groups";
import type { ReadyHost } from "../core/hosts";
import { formatId } from "../model/ids";
import { INCOMPLETE_TAG, ownTags, provisioningOf, type HostPlace } from "../model/model";
import { SECTOR } from "../commands/dmsetupTable";
import { checkVolumeName, gateName } from "../model/names";
import type { LvRow } from "../model/report";
import { checkUuid, encodeTags } from "../model/tags";
import { checkCapacity } from "../core/capacity";
import { guard } from "../core/errors";
import { locate } from "../core/lookups";
import { removeSnapshotLv } from "../core/snapshotLvs";

/** Group snapshots of the LVM driver (see ConsistencyGroupDriver for the contract, scripts/group-snapshot.sh for the mechanism). */

/** A complete set of this name and uuid (a retry), or undefined; a name or uuid taken by another set is refused. */
function earlierAttempt(sets: Map<string, SnapshotSet>, name: string, uuid: string, id: string): SnapshotSet | undefined {
  const sameName = sets.get(name);
  if (sameName?.complete && sameName.uuid !== uuid)
    throw new VolumeAlreadyExists(`the name of group snapshot ${id} is taken by group snapshot ${sameName.uuid}; choose another name`);
  const sameUuid = [...sets.values()].find((set) => set.complete && set.uuid === uuid && set.name !== name);
  if (sameUuid) throw new VolumeAlreadyExists(`uuid ${uuid} already belongs to group snapshot ${sameUuid.name}`);
  return sameName?.complete ? sameName : undefined;
}

/** What the window does per member: its gate, its snapshot's name, and the one lvcreate that makes it. */
async function windowMembers(
  b: LvmBackend,
  ready: ReadyHost,
  members: readonly LvRow[],
  set: { name: string; uuid: string; groupName: string },
): Promise<WindowMember[]> {
  let cowTotal = 0;
  const planned = members.map((lv): WindowMember => {
    const volumeUuid = ownTags(lv)?.uuid ?? lv.uuid;
    const name = memberSnapshotName(set, volumeUuid);
    const tags = [...encodeTags({ kind: "snapshot", uuid: derivedUuid(set.uuid, volumeUuid), labels: {}, volume: lv.name }), ...setTags(set), INCOMPLETE_TAG];
    let create: LvcreateRequest = { kind: "thinSnapshot", name, origin: lv.name, tags, activate: false };
    if (provisioningOf(lv) === "thick") {
      const cowBytes = Math.ceil((lv.sizeBytes * b.config.groupSnapshotCowPercent) / 100 / SECTOR) * SECTOR;
      cowTotal += cowBytes;
      create = { kind: "thickSnapshot", name, origin: lv.name, cowBytes, tags };
    }
    return { lvName: lv.name, gate: gateName(ready.lvm.volumeGroup, lv.name), snapshotName: name, create };
  });
  // Refused here rather than failing inside the pause (which would still work, but pause for nothing).
  if (cowTotal > 0) await checkCapacity(b.config, ready, "thick", cowTotal);
  return planned;
}

function refusal(outcome: Extract<WindowOutcome, { kind: "refused" }>, place: HostPlace, groupId: string): DriverError {
  const message = `group snapshot of ${groupId} refused, nothing was changed: ${outcome.message}`;
  switch (outcome.reason) {
    case "busy":
      return new VolumeIsBusy(formatId({ ...place, lvName: outcome.lvName ?? "" }), message);
    case "full":
      return new VolumeSizeExceedsAvailableQuota(message);
    case "config":
      return new InvalidConfiguration(message);
    case "exists":
      return new VolumeAlreadyExists(message);
    default:
      return new VolumeBackendAPIException(message);
  }
}

/** After an abandoned set: its partial snapshots are removed (under the lock), and the error says per member what had happened. */
async function abandoned(
  b: LvmBackend,
  ready: ReadyHost,
  outcome: Extract<WindowOutcome, { kind: "aborted" }>,
  members: readonly LvRow[],
  id: string,
): Promise<never> {
  const place = b.placeOf(ready);
  const report = await removeIncompleteSets(b, ready);
  logRecovery(b, ready.lvm.name, report);
  const leftovers = report.removed.filter((result) => !result.ok).map((result) => result.id);
  const results = members.map((lv): MemberResult<void> => {
    const volumeId = formatId({ ...place, lvName: lv.name });
    const member = outcome.members.find((candidate) => candidate.lvName === lv.name);
    if (member?.taken) return { id: volumeId, ok: true, value: undefined };
    const error = member ? `its snapshot failed: ${member.error ?? "unknown error"}` : "its snapshot was not attempted";
    return { id: volumeId, ok: false, error: new VolumeBackendAPIException(`${volumeId}: ${error}`) };
  });
  const kept = leftovers.length > 0 ? `; ${leftovers.join(", ")} could not be removed yet (recovery retries)` : "; nothing of the set was kept";
  throw new GroupSnapshotFailed(`group snapshot ${id} was abandoned: ${outcome.message}. The members' I/O was resumed${kept}`, results);
}

export async function createGroupSnapshot(b: LvmBackend, spec: GroupSnapshotSpec): Promise<GroupSnapshot> {
  checkUuid(spec.uuid);
  const name = spec.name ?? `gsnap-${spec.uuid}`;
  checkVolumeName(name);
  const { location, ready } = await locate(b, spec.groupId, "group");
  const place = b.placeOf(ready);
  const id = formatId({ ...place, lvName: name });
  return guard(`taking group snapshot ${id}`, async () => {
    let lvs = await listLvs(ready.lvm);
    const done = earlierAttempt(readSets(lvs), name, spec.uuid, id);
    if (done) return toGroupSnapshot(place, done);
    if (incompleteSetLvs(lvs).length > 0) {
      logRecovery(b, ready.lvm.name, await removeIncompleteSets(b, ready));
      lvs = await listLvs(ready.lvm);
    }
    const members = membersOf(lvs, location.lvName).sort((x, y) => x.name.localeCompare(y.name));
    if (members.length === 0) throw new GroupNotFound(spec.groupId);
    const planned = await windowMembers(b, ready, members, { name, uuid: spec.uuid, groupName: location.lvName });
    const markArgv =
      changeTagsArgv(
        ready.lvm.volumeGroup,
        planned.map((member) => member.snapshotName),
        { add: [COMPLETE_TAG], remove: [INCOMPLETE_TAG] },
      ) ?? [];
    const settings = { maxPauseSeconds: b.config.groupSnapshotMaxPauseSeconds, suspendTimeoutSeconds: b.config.groupSnapshotSuspendTimeoutSeconds };
    let outcome: WindowOutcome;
    try {
      outcome = await runWindow(ready.lvm, planned, markArgv, settings);
    } catch (error) {
      // The script was killed or the connection dropped: its watchdog bounds the pause; clear
      // what can be cleared now (the next setup or group snapshot does it otherwise).
      await removeIncompleteSets(b, ready).then(
        (report) => logRecovery(b, ready.lvm.name, report),
        () => undefined,
      );
      throw error;
    }
    if (outcome.kind === "refused") throw refusal(outcome, place, spec.groupId);
    if (outcome.kind === "aborted") return abandoned(b, ready, outcome, members, id);
    b.invalidateStats();
    const set = readSets(await listLvs(ready.lvm)).get(name);
    if (!set?.complete)
      throw new VolumeBackendAPIException(`group snapshot ${id} was taken but is not complete on ${ready.lvm.name}; it will be removed by recovery`);
    return { ...toGroupSnapshot(place, set), ioPauseMs: Math.round(outcome.pauseMs) };
  });
}

export async function findGroupSnapshot(b: LvmBackend, id: string): Promise<GroupSnapshot | undefined> {
  const { location, ready } = await locate(b, id, "group snapshot", "read");
  const set = readSets(await guard(`reading group snapshot ${id}`, () => listLvs(ready.lvm))).get(location.lvName);
  return set?.complete ? toGroupSnapshot(b.placeOf(ready), set) : undefined;
}

export async function listGroupSnapshots(b: LvmBackend): Promise<GroupSnapshot[]> {
  const perHost = await Promise.all(
    b.hosts.names.map(async (host) => {
      const ready = await b.hosts.ready(host);
      const sets = readSets(await guard(`listing ${host}`, () => listLvs(ready.lvm)));
      return [...sets.values()].filter((set) => set.complete).map((set) => toGroupSnapshot(b.placeOf(ready), set));
    }),
  );
  return perHost.flat();
}

export async function deleteGroupSnapshot(b: LvmBackend, id: string): Promise<Array<MemberResult<void>>> {
  const { location, ready } = await locate(b, id, "group snapshot");
  const place = b.placeOf(ready);
  const set = readSets(await guard(`reading group snapshot ${id}`, () => listLvs(ready.lvm))).get(location.lvName);
  if (!set) return [];
  // Unusable first: a crash half-way leaves an incomplete set, which recovery removes, never a
  // "complete" set with members missing.
  const marked = set.lvs.filter((lv) => lv.tags.includes(COMPLETE_TAG) || !lv.tags.includes(INCOMPLETE_TAG)).map((lv) => lv.name);
  await guard(`deleting group snapshot ${id}`, () => changeTags(ready.lvm, marked, { add: [INCOMPLETE_TAG], remove: [COMPLETE_TAG] }));
  const results: Array<MemberResult<void>> = [];
  for (const lv of set.lvs) {
    const snapshotId = formatId({ ...place, lvName: lv.name });
    try {
      await guard(`deleting ${snapshotId} of group snapshot ${id}`, () => removeSnapshotLv(b, ready, lv));
      results.push({ id: snapshotId, ok: true, value: undefined });
    } catch (error) {
      results.push({ id: snapshotId, ok: false, error: error as Error });
    }
  }
  return results;
}
