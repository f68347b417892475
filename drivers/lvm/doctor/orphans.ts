import { join } from "node:path";
import type { Leftover, LeftoverFix } from "../../interface/doctorDriver";
import { declareScriptFile } from "../../ssh/scriptFiles";
import { VolumeBackendAPIException, VolumeIsBusy } from "../../interface/errors";
import type { LvmBackend } from "../core/backend";
import { listTables, removeDevice } from "../commands/dmsetup";
import { listLvs } from "../commands/lvs";
import { toDriverError } from "../core/errors";
import { ensureGate, gatesToFix } from "../core/gates";
import { removeIncompleteSets } from "../groups/recovery";
import { readSets } from "../groups/sets";
import { recoverWindows, RUN_ROOT } from "../groups/window";
import type { LvmHost } from "../core/host";
import type { ReadyHost } from "../core/hosts";
import { createLockName, gateLockName, imageLock } from "../core/locks";
import { DELETING_TAG, INCOMPLETE_TAG, ownTags } from "../model/model";
import { GATE_PREFIX, gateName } from "../model/names";
import type { LvRow } from "../model/report";
import { removeVolumeLv } from "../volumes/volumes";
import { removeSnapshotLv } from "../core/snapshotLvs";

/**
 * `cinderblock doctor` for LVM: what an interrupted operation leaves on a host, each with its
 * reason and the driver's own recovery or removal as the fix. Only cinderblock's objects are
 * considered: LVs with its tags, `cbgate-` devices of the host's VG, `cb-stage-` files of the
 * conversion directory, group-snapshot run directories. Host locks are flock(1) locks held by a
 * live command (LvmHost.withLock, the host scripts): the kernel drops them with their holder, so
 * a crash cannot leave one held and there is none to report.
 */

/** A staged file changed this recently, or held open, belongs to a copy still running. */
const STAGED_IN_USE_S = 120;

/**
 * One read-only round trip for what the host report does not show: staged files with their age
 * and whether a process holds them open, group-snapshot run directories, and paused gates.
 */
const LOOK_SCRIPT = declareScriptFile(join(__dirname, "..", "scripts"), "doctor-look.sh");

/** A leftover with what fixes it on the set-up host. */
interface Found extends Leftover {
  fix: (ready: ReadyHost) => Promise<void>;
}

export async function findLeftovers(b: LvmBackend): Promise<Leftover[]> {
  return (await Promise.all(b.hosts.names.map((name) => examine(b, name)))).flat().map(withoutFix);
}

/**
 * Fixes each leftover of each host, then examines the host again: a leftover counts as fixed
 * only when it is gone then. Setting a host up for the fixes (BackendHosts.ready) already
 * recreates gates and clears group-snapshot leftovers; the fixes below do the rest.
 */
export async function fixLeftovers(b: LvmBackend): Promise<LeftoverFix[]> {
  const perHost = await Promise.all(
    b.hosts.names.map(async (name) => {
      const found = await examine(b, name);
      if (found.length === 0) return [];
      const errors = new Map<Found, string>();
      try {
        const ready = await b.hosts.ready(name);
        const done = new Map<(ready: ReadyHost) => Promise<void>, Promise<void>>();
        for (const each of found) {
          // Fixes shared by several leftovers (one recovery clears every incomplete set) run once.
          const fixing = done.get(each.fix) ?? each.fix(ready);
          done.set(each.fix, fixing);
          await fixing.catch((error: unknown) => errors.set(each, toDriverError(error, `fixing ${each.object}`).message));
        }
        ready.lvm.invalidateReport();
      } catch (error) {
        for (const each of found) errors.set(each, toDriverError(error, `setting up ${name}`).message);
      }
      b.invalidateStats();
      const after = await examine(b, name);
      return found.map((each): LeftoverFix => {
        const fixed = !after.some((other) => other.kind === each.kind && other.object === each.object);
        return { ...withoutFix(each), fixed, error: fixed ? undefined : (errors.get(each) ?? "still there after the fix") };
      });
    }),
  );
  return perHost.flat();
}

function withoutFix({ fix: _fix, ...leftover }: Found): Leftover {
  return leftover;
}

