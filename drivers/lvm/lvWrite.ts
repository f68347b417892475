import { VolumeBackendAPIException } from "../interface/errors";
import { isCommandError } from "../ssh/errors";
import { quoteArgv } from "../ssh/quote";
import { activateArgv } from "./commands/lvchange";
import { lvRowArgv } from "./commands/lvs";
import { LOCK_WAIT_S, lockPath, type LvmHost } from "./host";
import { LOCK_TIMEOUT_EXIT, scriptArgv } from "./hostScripts";
import { gateLockName } from "./locks";
import { gateName, lvMapperPath } from "./names";
import { parseLvs, type LvRow } from "./report";

/** lv-write.sh's own exit codes (see its header). */
const GATE_FAILED_EXIT = 76;

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
      await host.run(scriptArgv("lv-write.sh", args), { timeoutMs: (LOCK_WAIT_S + 300) * 1000 });
    } else {
      // Without a gate the write is LVM's alone: the host's lvm shell saves it an lvm start-up.
      for (const write of step.writes ?? []) await host.lvm(write, { lvmShell: true });
    }
    const result = await host.lvm(lvRowArgv(vg, lvName), { readOnly: true, lvmShell: true });
    const row = parseLvs(result.stdout)[0];
    if (!row) throw new VolumeBackendAPIException(`LVM on ${host.name} reported nothing for ${vg}/${lvName} right after writing it`);
    return row;
  } catch (error) {
    if (isCommandError(error) && error.exitCode === LOCK_TIMEOUT_EXIT) {
      throw new VolumeBackendAPIException(`${vg}/${lvName} on ${host.name}: ${error.stderr.trim()} (another cinderblock is busy there; retry)`, {
        cause: error,
      });
    }
    if (isCommandError(error) && error.exitCode === GATE_FAILED_EXIT) {
      throw new VolumeBackendAPIException(`${vg}/${lvName} on ${host.name} is written but its ${error.stderr.trim()}; retrying the operation repairs it`, {
        cause: error,
      });
    }
    throw error;
  }
}
