import { lvmBackendSchema, type LvmBackendConfig } from "../../../../../drivers/lvm/config";
import { backendStats, downPoolStats, poolStats, type HostReport } from "../../../../../drivers/lvm/core/stats";
import { capturedLvs, capturedVg, lvNamed } from "../../../../fakes/lvmFixtures";

const config: LvmBackendConfig = lvmBackendSchema.parse({
  driver: "lvm",
  hosts: [{ name: "lab-1", address: "127.0.0.1", privateKeyPath: "/keys/id", hostKey: "ssh-ed25519 AAAAC3Nza" }],
  lvmType: "thin",
  reservedPercentage: 5,
});

/** The lab host as captured: a VG whose thin pool holds the fx-d810 thin LVs. */
function thinHost(host = "lab-1"): HostReport {
  const lvs = capturedLvs();
  return { host, vg: capturedVg(), lvs, pool: lvNamed(lvs, "cinder-volumes-pool") };
}

/** The same VG read as a host without a thin pool. */
function thickHost(host = "lab-2"): HostReport {
  return { ...thinHost(host), pool: undefined };
}

describe("poolStats", () => {
  it("reports a thin host's figures from its pool (free space from data_percent), and the VG's for thick requests", () => {
    expect(poolStats(thinHost(), config)).toEqual({
      pool_name: "lab-1",
      total_capacity_gb: 15.96,
      free_capacity_gb: 15.95,
      allocated_capacity_gb: 0.02,
      provisioned_capacity_gb: 0.16,
      reserved_percentage: 5,
      max_over_subscription_ratio: 20,
      thin_provisioning_support: true,
      thick_provisioning_support: true,
      total_volumes: 6,
      multiattach: true,
      online_extend_support: true,
      backend_state: "up",
      location_info: "LVMVolumeDriver:lab-1:cinder-volumes:thin:0",
      thick_total_capacity_gb: 20,
      thick_free_capacity_gb: 3.88,
    });
  });

  it("does not take a thin host's free space from the VG", () => {
    const report = thinHost();
    expect(report.vg.freeBytes / 1024 ** 3).toBe(3.875);
    expect(poolStats(report, config).free_capacity_gb).not.toBe(3.88);
  });

  it("counts as provisioned only the LVs in the pool (thin volumes and thin snapshots)", () => {
    const report = thinHost();
    const inPool = report.lvs.filter((lv) => lv.pool === "cinder-volumes-pool").map((lv) => lv.name);
    expect(inPool).toEqual(["fx-d810-inactive", "fx-d810-thin", "fx-d810-thinsnap"]);
    expect(poolStats(report, config).provisioned_capacity_gb).toBe(0.16);
  });

  it("reports a host without a thin pool with the VG's figures", () => {
    expect(poolStats(thickHost(), config)).toMatchObject({
      pool_name: "lab-2",
      total_capacity_gb: 20,
      free_capacity_gb: 3.88,
      allocated_capacity_gb: 16.12,
      provisioned_capacity_gb: 16.12,
      thin_provisioning_support: false,
      backend_state: "up",
      location_info: "LVMVolumeDriver:lab-2:cinder-volumes:default:0",
    });
  });
});

describe("downPoolStats", () => {
  it("marks the host down with 'unknown' capacities and the reason", () => {
    expect(downPoolStats("lab-3", config, "cannot connect to root@10.0.0.9:22")).toMatchObject({
      pool_name: "lab-3",
      total_capacity_gb: "unknown",
      free_capacity_gb: "unknown",
      provisioned_capacity_gb: 0,
      total_volumes: 0,
      backend_state: "down",
      backend_state_reason: "cannot connect to root@10.0.0.9:22",
      thin_provisioning_support: true,
      location_info: "LVMVolumeDriver:lab-3:unknown:thin:0",
    });
  });
});

describe("backendStats", () => {
  const up = [poolStats(thinHost(), config), poolStats(thickHost(), config)];
  const down = downPoolStats("lab-3", config, "unreachable");

  it("sums the pools that are up and ignores the down ones", () => {
    expect(backendStats("lab", "1.0.0", [...up, down], config)).toEqual({
      volume_backend_name: "lab",
      vendor_name: "Open Source",
      driver_version: "1.0.0",
      storage_protocol: "iSCSI",
      total_capacity_gb: 35.96,
      free_capacity_gb: 19.83,
      reserved_percentage: 5,
      provisioned_capacity_gb: 16.28,
      max_over_subscription_ratio: 20,
      thin_provisioning_support: true,
      thick_provisioning_support: true,
      total_volumes: 12,
      pools: [...up, down],
    });
  });

  it("gives the same totals with or without a down pool", () => {
    const { pools: _withDown, ...withDown } = backendStats("lab", "1.0.0", [...up, down], config);
    const { pools: _without, ...without } = backendStats("lab", "1.0.0", up, config);
    expect(withDown).toEqual(without);
  });

  it("reports 'unknown' totals when every pool is down, still listing the pools", () => {
    const stats = backendStats("lab", "1.0.0", [down, downPoolStats("lab-4", config, "unreachable")], config);
    expect(stats).toMatchObject({ total_capacity_gb: "unknown", free_capacity_gb: "unknown", provisioned_capacity_gb: 0, total_volumes: 0 });
    expect(stats.pools.map((pool) => pool.pool_name)).toEqual(["lab-3", "lab-4"]);
  });

  it("reports 'unknown' totals for a backend with no pools", () => {
    expect(backendStats("lab", "1.0.0", [], config)).toMatchObject({ total_capacity_gb: "unknown", free_capacity_gb: "unknown" });
  });
});
