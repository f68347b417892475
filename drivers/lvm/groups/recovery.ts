import type { MemberResult } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { listLvs } from "../commands/lvs";
import { toDriverError } from "../core/errors";
import { incompleteSetLvs } from "./sets";
import { GROUP_SNAPSHOT_LOCK } from "../core/locks";
import { recoverWindows, type WindowRecovery } from "./window";
import type { ReadyHost } from "../core/hosts";
import { removeSnapshotLv } from "../core/snapshotLvs";

/**
 * Crash recovery for group snapshots: what a killed script, a dropped connection or a host
 * crash can leave is (1) a watchdog still armed, (2) gates still suspended, (3) an lvcreate
 * still running, (4) a set without its complete tag. (1)-(3) are cleared on the host by
 * group-snapshot.sh recover, and again at the start of every group snapshot; (4) is removed here, under
 * the group-snapshot lock, so that a set another process is taking right now is never
 * mistaken for an abandoned one. Runs at every host setup (after the gates are recreated) and
 * whenever a group snapshot finds or leaves an incomplete set.
 */

export interface RecoveryReport extends WindowRecovery {
  /** Results of removing the members of incomplete sets, by LV name. */
  removed: Array<MemberResult<void>>;
}

/** Under the lock: clears dead windows, then removes every member of every incomplete set (each reported). */
export async function removeIncompleteSets(b: LvmBackend, ready: ReadyHost): Promise<RecoveryReport> {
  return ready.lvm.withLock(GROUP_SNAPSHOT_LOCK, async () => {
    const windows = await recoverWindows(ready.lvm, true);
    const stale = incompleteSetLvs(await listLvs(ready.lvm));
    const removed: Array<MemberResult<void>> = [];
    for (const lv of stale) {
      try {
        await removeSnapshotLv(b, ready, lv);
        removed.push({ id: lv.name, ok: true, value: undefined });
      } catch (error) {
        removed.push({ id: lv.name, ok: false, error: toDriverError(error, `removing ${lv.name} of an incomplete group snapshot`) });
      }
    }
    return { ...windows, removed };
  });
}

/**
 * The setup step, given what the window recovery found (setup runs it first): cheap when there
 * is nothing to do (the shared listing), and never
 * fatal: a host whose recovery partly failed is still usable, and the failure is logged with
 * what to do.
 */
export async function recoverGroupSnapshots(b: LvmBackend, ready: ReadyHost, windows: WindowRecovery | Error): Promise<void> {
  const host = ready.lvm.name;
  try {
    if (windows instanceof Error) throw windows;
    let report: RecoveryReport = { ...windows, removed: [] };
    if (incompleteSetLvs(await listLvs(ready.lvm)).length > 0) report = await removeIncompleteSets(b, ready);
    logRecovery(b, host, report);
  } catch (error) {
    b.logger.warn(`${host}: group snapshot recovery failed (it runs again at the next group snapshot): ${toDriverError(error, "recovering").message}`);
  }
}

/** One line per kind of thing recovered; warnings for what could not be. */
export function logRecovery(b: LvmBackend, host: string, report: RecoveryReport): void {
  if (report.disarmed.length > 0) b.logger.info(`${host}: disarmed ${report.disarmed.length} watchdog(s) of abandoned group snapshots`);
  if (report.resumedGates.length > 0)
    b.logger.warn(`${host}: resumed ${report.resumedGates.length} gate(s) an abandoned group snapshot left paused: ${report.resumedGates.join(", ")}`);
  if (report.stillSuspended.length > 0) {
    b.logger.warn(`${host}: could not resume ${report.stillSuspended.join(", ")}; their I/O is blocked: run \`dmsetup resume <name>\` on the host`);
  }
  const removed = report.removed.filter((result) => result.ok).map((result) => result.id);
  if (removed.length > 0) b.logger.info(`${host}: removed ${removed.length} snapshot(s) of incomplete group snapshots: ${removed.join(", ")}`);
  for (const result of report.removed) if (!result.ok) b.logger.warn(`${host}: ${result.error.message}`);
}
