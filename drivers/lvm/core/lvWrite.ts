import { VolumeBackendAPIException, VolumeSizeExceedsAvailableQuota } from "../../interface/errors";
import { isCommandError } from "../../ssh/errors";
import { quoteArgv } from "../../ssh/quote";
import { activateArgv } from "../commands/lvchange";
import { lvRow } from "../commands/lvs";
import { LOCK_WAIT_S, lockPath, type LvmHost } from "./host";
import { LOCK_TIMEOUT_EXIT, scriptArgv } from "./hostScripts";
import { gateLockName, thinLockName } from "./locks";
import { gateName, lvMapperPath } from "../model/names";
import type { LvRow } from "../model/report";

/** lv-write.sh's and thin-create.sh's own exit codes (see their headers). */
const GATE_FAILED_EXIT = 76;
const OVER_SUBSCRIBED_EXIT = 81;

/** A thin write's last capacity check (a create, thin clone or extend), made on the host under its thin lock (scripts/thin-create.sh). */
export interface ThinCheck {
  pool: string;
  /** maxOverSubscriptionRatio: the pool's thin volumes may provision this many times its size. */
  ratio: number;
  /** What the write adds to the pool's provisioned total. */
  sizeBytes: number;
}

export interface LvWrite {
  /**
   * The write itself: LVM commands (an lvcreate, lvextend, lvchange) run in order, stopping at
   * the first that fails; none to only make the gate match the LV.
   */
  writes?: readonly (readonly string[])[];
  /** The LV is a volume: make its gate map it exactly, activating it first when needed (lv-write.sh). */
  gate: boolean;
  /** The caller already holds the host's gate lock; otherwise lv-write.sh takes it around the write and the gate. */
  lockHeld?: boolean;
  /** The write grows what a thin pool provisions: refuse it on the host when it would over-subscribe the pool (needs `gate`, not `lockHeld`). */
  thinCheck?: ThinCheck;
}

/**
 * One write to an LV, with a volume's gate in the same remote step (scripts/lv-write.sh), then
 * the LV's row read back. Returns the LV as it is after the write.
 * @throws the write's or the read's CommandError (so LVM's not-found, no-space and exists are classified as usual)
 */
export async function writeLv(host: LvmHost, lvName: string, step: LvWrite): Promise<LvRow> {
  const vg = host.volumeGroup;
  try {
    if (step.gate) {
      const args = [
        step.lockHeld ? "" : lockPath(gateLockName(vg)),
        String(LOCK_WAIT_S),
        lvMapperPath(vg, lvName),
        gateName(vg, lvName),
        (step.writes ?? []).map(quoteArgv).join(" && "),
        quoteArgv(activateArgv(vg, lvName)),
      ];
      const { thinCheck } = step;
      const argv = thinCheck
        ? scriptArgv("thin-create.sh", [
            lockPath(thinLockName(vg)),
            String(LOCK_WAIT_S),
            vg,
            thinCheck.pool,
            String(thinCheck.ratio),
            String(thinCheck.sizeBytes),
            ...args,
          ])
        : scriptArgv("lv-write.sh", args);
      await host.run(argv, { timeoutMs: ((thinCheck ? 2 : 1) * LOCK_WAIT_S + 300) * 1000 });
    } else {
      // Without a gate the write is LVM's alone: the host's lvm shell saves it an lvm start-up.
      for (const write of step.writes ?? []) await host.lvm(write, { lvmShell: true });
    }
    const row = await lvRow(host, lvName);
    if (!row) throw new VolumeBackendAPIException(`LVM on ${host.name} reported nothing for ${vg}/${lvName} right after writing it`);
    return row;
  } catch (error) {
    if (isCommandError(error) && error.exitCode === LOCK_TIMEOUT_EXIT) {
      throw new VolumeBackendAPIException(`${vg}/${lvName} on ${host.name}: ${error.stderr.trim()} (another cinderblock is busy there; retry)`, {
        cause: error,
      });
    }
    if (isCommandError(error) && error.exitCode === OVER_SUBSCRIBED_EXIT) {
      throw new VolumeSizeExceedsAvailableQuota(
        `${vg}/${lvName} on ${host.name}: ${error.stderr.trim()} (other writes took the pool meanwhile); nothing was written: raise maxOverSubscriptionRatio or grow the pool`,
        { cause: error },
      );
    }
    if (isCommandError(error) && error.exitCode === GATE_FAILED_EXIT) {
      throw new VolumeBackendAPIException(`${vg}/${lvName} on ${host.name} is written but its ${error.stderr.trim()}; retrying the operation repairs it`, {
        cause: error,
      });
    }
    throw error;
  }
}
