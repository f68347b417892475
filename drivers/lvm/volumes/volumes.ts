import { GIB } from "../../interface/capacity";
import {
  InvalidInput,
  SnapshotNotFound,
  VolumeBackendAPIException,
  VolumeIsBusy,
  VolumeNotFound,
  VolumeSizeExceedsAvailableQuota,
} from "../../interface/errors";
import type { Volume, VolumeMetadata, VolumeSpec } from "../../interface/types";
import { isCommandError } from "../../ssh/errors";
import { quoteArgv } from "../../ssh/quote";
import type { LvmBackend } from "../core/backend";
import { copyDevice } from "../commands/dd";
import { activate, changeTags, changeTagsArgv } from "../commands/lvchange";
import { lvcreate, lvcreateArgv } from "../commands/lvcreate";
import { lvextendArgv } from "../commands/lvextend";
import { lvremove, lvremoveArgv } from "../commands/lvremove";
import { findLv, listLvs } from "../commands/lvs";
import { LOCK_WAIT_S, lockPath } from "../core/host";
import { LOCK_TIMEOUT_EXIT, scriptArgv } from "../core/hostScripts";
import type { ReadyHost } from "../core/hosts";
import { exportRefusal } from "../exports/exports";
import { gateInUse } from "../core/gates";
import { createLockName, CREATE_LOCK_WAIT_S, gateLockName } from "../core/locks";
import { checkSizeGib, checkVolumeSpec, DELETING_TAG, gibOf, INCOMPLETE_TAG, ownTags, provisioningOf, toVolume } from "../model/model";
import { guard, isLvmExists } from "../core/errors";
import { checkDeviceNames, gateName, lvMapperPath } from "../model/names";
import type { LvRow } from "../model/report";
import { checkDescription, checkLabels, encodeTags, ownTagKey } from "../model/tags";
import { checkCapacity, hostThinCheck } from "../core/capacity";
import { reuseOrClear } from "../core/createRecovery";
import { finishVolume } from "../core/finishVolume";
import { type Found, hostHolding, locate, lookup, requireOwn } from "../core/lookups";
import { checkNameOnHosts, newLv, provisioningFor } from "../core/provisioning";
import { withTempSnapshot } from "../core/tempSnapshots";
import { wipeCommands } from "../core/wipe";

/** Volume operations of the LVM driver (see VolumeDriverCore for the contract of each). */

/**
 * How many hosts a scheduled create tries. The scheduler's reservations live in this process:
 * another one (a second `pulumi up`, the CLI) may take the space it counted on between its
 * stats read and the lvcreate, which LVM then refuses (its allocation is atomic per VG).
 */
const PLACEMENT_ATTEMPTS = 3;

/**
 * A new empty volume, on `spec.host` or on the host the scheduler picks; a scheduled create
 * that its host can no longer hold is placed again, on fresh stats.
 */
export async function createVolume(b: LvmBackend, spec: VolumeSpec): Promise<Volume> {
  const lvName = checkVolumeSpec(spec);
  checkNameOnHosts(b.config, lvName, spec.host);
  // A retry must land where the first attempt did, whatever the scheduler would pick now.
  const pinned = spec.host ?? (await hostHolding(b, spec.uuid));
  for (let attempt = 1; ; attempt++) {
    const placement = await b.place({ host: pinned, sizeGib: spec.sizeGib, provisioning: spec.provisioning });
    try {
      const volume = await createOn(b, placement.host, lvName, spec);
      placement.done();
      return volume;
    } catch (error) {
      placement.cancel();
      if (pinned !== undefined || attempt >= PLACEMENT_ATTEMPTS || !(error instanceof VolumeSizeExceedsAvailableQuota)) throw error;
      b.logger.info(`${placement.host} can no longer hold ${spec.sizeGib} GiB (another process took the space); placing ${lvName} again`);
      b.invalidateStats();
    }
  }
}

