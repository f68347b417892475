import { randomUUID } from "node:crypto";
import { lvmBackendSchema } from "../../../../../drivers/lvm/config";
import { LvmDriver } from "../../../../../drivers/lvm/driver";
import { silentLogger } from "../../../../../drivers/log";
import type { HostRunners } from "../../../../../drivers/ssh/exec";
import { FakeLvmHost } from "../../../../fakes/lvmHost";

/**
 * Thin creates of two processes (two drivers, each with its own scheduler) on the same hosts:
 * LVM never refuses an over-subscribing thin create, so the host-side check under the thin
 * lock (scripts/thin-create.sh) is what keeps each pool within maxOverSubscriptionRatio.
 */
const GIB = 1024 ** 3;
const POOL = "cinder-volumes-pool";
const host = (name: string) => ({ name, address: "192.0.2.1", privateKey: "unused", hostKey: "SHA256:unused" });
const config = lvmBackendSchema.parse({ driver: "lvm", lvmType: "thin", maxOverSubscriptionRatio: 1, hosts: [host("fake-1"), host("fake-2")] });

/** Two fake hosts (20 GiB thin pools) and two processes driving them. */
async function twoProcesses(): Promise<{ hosts: Record<string, FakeLvmHost>; drivers: LvmDriver[] }> {
  const hosts: Record<string, FakeLvmHost> = { "fake-1": new FakeLvmHost(), "fake-2": new FakeLvmHost() };
  const ssh: HostRunners = { runner: (name) => hosts[name] as FakeLvmHost };
  const drivers = [0, 1].map(() => new LvmDriver("b", config, { logger: silentLogger, ssh }));
  await Promise.all(drivers.map((driver) => driver.checkForSetupError()));
  return { hosts, drivers };
}

const provisioned = (fake: FakeLvmHost): number => [...fake.lvs.values()].filter((lv) => lv.pool === POOL).reduce((sum, lv) => sum + lv.sizeBytes, 0);
const poolBytes = (fake: FakeLvmHost): number => fake.lvs.get(POOL)?.sizeBytes ?? 0;

describe("thin over-subscription across processes", () => {
  it("two processes whose thin creates together exceed one host's allowance both succeed, one on each host, neither over its ratio", async () => {
    const { hosts, drivers } = await twoProcesses();
    const [first, second] = drivers as [LvmDriver, LvmDriver];
    // fake-2 has less left, so both schedulers pick fake-1; 12 GiB fits either host, two do not fit one.
    await first.createVolume({ uuid: randomUUID(), name: "ballast", sizeGib: 4, provisioning: "thin", host: "fake-2" });
    const volumes = await Promise.all(
      [first, second].map((driver, i) => driver.createVolume({ uuid: randomUUID(), name: `both-${i}`, sizeGib: 12, provisioning: "thin" })),
    );
    expect(volumes.map((volume) => volume.host).sort()).toEqual(["fake-1", "fake-2"]);
    for (const fake of Object.values(hosts)) expect(provisioned(fake)).toBeLessThanOrEqual(poolBytes(fake));
    // Both were sent to fake-1 first: its host-side check refused the second, which was placed again.
    expect(hosts["fake-1"]?.calls.filter((call) => call === "thin-create.sh")).toHaveLength(2);
  });

  it("refuses a pinned thin create that another process's create left no room for, creating nothing", async () => {
    const { hosts, drivers } = await twoProcesses();
    const runs = await Promise.allSettled(
      drivers.map((driver, i) => driver.createVolume({ uuid: randomUUID(), name: `pinned-${i}`, sizeGib: 12, provisioning: "thin", host: "fake-1" })),
    );
    const refused = runs.flatMap((run) => (run.status === "rejected" ? [run.reason as Error & { code: string }] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.code).toBe("VolumeSizeExceedsAvailableQuota");
    expect(refused[0]?.message).toContain(`would over-subscribe thin pool ${POOL} beyond 1x its ${20 * GIB} bytes (${12 * GIB} bytes provisioned)`);
    expect(refused[0]?.message).toContain("raise maxOverSubscriptionRatio or grow the pool");
    expect(provisioned(hosts["fake-1"] as FakeLvmHost)).toBe(12 * GIB);
    expect(provisioned(hosts["fake-2"] as FakeLvmHost)).toBe(0);
  });

  /** Runs a thin write of the first process beside a pinned 12 GiB create of the second on fake-1; both pass their own process's check. */
  async function besideACreate(drivers: LvmDriver[], write: (driver: LvmDriver) => Promise<unknown>): Promise<Array<Error & { code: string }>> {
    const [first, second] = drivers as [LvmDriver, LvmDriver];
    const runs = await Promise.allSettled([
      write(first),
      second.createVolume({ uuid: randomUUID(), name: "other", sizeGib: 12, provisioning: "thin", host: "fake-1" }),
    ]);
    return runs.flatMap((run) => (run.status === "rejected" ? [run.reason as Error & { code: string }] : []));
  }

  it.each([
    ["an extend of a thin volume by 12 GiB", (driver: LvmDriver, id: string) => driver.extendVolume(id, 16)],
    [
      "a thin clone of 12 GiB",
      (driver: LvmDriver, id: string) => driver.createClonedVolume({ uuid: randomUUID(), name: "copy", sizeGib: 12, provisioning: "thin" }, id),
    ],
  ])("checks %s on the host too: beside another process's create, one of the two is refused and the pool stays within its ratio", async (_what, write) => {
    const { hosts, drivers } = await twoProcesses();
    const fake = hosts["fake-1"] as FakeLvmHost;
    const source = await (drivers[0] as LvmDriver).createVolume({ uuid: randomUUID(), name: "source", sizeGib: 4, provisioning: "thin", host: "fake-1" });
    fake.calls.length = 0;
    const refused = await besideACreate(drivers, (driver) => write(driver, source.id));
    expect(refused).toHaveLength(1);
    expect(refused[0]?.code).toBe("VolumeSizeExceedsAvailableQuota");
    expect(refused[0]?.message).toContain("nothing was written");
    // Both writes passed their own process's check: the host's refused one.
    expect(fake.calls.filter((call) => call === "thin-create.sh")).toHaveLength(2);
    expect(provisioned(fake)).toBe(16 * GIB);
  });
});