/** Everything left on one host, read without setting it up; an unreachable host is one finding. */
async function examine(b: LvmBackend, name: string): Promise<Found[]> {
  let ready: ReadyHost;
  let lvs: LvRow[];
  let tables: ReadonlyMap<string, string>;
  let unGated: LvRow[];
  let look: string;
  try {
    ready = await b.hosts.inspect(name);
    const lvm = ready.lvm;
    [lvs, tables, unGated, look] = await Promise.all([
      listLvs(lvm),
      listTables(lvm, gateName(lvm.volumeGroup, "")),
      gatesToFix(lvm),
      lvm
        .run(["sh", "-c", LOOK_SCRIPT, "cinderblock-doctor-look", b.config.imageConversionDir, RUN_ROOT, GATE_PREFIX], { readOnly: true })
        .then((result) => result.stdout),
    ]);
  } catch (error) {
    const reason = toDriverError(error, `examining ${name}`).message;
    return [
      {
        kind: "unreachable",
        backend: b.name,
        host: name,
        object: name,
        reason,
        action: "nothing: make the host reachable, then run doctor again",
        fix: unfixable(reason),
      },
    ];
  }
  const at = { backend: b.name, host: name };
  return [...lvLeftovers(b, ready, lvs, unGated, tables), ...gateLeftovers(ready, lvs, tables), ...hostLeftovers(ready, look)].map((each) => ({
    ...at,
    ...each,
  }));
}

type HostFound = Omit<Found, "backend" | "host">;

function lvLeftovers(b: LvmBackend, ready: ReadyHost, lvs: readonly LvRow[], unGated: readonly LvRow[], tables: ReadonlyMap<string, string>): HostFound[] {
  const lvm = ready.lvm;
  const out: HostFound[] = [];
  const sets = [...readSets(lvs).values()].filter((set) => !set.complete);
  const inSets = new Set(sets.flatMap((set) => set.lvs.map((lv) => lv.name)));
  const clearSets = async (now: ReadyHost): Promise<void> => {
    const report = await removeIncompleteSets(b, now);
    const failed = report.removed.find((result) => !result.ok);
    if (failed && !failed.ok) throw failed.error;
  };
  for (const set of sets) {
    out.push({
      kind: "groupSnapshotSet",
      object: set.name,
      reason: `group snapshot ${set.name} of group ${set.groupName} did not complete (${set.lvs.map((lv) => lv.name).join(", ")}); its members may be inconsistent with each other`,
      action: "remove its member snapshots (take the group snapshot again)",
      fix: clearSets,
    });
  }
  for (const lv of lvs) {
    const tags = ownTags(lv);
    if (!tags || inSets.has(lv.name)) continue;
    const id = b.idOf(ready, lv.name);
    if (tags.kind === "temp") {
      // An export's temporary snapshot is guarded by the volume's image lock, a copy's by its create lock.
      const lock = tags.tempFor?.startsWith("export-") ? imageLock(lvm, tags.volume ?? "") : createLockName(tags.tempFor ?? tags.uuid);
      out.push({
        kind: "temporary",
        object: lv.name,
        reason: `temporary snapshot of ${tags.volume ?? lv.origin ?? "a volume"} made for the copy ${tags.tempFor ?? "?"}, which did not remove it`,
        action: "remove it (unless that copy is still running)",
        fix: (now) => whenIdle(lvm, lock, `the copy ${tags.tempFor ?? ""}`, () => removeSnapshotLv(b, now, lv)),
      });
    } else if (lv.tags.includes(DELETING_TAG)) {
      out.push({
        kind: "deleting",
        object: lv.name,
        reason: `${tags.kind} ${tags.uuid} was being deleted (tagged ${DELETING_TAG}) and the delete did not finish`,
        action: "finish the delete (wiped first when the backend wipes thick volumes)",
        fix: (now) => removeVolumeLv(b, now, lv, id),
      });
    } else if (lv.tags.includes(INCOMPLETE_TAG)) {
      out.push({
        kind: "incomplete",
        object: lv.name,
        reason: `${tags.kind} ${tags.uuid} was being created (tagged ${INCOMPLETE_TAG}) and the create did not finish`,
        action: "remove it (unless its create is still running); retrying the create makes it afresh",
        fix: (now) =>
          whenIdle(lvm, createLockName(tags.uuid), `the create of ${tags.uuid}`, () =>
            tags.kind === "volume" ? removeVolumeLv(b, now, lv, id) : removeSnapshotLv(b, now, lv),
          ),
      });
    }
  }
  for (const lv of unGated) {
    const stale = tables.has(gateName(lvm.volumeGroup, lv.name));
    out.push({
      kind: "missingGate",
      object: lv.name,
      reason: stale
        ? `volume ${lv.name}'s device ${gateName(lvm.volumeGroup, lv.name)} does not map the LV as it is now (its size or place changed)`
        : `volume ${lv.name} has no device ${gateName(lvm.volumeGroup, lv.name)}${lv.device ? "" : " (the LV is not active)"}`,
      action: stale ? "reload the device to map the whole LV" : "activate the LV and create its device",
      fix: async () => {
        await ensureGate(lvm, lv);
      },
    });
  }
  return out;
}

