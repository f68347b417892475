import { NoValidBackend } from "../../../../drivers/interface/errors";
import type { BackendStats, PoolStats } from "../../../../drivers/interface/types";
import { Scheduler } from "../../../../drivers/scheduler/placement";

function pool(name: string, freeGib: number, overrides: Partial<PoolStats> = {}): PoolStats {
  return {
    pool_name: name,
    total_capacity_gb: 100,
    free_capacity_gb: freeGib,
    provisioned_capacity_gb: 100 - freeGib,
    allocated_capacity_gb: 100 - freeGib,
    reserved_percentage: 0,
    max_over_subscription_ratio: 20,
    thin_provisioning_support: false,
    thick_provisioning_support: true,
    total_volumes: 0,
    multiattach: true,
    online_extend_support: true,
    backend_state: "up",
    location_info: "x",
    thick_total_capacity_gb: 100,
    thick_free_capacity_gb: freeGib,
    ...overrides,
  };
}

function stats(pools: PoolStats[]): BackendStats {
  return {
    volume_backend_name: "b",
    vendor_name: "v",
    driver_version: "1",
    storage_protocol: "iSCSI",
    total_capacity_gb: 200,
    free_capacity_gb: 100,
    reserved_percentage: 0,
    provisioned_capacity_gb: 0,
    max_over_subscription_ratio: 20,
    thin_provisioning_support: false,
    thick_provisioning_support: true,
    total_volumes: 0,
    pools,
  };
}

const thick = (sizeGib: number) => ({ sizeGib, provisioning: "thick" as const });

describe("placement", () => {
  it("spreads creates started at once and never overcommits a host", async () => {
    let reads = 0;
    const scheduler = new Scheduler(
      async () => {
        reads++;
        return stats([pool("h1", 10), pool("h2", 7)]);
      },
      { statsTtlMs: 60_000, capacityWeightMultiplier: 1 },
    );
    const placements = await Promise.all(Array.from({ length: 8 }, () => scheduler.place(thick(2))));
    const perHost = placements.reduce<Record<string, number>>((acc, p) => ({ ...acc, [p.host]: (acc[p.host] ?? 0) + 2 }), {});
    expect(perHost).toEqual({ h1: 10, h2: 6 });
    expect(reads).toBe(1);
    await expect(scheduler.place(thick(2))).rejects.toThrow(NoValidBackend);
  });

  it("gives capacity back when a create fails", async () => {
    const scheduler = new Scheduler(async () => stats([pool("h1", 4)]), { statsTtlMs: 60_000, capacityWeightMultiplier: 1 });
    const first = await scheduler.place(thick(4));
    await expect(scheduler.place(thick(4))).rejects.toThrow(NoValidBackend);
    first.cancel();
    await expect(scheduler.place(thick(4))).resolves.toMatchObject({ host: "h1" });
  });

  it("keeps counting a finished create until stats read after it show the volume", async () => {
    let free = 4;
    const scheduler = new Scheduler(async () => stats([pool("h1", free)]), { statsTtlMs: 0, capacityWeightMultiplier: 1 });
    const placement = await scheduler.place(thick(4));
    // The create finishes; stats read before it finished would not include it.
    placement.done();
    free = 0;
    await expect(scheduler.place(thick(1))).rejects.toThrow(/h1: 0.00 GiB free, 1 GiB asked/);
  });

  it("skips a host that is down and says why when nothing fits", async () => {
    const scheduler = new Scheduler(async () => stats([pool("h1", 50, { backend_state: "down", backend_state_reason: "connection refused" }), pool("h2", 5)]), {
      statsTtlMs: 60_000,
      capacityWeightMultiplier: 1,
    });
    await expect(scheduler.place(thick(3))).resolves.toMatchObject({ host: "h2" });
    await expect(scheduler.place(thick(3))).rejects.toThrow(
      "no host of backend b can hold a 3 GiB thick volume (h1: down (connection refused); h2: 2.00 GiB free, 3 GiB asked)",
    );
  });

  it("stacks volumes on the fullest host with a negative multiplier", async () => {
    const scheduler = new Scheduler(async () => stats([pool("h1", 50), pool("h2", 20)]), { statsTtlMs: 60_000, capacityWeightMultiplier: -1 });
    await expect(scheduler.place(thick(1))).resolves.toMatchObject({ host: "h2" });
  });
});
