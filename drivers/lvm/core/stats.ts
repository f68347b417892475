import { bytesToGib, sumCapacity } from "../../interface/capacity";
import type { BackendStats, PoolStats } from "../../interface/types";
import type { LvmBackendConfig } from "../config";
import type { LvRow, VgRow } from "../model/report";

/** What one `vgs` and one `lvs` of a host say, with the host's provisioning resolved. */
export interface HostReport {
  host: string;
  vg: VgRow;
  lvs: LvRow[];
  /** The thin pool, when the host has one. */
  pool: LvRow | undefined;
}

/**
 * One host as a Cinder pool. With a thin pool the figures are the pool's (free space from its
 * data usage, not from the VG); without one they are the VG's.
 */
export function poolStats(report: HostReport, config: LvmBackendConfig): PoolStats {
  const { vg, lvs, pool } = report;
  const common = {
    pool_name: report.host,
    reserved_percentage: config.reservedPercentage,
    max_over_subscription_ratio: config.maxOverSubscriptionRatio,
    thick_provisioning_support: true,
    total_volumes: vg.lvCount,
    multiattach: true,
    online_extend_support: true,
    backend_state: "up" as const,
  };
  if (pool) {
    const used = (pool.sizeBytes * (pool.dataPercent ?? 0)) / 100;
    const provisioned = lvs.filter((lv) => lv.pool === pool.name).reduce((sum, lv) => sum + lv.sizeBytes, 0);
    return {
      ...common,
      total_capacity_gb: bytesToGib(pool.sizeBytes),
      free_capacity_gb: bytesToGib(pool.sizeBytes - used),
      provisioned_capacity_gb: bytesToGib(provisioned),
      allocated_capacity_gb: bytesToGib(used),
      thin_provisioning_support: true,
      location_info: `LVMVolumeDriver:${report.host}:${vg.name}:thin:0`,
      // Thick volumes come from the volume group beside the pool, not from the pool.
      thick_total_capacity_gb: bytesToGib(vg.sizeBytes),
      thick_free_capacity_gb: bytesToGib(vg.freeBytes),
    };
  }
  return {
    ...common,
    total_capacity_gb: bytesToGib(vg.sizeBytes),
    free_capacity_gb: bytesToGib(vg.freeBytes),
    provisioned_capacity_gb: bytesToGib(vg.sizeBytes - vg.freeBytes),
    allocated_capacity_gb: bytesToGib(vg.sizeBytes - vg.freeBytes),
    thin_provisioning_support: false,
    location_info: `LVMVolumeDriver:${report.host}:${vg.name}:default:0`,
  };
}

/** A host that could not be asked: its capacities are 'unknown', and it is marked down. */
export function downPoolStats(host: string, config: LvmBackendConfig, reason: string): PoolStats {
  return {
    pool_name: host,
    total_capacity_gb: "unknown",
    free_capacity_gb: "unknown",
    provisioned_capacity_gb: 0,
    allocated_capacity_gb: 0,
    reserved_percentage: config.reservedPercentage,
    max_over_subscription_ratio: config.maxOverSubscriptionRatio,
    thin_provisioning_support: config.lvmType !== "default",
    thick_provisioning_support: true,
    total_volumes: 0,
    multiattach: true,
    online_extend_support: true,
    backend_state: "down",
    backend_state_reason: reason,
    location_info: `LVMVolumeDriver:${host}:unknown:${config.lvmType}:0`,
  };
}

/** The backend's stats: Cinder's required keys, totals over the pools that are up, then the pools. */
export function backendStats(backend: string, version: string, pools: PoolStats[], config: LvmBackendConfig): BackendStats {
  const up = pools.filter((pool) => pool.backend_state === "up");
  return {
    volume_backend_name: backend,
    vendor_name: "Open Source",
    driver_version: version,
    storage_protocol: "iSCSI",
    total_capacity_gb: up.length === 0 ? "unknown" : sumCapacity(up.map((pool) => pool.total_capacity_gb)),
    free_capacity_gb: up.length === 0 ? "unknown" : sumCapacity(up.map((pool) => pool.free_capacity_gb)),
    reserved_percentage: config.reservedPercentage,
    provisioned_capacity_gb: Math.round(up.reduce((sum, pool) => sum + pool.provisioned_capacity_gb, 0) * 100) / 100,
    max_over_subscription_ratio: config.maxOverSubscriptionRatio,
    thin_provisioning_support: up.some((pool) => pool.thin_provisioning_support),
    thick_provisioning_support: true,
    total_volumes: up.reduce((sum, pool) => sum + pool.total_volumes, 0),
    pools,
  };
}