async function createOn(b: LvmBackend, host: string, lvName: string, spec: VolumeSpec): Promise<Volume> {
  const ready = await b.hosts.ready(host);
  const provisioning = provisioningFor(b.name, b.config, ready, spec.provisioning);
  return guard(`creating volume ${lvName} on ${host}`, async () => {
    const done = await reuseOrClear(b, ready, lvName, spec.uuid, "volume");
    if (done) return toVolume(b.placeOf(ready), done.lv, done.tags);
    const sizeBytes = spec.sizeGib * GIB;
    await checkCapacity(b.config, ready, provisioning, sizeBytes);
    const tags = encodeTags({ kind: "volume", uuid: spec.uuid, description: spec.description, labels: { ...spec.labels } });
    try {
      const request = newLv(ready, provisioning, lvName, sizeBytes, tags);
      const thinCheck = request.kind === "thin" ? hostThinCheck(b.config, request.pool, request.sizeBytes) : undefined;
      return await finishVolume(b, ready, lvName, [lvcreateArgv(ready.lvm.volumeGroup, request)], thinCheck);
    } catch (error) {
      // An identical create won the race: its lvcreate and gate ran under the same gate
      // lock as this one's, so the LV is complete now, and is this request's when the uuid matches.
      if (!isLvmExists(error)) throw error;
      const raced = await reuseOrClear(b, ready, lvName, spec.uuid, "volume");
      if (!raced) throw error;
      return toVolume(b.placeOf(ready), raced.lv, raced.tags);
    }
  });
}

export async function deleteVolume(b: LvmBackend, id: string): Promise<void> {
  const { location, ready } = await locate(b, id, "volume");
  await guard(`deleting volume ${id}`, async () => {
    const lv = await findLv(ready.lvm, location.lvName);
    if (!lv) return;
    requireOwn(id, lv, "volume");
    // Snapshots depend on their origin; volumes made from it (thin clones, whose LVM origin
    // is this LV) do not.
    const dependents = (await listLvs(ready.lvm)).filter((other) => {
      const otherTags = ownTags(other);
      if (otherTags?.kind === "volume") return false;
      return other.origin === lv.name || otherTags?.volume === lv.name;
    });
    if (dependents.length > 0) {
      const ids = dependents.map((other) => b.idOf(ready, other.name));
      throw new VolumeIsBusy(id, `volume ${id} has ${ids.length} snapshot(s): ${ids.join(", ")}; delete them first`, ids);
    }
    await removeVolumeLv(b, ready, lv, id);
    b.invalidateStats();
  });
}

/** volume-remove.sh's own exit codes (see its header). */
const REMOVE_EXIT = { lockTimeout: LOCK_TIMEOUT_EXIT, busy: 77, gateFailed: 78, wipeFailed: 79, markFailed: 80 } as const;

/**
 * Removes a volume's LV in one round trip (scripts/volume-remove.sh): its gate removed and the
 * LV removed under the gate lock, or, when a thick volume is wiped first, marked as being
 * deleted before its gate goes and wiped and removed after the lock. When only the removal
 * failed, Cinder's lvremove recipe takes over.
 */
export async function removeVolumeLv(b: LvmBackend, ready: ReadyHost, lv: LvRow, id: string): Promise<void> {
  const vg = ready.lvm.volumeGroup;
  const mark = changeTagsArgv(vg, lv.name, { add: [DELETING_TAG] });
  const unmark = changeTagsArgv(vg, lv.name, { remove: [DELETING_TAG] });
  const wipe = wipeCommands(b.config, ready, lv);
  const marked = lv.tags.includes(DELETING_TAG);
  const args = [
    lockPath(gateLockName(vg)),
    String(LOCK_WAIT_S),
    gateName(vg, lv.name),
    // Only a wipe runs outside the lock; then the mark keeps gate recovery off the volume.
    mark && wipe && !marked ? quoteArgv(mark) : "",
    unmark ? quoteArgv(unmark) : "",
    wipe?.commandLine ?? "",
    quoteArgv(lvremoveArgv(vg, lv.name)),
  ];
  try {
    await ready.lvm.run(scriptArgv("volume-remove.sh", args), { timeoutMs: (LOCK_WAIT_S + 300) * 1000 + (wipe?.timeoutMs ?? 0) });
  } catch (error) {
    if (!isCommandError(error)) throw error;
    switch (error.exitCode) {
      case REMOVE_EXIT.busy:
        // Most often a target holds the gate: then say which attachments, and what to do.
        throw (await exportRefusal(ready, id, lv.name)) ?? gateInUse(id, vg, lv.name);
      case REMOVE_EXIT.lockTimeout:
      case REMOVE_EXIT.gateFailed:
      case REMOVE_EXIT.wipeFailed:
      case REMOVE_EXIT.markFailed:
        throw new VolumeBackendAPIException(`deleting volume ${id}: ${error.stderr.trim() || `exit ${error.exitCode}`}`, { cause: error });
      default:
        // Cinder's recipe retries outside the lock, so the volume is marked first.
        if (!marked) await changeTags(ready.lvm, lv.name, { add: [DELETING_TAG] });
        await lvremove(ready.lvm, lv.name);
    }
  }
}

