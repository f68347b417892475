import type { LvmHost } from "../host";
import type { LvRow } from "../report";

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
