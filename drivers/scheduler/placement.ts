import { NoValidBackend } from "../interface/errors";
import type { BackendStats, PoolStats } from "../interface/types";
import { capacityFilter, capacityWeight, provisioningOn, type PlacementRequest } from "./capacity";

export interface PlacementOptions {
  /** Stats younger than this are reused instead of asking every host again. */
  statsTtlMs: number;
  /** Cinder's capacity_weight_multiplier: positive spreads volumes over hosts, negative stacks them. */
  capacityWeightMultiplier: number;
}

interface Reservation {
  host: string;
  request: PlacementRequest;
  /** When the create finished; the reservation lasts until stats read after this include it. */
  doneAt: number | undefined;
}

/** A host chosen for a request, whose capacity stays reserved until `done` or `cancel`. */
export interface Placement {
  host: string;
  /** The create succeeded: keep counting it until fresh stats show the volume. */
  done(): void;
  /** The create failed: give the capacity back. */
  cancel(): void;
}

/**
 * Picks a host for each new volume the way Cinder's scheduler does (capacity filter, then
 * capacity weigher) and reserves the capacity before the next request is decided, so that many
 * creates started at once spread out and never overcommit a host. Placements are decided one
 * at a time; stats are read at most every `statsTtlMs`.
 */
export class Scheduler {
  private readonly reservations = new Set<Reservation>();
  private cached: { stats: BackendStats; readAt: number; startedAt: number } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly readStats: () => Promise<BackendStats>,
    private readonly options: PlacementOptions,
  ) {}

  place(request: PlacementRequest): Promise<Placement> {
    const decision = this.queue.then(() => this.decide(request));
    this.queue = decision.catch(() => undefined);
    return decision;
  }

  /** Forget cached stats (after a change the scheduler did not place, such as a delete). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async decide(request: PlacementRequest): Promise<Placement> {
    const now = Date.now();
    if (!this.cached || now - this.cached.readAt > this.options.statsTtlMs) {
      const startedAt = Date.now();
      const stats = await this.readStats();
      this.cached = { stats, readAt: Date.now(), startedAt };
      // Fresh stats include every create that finished before they were read.
      for (const reservation of this.reservations) {
        if (reservation.doneAt !== undefined && reservation.doneAt < startedAt) this.reservations.delete(reservation);
      }
    }
    const pools = this.cached.stats.pools.map((pool) => this.withReservations(pool));
    const verdicts = pools.map((pool) => ({ pool, verdict: capacityFilter(pool, request) }));
    const passing = verdicts.filter((entry) => entry.verdict.pass).map((entry) => entry.pool);
    if (passing.length === 0) {
      const reasons = verdicts.map(({ pool, verdict }) => `${pool.pool_name}: ${verdict.pass ? "ok" : verdict.reason}`).join("; ");
      const kind = request.provisioning ?? "default-provisioned";
      throw new NoValidBackend(`no host of backend ${this.cached.stats.volume_backend_name} can hold a ${request.sizeGib} GiB ${kind} volume (${reasons})`);
    }
    const best = passing
      .map((pool) => ({ pool, weight: capacityWeight(pool, request, this.options.capacityWeightMultiplier) }))
      .sort((a, b) => b.weight - a.weight || a.pool.total_volumes - b.pool.total_volumes || a.pool.pool_name.localeCompare(b.pool.pool_name))[0];
    if (!best) throw new NoValidBackend("no host passed the filters");
    const reservation: Reservation = { host: best.pool.pool_name, request, doneAt: undefined };
    this.reservations.add(reservation);
    return {
      host: reservation.host,
      done: () => {
        reservation.doneAt = Date.now();
      },
      cancel: () => {
        this.reservations.delete(reservation);
      },
    };
  }

  /** A pool's figures minus what placed-but-not-yet-seen creates will take. */
  private withReservations(pool: PoolStats): PoolStats {
    let adjusted = pool;
    for (const { host, request } of this.reservations) {
      if (host !== pool.pool_name) continue;
      adjusted = reserve(adjusted, request);
    }
    return adjusted;
  }
}

/** The pool as it will be once `request` is created on it. */
export function reserve(pool: PoolStats, request: PlacementRequest): PoolStats {
  const minus = <C extends PoolStats["thick_free_capacity_gb"]>(value: C): C => (typeof value === "number" ? ((value - request.sizeGib) as C) : value);
  const next: PoolStats = { ...pool, total_volumes: pool.total_volumes + 1 };
  if (provisioningOn(pool, request) === "thin" && pool.thin_provisioning_support) {
    next.provisioned_capacity_gb = pool.provisioned_capacity_gb + request.sizeGib;
  } else if (pool.thin_provisioning_support) {
    next.thick_free_capacity_gb = minus(pool.thick_free_capacity_gb);
  } else {
    next.free_capacity_gb = minus(pool.free_capacity_gb);
    next.thick_free_capacity_gb = minus(pool.thick_free_capacity_gb);
    next.provisioned_capacity_gb = pool.provisioned_capacity_gb + request.sizeGib;
  }
  return next;
}