export async function updateVolume(b: LvmBackend, id: string, changes: VolumeMetadata): Promise<Volume> {
  if (changes.labels) checkLabels(changes.labels);
  if (changes.description) checkDescription(changes.description);
  const found = await lookup(b, id, "volume");
  if (!found) throw new VolumeNotFound(id);
  const { ready, lv, tags } = found;
  const wanted = encodeTags({
    ...tags,
    description: changes.description ?? tags.description,
    labels: { ...(changes.labels ?? tags.labels) },
  });
  const retag = changeTagsArgv(ready.lvm.volumeGroup, lv.name, {
    add: wanted.filter((tag) => !lv.tags.includes(tag)),
    remove: lv.tags.filter((tag) => ownTagKey(tag) && !wanted.includes(tag)),
  });
  return guard(`updating volume ${id}`, () => finishVolume(b, ready, lv.name, [retag]));
}

export async function extendVolume(b: LvmBackend, id: string, newSizeGib: number): Promise<Volume> {
  checkSizeGib(newSizeGib, "the new size");
  const found = await lookup(b, id, "volume");
  if (!found) throw new VolumeNotFound(id);
  const { ready, lv } = found;
  const newBytes = newSizeGib * GIB;
  if (newBytes < lv.sizeBytes) {
    throw new InvalidInput(`volume ${id} is ${gibOf(lv)} GiB; shrinking it to ${newSizeGib} GiB is not supported (volumes only grow)`);
  }
  return guard(`extending volume ${id}`, async () => {
    if (newBytes === lv.sizeBytes) return finishVolume(b, ready, lv.name);
    const growth = newBytes - lv.sizeBytes;
    await checkCapacity(b.config, ready, provisioningOf(lv), growth);
    const thinCheck = lv.pool ? hostThinCheck(b.config, lv.pool, growth) : undefined;
    return finishVolume(b, ready, lv.name, [lvextendArgv(ready.lvm.volumeGroup, lv.name, newBytes)], thinCheck);
  });
}

export async function createVolumeFromSnapshot(b: LvmBackend, spec: VolumeSpec, snapshotId: string): Promise<Volume> {
  const lvName = checkVolumeSpec(spec);
  return underCreateLock(b, spec.uuid, lvName, snapshotId, "snapshot", async () => {
    const snapshot = await lookup(b, snapshotId, "snapshot");
    if (!snapshot) throw new SnapshotNotFound(snapshotId);
    return createFromSource(b, spec, lvName, snapshot, "snapshot");
  });
}

export async function createClonedVolume(b: LvmBackend, spec: VolumeSpec, sourceId: string): Promise<Volume> {
  const lvName = checkVolumeSpec(spec);
  return underCreateLock(b, spec.uuid, lvName, sourceId, "volume", async () => {
    const source = await lookup(b, sourceId, "volume");
    if (!source) throw new VolumeNotFound(sourceId);
    return createFromSource(b, spec, lvName, source, "volume");
  });
}

/**
 * Runs a create from a source under its uuid's create lock on the source's host, taken before
 * the host is read: an identical create waits, then finds the volume made, and a half-made LV of
 * this uuid seen under the lock is a crashed attempt's, never a running one's.
 */
async function underCreateLock(
  b: LvmBackend,
  uuid: string,
  lvName: string,
  sourceId: string,
  kind: "snapshot" | "volume",
  work: () => Promise<Volume>,
): Promise<Volume> {
  const { ready } = await locate(b, sourceId, kind);
  // A name that cannot be made is refused before anything is sent.
  checkDeviceNames(ready.lvm.volumeGroup, lvName);
  return guard(`waiting for another create of ${uuid}`, () => ready.lvm.withLock(createLockName(uuid), work, { waitSeconds: CREATE_LOCK_WAIT_S }));
}