/** `cbgate-` devices of this host's VG whose volume is gone (or no cinderblock volume). */
function gateLeftovers(ready: ReadyHost, lvs: readonly LvRow[], tables: ReadonlyMap<string, string>): HostFound[] {
  const lvm = ready.lvm;
  const vg = lvm.volumeGroup;
  const prefix = gateName(vg, "");
  const volumes = new Set(lvs.filter((lv) => ownTags(lv)?.kind === "volume").map((lv) => gateName(vg, lv.name)));
  // `cbgate-<vg>-` is also the start of the gates of a VG whose name continues with a dash
  // (doubled): a gate of this VG has a whole device-mapper-escaped LV name after it.
  const ofThisVg = (name: string): boolean => /^(?:[^-]|--)+$/.test(name.slice(prefix.length)) && !name.slice(prefix.length).startsWith("-");
  return [...tables.keys()]
    .filter((name) => ofThisVg(name) && !volumes.has(name))
    .map((name) => ({
      kind: "orphanGate" as const,
      object: name,
      reason: `device ${name} maps an LV that is no cinderblock volume of ${vg} (any more)`,
      action: "remove the device (not while something holds it open)",
      fix: () =>
        lvm.withLock(gateLockName(vg), async () => {
          if ((await removeDevice(lvm, name)) === "busy")
            throw new VolumeIsBusy(name, `device ${name} is held open: detach or stop what uses it, then run doctor --fix again`);
        }),
    }));
}

/** Staged files, group-snapshot windows and paused gates, from LOOK_SCRIPT's lines. */
function hostLeftovers(ready: ReadyHost, look: string): HostFound[] {
  const lvm = ready.lvm;
  const out: HostFound[] = [];
  const recover = async (): Promise<void> => {
    const report = await recoverWindows(lvm, false);
    if (report.stillSuspended.length > 0)
      throw new VolumeBackendAPIException(`could not resume ${report.stillSuspended.join(", ")}: run \`dmsetup resume <name>\` on ${lvm.name}`);
  };
  for (const line of look.split("\n")) {
    const [what = "", ...rest] = line.trim().split(" ");
    if (what === "staged") {
      const [age = "0", open = "0", ...path] = rest;
      if (open === "1" || Number(age) < STAGED_IN_USE_S) continue;
      const file = path.join(" ");
      out.push({
        kind: "stagedFile",
        object: file,
        reason: `staged image file, ${Math.round(Number(age) / 60)} minute(s) old and open in no process: an image copy stopped before removing it`,
        action: "delete the file",
        fix: async () => {
          await lvm.run(["rm", "-f", "--", file]);
        },
      });
    } else if (what === "window" || what === "suspended") {
      const object = rest.join(" ");
      out.push({
        kind: "groupSnapshotWindow",
        object,
        reason:
          what === "window"
            ? `a group snapshot's pause window (${object}) is open: its process died, unless a group snapshot is being taken right now`
            : `device ${object} is paused (suspended): a group snapshot stopped inside its pause window, and I/O to the volume is blocked`,
        action: "wait for any running group snapshot, then disarm its watchdog and resume the paused devices",
        fix: recover,
      });
    }
  }
  return out;
}

/** Runs `work` only while no operation holds `lock` (taken without waiting). */
async function whenIdle(lvm: LvmHost, lock: string, operation: string, work: () => Promise<void>): Promise<void> {
  try {
    await lvm.withLock(lock, work, { waitSeconds: 0 });
  } catch (error) {
    if (error instanceof Error && /could not take the lock/.test(error.message)) {
      throw new VolumeIsBusy(operation, `${operation} is still running on ${lvm.name}; left alone (run doctor again once it ends)`);
    }
    throw error;
  }
}

function unfixable(reason: string): () => Promise<void> {
  return () => Promise.reject(new Error(reason));
}
