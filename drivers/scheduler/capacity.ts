import type { PoolStats, Provisioning } from "../interface/types";

/**
 * Cinder's CapacityFilter and CapacityWeigher (cinder/scheduler/filters/capacity_filter.py,
 * weights/capacity.py), over one pool's stats. Kept as pure functions of the figures so they
 * can be checked against Cinder's rules case by case.
 */

export interface PlacementRequest {
  sizeGib: number;
  /** Undefined: whatever each pool does by default (thin where it has a thin pool). */
  provisioning: Provisioning | undefined;
}

/** What a request means on one pool. */
export function provisioningOn(pool: PoolStats, request: PlacementRequest): Provisioning {
  return request.provisioning ?? (pool.thin_provisioning_support ? "thin" : "thick");
}

export type FilterResult = { pass: true } | { pass: false; reason: string };

const PASS: FilterResult = { pass: true };

/** Cinder's max_over_subscription_ratio resolution ('auto', thin unsupported, unknown capacity). */
export function overSubscriptionRatio(pool: PoolStats): number {
  const { total_capacity_gb: total, free_capacity_gb: free } = pool;
  if (!pool.thin_provisioning_support || typeof total !== "number" || typeof free !== "number") return 1;
  if (pool.max_over_subscription_ratio !== "auto") return pool.max_over_subscription_ratio;
  const provisioned = pool.provisioned_capacity_gb;
  return provisioned === 0 ? 20 : 1 + provisioned / (total - free + 1);
}

/** The figures a request is judged on: the thin pool's for thin, the volume group's for thick. */
function figuresFor(
  pool: PoolStats,
  request: PlacementRequest,
): { total: PoolStats["total_capacity_gb"]; free: PoolStats["free_capacity_gb"]; provisioned: number; thin: boolean } {
  const thin = provisioningOn(pool, request) === "thin" && pool.thin_provisioning_support;
  if (thin || pool.thick_total_capacity_gb === undefined || pool.thick_free_capacity_gb === undefined) {
    return { total: pool.total_capacity_gb, free: pool.free_capacity_gb, provisioned: pool.provisioned_capacity_gb, thin };
  }
  const total = pool.thick_total_capacity_gb;
  const free = pool.thick_free_capacity_gb;
  return { total, free, provisioned: typeof total === "number" && typeof free === "number" ? total - free : 0, thin: false };
}

/**
 * The space a request could use on the pool (Cinder's virtual free): for thin, the
 * over-subscribed total minus what is provisioned; for thick, the lesser of free space and
 * what the reserve leaves. Undefined when the figures are 'unknown' or 'infinite'.
 */
export function virtualFree(pool: PoolStats, request: PlacementRequest): number | undefined {
  const { total, free, provisioned, thin } = figuresFor(pool, request);
  if (typeof total !== "number" || typeof free !== "number") return undefined;
  const reserved = Math.floor((total * pool.reserved_percentage) / 100);
  const available = total - reserved;
  return thin ? available * overSubscriptionRatio(pool) - provisioned : Math.min(free, available - provisioned);
}

export function capacityFilter(pool: PoolStats, request: PlacementRequest): FilterResult {
  if (pool.backend_state !== "up") return { pass: false, reason: `down (${pool.backend_state_reason ?? "unreachable"})` };
  const provisioning = provisioningOn(pool, request);
  if (provisioning === "thin" && !pool.thin_provisioning_support) return { pass: false, reason: "has no thin pool" };
  if (provisioning === "thick" && !pool.thick_provisioning_support) return { pass: false, reason: "does not provision thick" };
  const { total, free, provisioned, thin } = figuresFor(pool, request);
  // Cinder passes what it cannot measure and relies on rescheduling; so does the driver, whose
  // create then fails cleanly if the guess was wrong.
  if (free === "infinite" || free === "unknown") return PASS;
  if (total === "infinite" || total === "unknown") {
    return pool.reserved_percentage === 0 ? PASS : { pass: false, reason: "reports no total capacity but reserves a percentage of it" };
  }
  if (total <= 0) return { pass: false, reason: "reports no capacity" };
  const reserved = Math.floor((total * pool.reserved_percentage) / 100);
  const available = total - reserved;
  if (thin) {
    const ratio = overSubscriptionRatio(pool);
    if (ratio < 1) return { pass: false, reason: `over-subscription ratio ${ratio} is below 1` };
    const totalAvailable = available * ratio;
    if ((provisioned + request.sizeGib) / totalAvailable > ratio) {
      return { pass: false, reason: `${request.sizeGib} GiB would over-subscribe it beyond ${ratio}x (${provisioned} GiB provisioned of ${available} GiB)` };
    }
    const left = totalAvailable - provisioned;
    return left >= request.sizeGib ? PASS : { pass: false, reason: `${left.toFixed(2)} GiB of thin capacity left, ${request.sizeGib} GiB asked` };
  }
  const left = Math.min(free, available - provisioned);
  return left >= request.sizeGib ? PASS : { pass: false, reason: `${Math.max(0, left).toFixed(2)} GiB free, ${request.sizeGib} GiB asked` };
}

/**
 * Cinder's CapacityWeigher: the pool's virtual free space times the multiplier (positive
 * spreads volumes, negative stacks them). Pools that cannot say get the lowest weight.
 */
export function capacityWeight(pool: PoolStats, request: PlacementRequest, multiplier: number): number {
  const free = virtualFree(pool, request);
  if (free === undefined) return multiplier > 0 ? -1 : Number.NEGATIVE_INFINITY;
  return free * multiplier;
}
