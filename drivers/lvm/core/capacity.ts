import { GIB } from "../../interface/capacity";
import { VolumeSizeExceedsAvailableQuota } from "../../interface/errors";
import type { Provisioning } from "../../interface/types";
import { listLvs } from "../commands/lvs";
import { getVg } from "../commands/vgs";
import type { LvmBackendConfig } from "../config";
import type { ReadyHost } from "./hosts";
import type { ThinCheck } from "./lvWrite";

/** A thin pool this full takes no new volumes: LVM would have to stop writes once it fills. */
const POOL_FULL_PERCENT = 95;

/**
 * Refuses requests that cannot fit, before anything is created. `tempBytes` is thick room the
 * same operation takes for a while beside the volume (a temporary snapshot's copy-on-write
 * area), checked on the same read of the host.
 */
export async function checkCapacity(config: LvmBackendConfig, ready: ReadyHost, provisioning: Provisioning, sizeBytes: number, tempBytes = 0): Promise<void> {
  const [vg, lvs] = await Promise.all([getVg(ready.lvm), provisioning === "thin" ? listLvs(ready.lvm) : Promise.resolve([])]);
  const gib = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;
  const thickBytes = (provisioning === "thick" ? sizeBytes : 0) + tempBytes;
  if (thickBytes > vg.freeBytes) {
    const what = tempBytes > 0 ? `${gib(thickBytes)} (with ${gib(tempBytes)} for the temporary snapshot the copy reads)` : gib(thickBytes);
    throw new VolumeSizeExceedsAvailableQuota(
      `${what} does not fit on ${ready.lvm.name}: volume group ${vg.name} has ${gib(vg.freeBytes)} free; free space or add a PV (vgextend)`,
    );
  }
  if (provisioning === "thick") return;
  const pool = lvs.find((lv) => lv.name === ready.pool);
  if (!pool) return;
  if ((pool.dataPercent ?? 0) >= POOL_FULL_PERCENT || (pool.metadataPercent ?? 0) >= POOL_FULL_PERCENT) {
    throw new VolumeSizeExceedsAvailableQuota(
      `thin pool ${vg.name}/${pool.name} on ${ready.lvm.name} is full (data ${pool.dataPercent}%, metadata ${pool.metadataPercent}%); extend it (lvextend -L +<size> ${vg.name}/${pool.name}) or delete volumes`,
    );
  }
  const ratio = config.maxOverSubscriptionRatio;
  const provisioned = lvs.filter((lv) => lv.pool === pool.name).reduce((sum, lv) => sum + lv.sizeBytes, 0);
  if (typeof ratio === "number" && provisioned + sizeBytes > pool.sizeBytes * ratio) {
    throw new VolumeSizeExceedsAvailableQuota(
      `${gib(sizeBytes)} would over-subscribe thin pool ${vg.name}/${pool.name} on ${ready.lvm.name} beyond ${ratio}x its ${gib(pool.sizeBytes)} (${gib(provisioned)} provisioned); raise maxOverSubscriptionRatio or grow the pool`,
    );
  }
}

/**
 * The host-side over-subscription check of a thin write (checkCapacity's, again, on the host
 * under its thin lock, scripts/thin-create.sh): another process may have written to the same
 * pool meanwhile. None under an 'auto' ratio, which only the scheduler applies.
 */
export function hostThinCheck(config: LvmBackendConfig, pool: string, sizeBytes: number): ThinCheck | undefined {
  const ratio = config.maxOverSubscriptionRatio;
  return typeof ratio === "number" ? { pool, ratio, sizeBytes } : undefined;
}
