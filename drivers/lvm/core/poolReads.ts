import type { PoolStats } from "../../interface/types";
import { listLvs } from "../commands/lvs";
import { getVg } from "../commands/vgs";
import type { LvmBackendConfig } from "../config";
import { toDriverError } from "./errors";
import type { BackendHosts } from "./hosts";
import { downPoolStats, poolStats } from "./stats";

/** Every host's pool stats, read in parallel; an unreachable host is reported down, not thrown. */
export async function readPoolStats(hosts: BackendHosts, config: LvmBackendConfig): Promise<PoolStats[]> {
  return Promise.all(
    hosts.names.map(async (host) => {
      try {
        const ready = await hosts.ready(host);
        const [vg, lvs] = await Promise.all([getVg(ready.lvm), listLvs(ready.lvm)]);
        return poolStats({ host, vg, lvs, pool: lvs.find((lv) => lv.name === ready.pool) }, config);
      } catch (error) {
        return downPoolStats(host, config, toDriverError(error, `reading ${host}`).message);
      }
    }),
  );
}
