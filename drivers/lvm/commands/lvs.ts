import { isLvmNotFound } from "../errors";
import type { LvmHost } from "../host";
import { LV_FIELDS, parseLvs, type LvRow } from "../report";

const REPORT = ["--reportformat", "json", "--units", "b", "--nosuffix", "-o", LV_FIELDS.join(",")];

/** Every LV of the host's VG, including hidden ones when `all` (pool internals, -real/-cow). */
export async function listLvs(host: LvmHost, options: { all?: boolean } = {}): Promise<LvRow[]> {
  const result = await host.lvm(["lvs", ...REPORT, ...(options.all ? ["-a"] : []), host.volumeGroup]);
  return parseLvs(result.stdout);
}

/** One LV, or undefined when LVM says it does not exist. Any other failure is thrown. */
export async function findLv(host: LvmHost, lvName: string): Promise<LvRow | undefined> {
  try {
    const result = await host.lvm(["lvs", ...REPORT, `${host.volumeGroup}/${lvName}`]);
    return parseLvs(result.stdout)[0];
  } catch (error) {
    if (isLvmNotFound(error)) return undefined;
    throw error;
  }
}
