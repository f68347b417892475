import { isLvmNotFound } from "../core/errors";
import type { LvmHost } from "../core/host";
import { LV_FIELDS, parseLvs, type LvRow } from "../model/report";

function lvRowArgv(vg: string, lvName: string): string[] {
  return ["lvs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o", LV_FIELDS.join(","), `${vg}/${lvName}`];
}

/** LVM shows hidden LVs (pool internals, -real/-cow) with their names in brackets. */
const isHidden = (lv: LvRow): boolean => lv.name.startsWith("[");

/** Every LV of the host's VG, including hidden ones when `all`; from the host's shared report. */
export async function listLvs(host: LvmHost, options: { all?: boolean } = {}): Promise<LvRow[]> {
  const { lvs } = await host.report();
  return options.all ? lvs : lvs.filter((lv) => !isHidden(lv));
}

/** One visible LV, or undefined when the VG holds none of that name. */
export async function findLv(host: LvmHost, lvName: string): Promise<LvRow | undefined> {
  return (await listLvs(host)).find((lv) => lv.name === lvName);
}

/**
 * One LV's JSON report row, read alone: cheaper than the host's whole report where only this LV
 * matters, right after a write to it.
 * @throws LVM's CommandError (exit 5, "Failed to find") when the VG holds none of that name
 */
export async function lvRow(host: LvmHost, lvName: string): Promise<LvRow | undefined> {
  return parseLvs((await host.lvm(lvRowArgv(host.volumeGroup, lvName), { readOnly: true, lvmShell: true })).stdout)[0];
}

/** lvRow, or undefined when the VG holds none of that name. */
export async function readLv(host: LvmHost, lvName: string): Promise<LvRow | undefined> {
  try {
    return await lvRow(host, lvName);
  } catch (error) {
    if (isLvmNotFound(error)) return undefined;
    throw error;
  }
}