/**
 * A volume from a snapshot or a clone of a volume, on the source's host. Thin to thin is a
 * snapshot of the source (instant); anything else is a block copy. A thick source is copied
 * from a temporary snapshot, so writes during the copy do not tear it; the temporary LV is
 * removed whatever happens. The caller holds the create lock (underCreateLock).
 */
async function createFromSource(b: LvmBackend, spec: VolumeSpec, lvName: string, source: Found, kind: "snapshot" | "volume"): Promise<Volume> {
  const { ready, lv: sourceLv } = source;
  const sourceId = b.idOf(ready, sourceLv.name);
  if (spec.host && spec.host !== ready.lvm.name) {
    throw new InvalidInput(`a volume made from ${kind} ${sourceId} must be on its host ${ready.lvm.name}, not ${spec.host}; leave host unset`);
  }
  const sizeBytes = spec.sizeGib * GIB;
  if (sizeBytes < sourceLv.sizeBytes) {
    throw new InvalidInput(`the new volume (${spec.sizeGib} GiB) must be at least as large as ${kind} ${sourceId} (${gibOf(sourceLv)} GiB)`);
  }
  const provisioning = provisioningFor(b.name, b.config, ready, spec.provisioning ?? provisioningOf(sourceLv));
  return guard(`creating volume ${lvName} from ${kind} ${sourceId}`, async () => {
    const done = await reuseOrClear(b, ready, lvName, spec.uuid, "volume");
    if (done) return toVolume(b.placeOf(ready), done.lv, done.tags);
    const vg = ready.lvm.volumeGroup;
    const tags = encodeTags({ kind: "volume", uuid: spec.uuid, description: spec.description, labels: { ...spec.labels }, source: `${kind}/${sourceLv.name}` });
    const complete = changeTagsArgv(vg, lvName, { remove: [INCOMPLETE_TAG] });
    if (provisioning === "thin" && provisioningOf(sourceLv) === "thin") {
      // A thin snapshot of the source, grown when asked to be larger, in one step. Marked
      // incomplete until grown: a retry must not take a half-made volume for the one it asked for.
      await checkCapacity(b.config, ready, "thin", sizeBytes);
      const grow = sizeBytes > sourceLv.sizeBytes;
      const snapshot = lvcreateArgv(vg, {
        kind: "thinSnapshot",
        name: lvName,
        origin: sourceLv.name,
        tags: grow ? [...tags, INCOMPLETE_TAG] : tags,
        activate: true,
      });
      const thinCheck = sourceLv.pool ? hostThinCheck(b.config, sourceLv.pool, sizeBytes) : undefined;
      return finishVolume(b, ready, lvName, grow ? [snapshot, lvextendArgv(vg, lvName, sizeBytes), complete] : [snapshot], thinCheck);
    }
    // A thick source volume is read through a temporary snapshot as large as it: both fit, or neither is made.
    const throughTemp = kind === "volume";
    await checkCapacity(b.config, ready, provisioning, sizeBytes, throughTemp && provisioningOf(sourceLv) === "thick" ? sourceLv.sizeBytes : 0);
    const target = lvMapperPath(vg, lvName);
    const createAndCopy = async (from: string): Promise<void> => {
      await lvcreate(ready.lvm, newLv(ready, provisioning, lvName, sizeBytes, [...tags, INCOMPLETE_TAG]));
      await copyDevice(ready.lvm, from, target, sourceLv.sizeBytes, { sparse: provisioning === "thin" });
    };
    if (throughTemp) {
      // The temporary snapshot before the new LV: its leftover check then reads the host's report this create already read.
      await withTempSnapshot(b, ready, sourceLv, spec.uuid, createAndCopy);
    } else {
      if (!sourceLv.attr.active) await activate(ready.lvm, sourceLv.name);
      await createAndCopy(lvMapperPath(vg, sourceLv.name));
    }
    return finishVolume(b, ready, lvName, [complete]);
  });
}
