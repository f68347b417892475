import type { PoolStats } from "../../../../drivers/interface/types";
import { capacityFilter, capacityWeight, overSubscriptionRatio, virtualFree } from "../../../../drivers/scheduler/capacity";

function pool(overrides: Partial<PoolStats> = {}): PoolStats {
  return {
    pool_name: "h1",
    total_capacity_gb: 100,
    free_capacity_gb: 60,
    provisioned_capacity_gb: 40,
    allocated_capacity_gb: 40,
    reserved_percentage: 0,
    max_over_subscription_ratio: 20,
    thin_provisioning_support: false,
    thick_provisioning_support: true,
    total_volumes: 3,
    multiattach: true,
    online_extend_support: true,
    backend_state: "up",
    location_info: "x",
    ...overrides,
  };
}

const thick = (sizeGib: number) => ({ sizeGib, provisioning: "thick" as const });
const thin = (sizeGib: number) => ({ sizeGib, provisioning: "thin" as const });

describe("Cinder's capacity filter", () => {
  it.each([
    ["a thick request that fits in the free space", pool(), thick(60), true],
    ["a thick request larger than the free space", pool(), thick(61), false],
    ["a thick request that fits only if the reserve is ignored", pool({ reserved_percentage: 50 }), thick(20), false],
    ["a request on a host that is down", pool({ backend_state: "down" }), thick(1), false],
    ["a thin request on a host without a thin pool", pool(), thin(1), false],
    ["any request when free capacity is 'unknown'", pool({ free_capacity_gb: "unknown" }), thick(10_000), true],
    ["any request when free capacity is 'infinite'", pool({ free_capacity_gb: "infinite" }), thick(10_000), true],
    ["an unknown total with no reserve", pool({ total_capacity_gb: "unknown" }), thick(10), true],
    ["an unknown total with a reserve", pool({ total_capacity_gb: "unknown", reserved_percentage: 10 }), thick(10), false],
    ["a host reporting no capacity", pool({ total_capacity_gb: 0, free_capacity_gb: 0 }), thick(1), false],
  ])("decides %s", (_what, candidate, request, passes) => {
    expect(capacityFilter(candidate, request).pass).toBe(passes);
  });

  it("lets thin requests over-subscribe a pool up to the ratio, and no further", () => {
    const thinPool = pool({
      thin_provisioning_support: true,
      total_capacity_gb: 10,
      free_capacity_gb: 9,
      provisioned_capacity_gb: 150,
      max_over_subscription_ratio: 20,
    });
    expect(capacityFilter(thinPool, thin(40)).pass).toBe(true);
    expect(capacityFilter(thinPool, thin(51)).pass).toBe(false);
  });

  it("judges a thick request on a thin host by the volume group's own free space", () => {
    const mixed = pool({ thin_provisioning_support: true, free_capacity_gb: 90, thick_total_capacity_gb: 200, thick_free_capacity_gb: 5 });
    expect(capacityFilter(mixed, thick(5)).pass).toBe(true);
    expect(capacityFilter(mixed, thick(6))).toEqual({ pass: false, reason: "5.00 GiB free, 6 GiB asked" });
  });

  it("resolves 'auto' over-subscription as Cinder does", () => {
    expect(overSubscriptionRatio(pool({ thin_provisioning_support: true, max_over_subscription_ratio: "auto", provisioned_capacity_gb: 0 }))).toBe(20);
    expect(overSubscriptionRatio(pool({ thin_provisioning_support: true, max_over_subscription_ratio: "auto", provisioned_capacity_gb: 82 }))).toBeCloseTo(
      1 + 82 / 41,
    );
    expect(overSubscriptionRatio(pool({ thin_provisioning_support: false, max_over_subscription_ratio: 20 }))).toBe(1);
  });
});

describe("Cinder's capacity weigher", () => {
  it("prefers more virtual free space, and multiplies by the weight multiplier", () => {
    const roomy = pool({ free_capacity_gb: 80, provisioned_capacity_gb: 20 });
    const tight = pool({ free_capacity_gb: 10, provisioned_capacity_gb: 90 });
    expect(capacityWeight(roomy, thick(1), 1)).toBeGreaterThan(capacityWeight(tight, thick(1), 1));
    expect(capacityWeight(roomy, thick(1), -1)).toBeLessThan(capacityWeight(tight, thick(1), -1));
  });

  it("gives pools that report 'unknown' or 'infinite' the lowest weight", () => {
    const unknown = pool({ free_capacity_gb: "unknown" });
    expect(virtualFree(unknown, thick(1))).toBeUndefined();
    expect(capacityWeight(unknown, thick(1), 1)).toBeLessThan(capacityWeight(pool({ free_capacity_gb: 1, provisioned_capacity_gb: 99 }), thick(1), 1));
  });
});
