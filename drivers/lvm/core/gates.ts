import { VolumeIsBusy } from "../../interface/errors";
import { listLvs } from "../commands/lvs";
import { listTables, removeDevice } from "../commands/dmsetup";
import { parseLinearTable, SECTOR, type LinearTable } from "../commands/dmsetupTable";
import type { LvmHost } from "./host";
import { writeLv } from "./lvWrite";
import { isLive, ownTags } from "../model/model";
import { GATE_PREFIX, gateName } from "../model/names";
import type { LvRow } from "../model/report";

/**
 * Gates: a dm-linear device stacked 1:1 over every volume. Consumers use only the gate, so
 * suspending the gates of several volumes pauses their I/O at one instant, which is what
 * makes crash-consistent group snapshots possible. LVM never scans gates (the host's LVM is
 * restricted to a devices file), and gates are not persistent: they are recreated whenever
 * cinderblock finds an active volume without one (after every host boot).
 */

function tableFor(lv: LvRow): LinearTable {
  if (!lv.device) throw new Error(`${lv.vg}/${lv.name} is not active`);
  return { sectors: lv.sizeBytes / SECTOR, major: lv.device.major, minor: lv.device.minor };
}

const sameTable = (a: LinearTable | undefined, b: LinearTable): boolean =>
  a !== undefined && a.sectors === b.sectors && a.major === b.major && a.minor === b.minor;

/**
 * Makes the gate of `lv` exist and map exactly the LV (creating, or reloading after a resize),
 * activating the LV first when needed; nothing goes to the host when the report shows the gate
 * right. Returns the LV as it is now. `lockHeld` when the caller holds the gate lock.
 */
export async function ensureGate(host: LvmHost, lv: LvRow, options: { lockHeld?: boolean } = {}): Promise<LvRow> {
  if (gateMaps(host, lv, await listTables(host, gateName(host.volumeGroup, lv.name)))) return lv;
  return writeLv(host, lv.name, { gate: true, lockHeld: options.lockHeld });
}

/** Removes a volume's gate. @throws VolumeIsBusy when something holds the gate open. */
export async function removeGate(host: LvmHost, lvName: string, volumeId: string): Promise<void> {
  const result = await removeDevice(host, gateName(host.volumeGroup, lvName));
  if (result === "busy") {
    throw gateInUse(volumeId, host.volumeGroup, lvName);
  }
}

/** The refusal for a volume whose gate something holds open. */
export function gateInUse(volumeId: string, vg: string, lvName: string): VolumeIsBusy {
  return new VolumeIsBusy(volumeId, `volume ${volumeId} is in use: its device ${gateName(vg, lvName)} is open (detach it first)`);
}

/**
 * What the gate of `lv` exposes, in bytes, from the host report (no command of its own): 0
 * when there is no gate, less than the LV when it was extended behind cinderblock's back.
 */
export async function gateSizeBytes(host: LvmHost, lv: Pick<LvRow, "name">): Promise<number> {
  const table = (await listTables(host, gateName(host.volumeGroup, lv.name))).get(gateName(host.volumeGroup, lv.name));
  return table === undefined ? 0 : (parseLinearTable(table)?.sectors ?? 0) * SECTOR;
}

/** The live volumes whose gate is missing or does not map them exactly, from the host report. */
export async function gatesToFix(host: LvmHost): Promise<LvRow[]> {
  const tables = await listTables(host, GATE_PREFIX);
  return (await listLvs(host)).filter((lv) => ownTags(lv)?.kind === "volume" && isLive(lv) && !gateMaps(host, lv, tables));
}

/** The LV is active and its gate, in `tables`, maps exactly it. */
function gateMaps(host: LvmHost, lv: LvRow, tables: ReadonlyMap<string, string>): boolean {
  const table = tables.get(gateName(host.volumeGroup, lv.name));
  return lv.device !== undefined && table !== undefined && sameTable(parseLinearTable(table), tableFor(lv));
}

/**
 * Recreates the gates of the given volumes (from gatesToFix); the caller holds the gate lock.
 * `stillWanted` re-checks a volume whose gate could not be made: another process may have
 * deleted it meanwhile, which is not an error.
 */
export async function ensureGates(host: LvmHost, volumes: readonly LvRow[], stillWanted: (lv: LvRow) => Promise<boolean>): Promise<number> {
  let fixed = 0;
  for (const lv of volumes) {
    try {
      await writeLv(host, lv.name, { gate: true, lockHeld: true });
      fixed++;
    } catch (error) {
      if (await stillWanted(lv)) throw error;
    }
  }
  return fixed;
}
