import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { labStop, labUp } from "../../lab/lab";
import { packageRoot } from "../../lab/packageRoot";
import { BackendUnavailable, InvalidInput, NoValidBackend } from "../../drivers/interface/errors";
import type { Volume } from "../../drivers/interface/types";
import type { Backends } from "../../drivers";
import { newUuid, openLabDriver, type LabDriver } from "./driverSupport";
import { fullLabConfigPath, hostLvs, labConfig, limited, onHostOk, unique } from "./support";

const execFileAsync = promisify(execFile);

const VG = "cinder-volumes";
const GiB = 1024 ** 3;

async function vgFreeGib(index: number): Promise<number> {
  return Number((await onHostOk(`vgs --noheadings --units b --nosuffix -o vg_free ${VG}`, index)).trim()) / GiB;
}

/** Each lab host's free GiB, lab-1 first. */
const bothFree = async (): Promise<[number, number]> => [await vgFreeGib(0), await vgFreeGib(1)];

/** The whole GiB each host lost between two readings of `bothFree`. */
const taken = (before: readonly [number, number], after: readonly [number, number]): number[] => [
  Math.round(before[0] - after[0]),
  Math.round(before[1] - after[1]),
];

/** The index of the host with more room, of two readings lab-1 first (lab-1 on a tie). */
const roomier = ([first, second]: readonly [number, number]): 0 | 1 => (first >= second ? 0 : 1);

/** Runs the CLI (a process of its own) with a backends file; resolves with its JSON output. */
async function cliWith(config: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await execFileAsync(process.execPath, [join(packageRoot(), "bin", "cinderblock.js"), ...args, "--config", config, "--json"]);
  return JSON.parse(stdout);
}

/** Runs the CLI against the lab's every host. */
const cli = (...args: string[]): Promise<unknown> => cliWith(fullLabConfigPath(), ...args);

/** Each host's thin pool size and what its thin volumes provision, in bytes, as `lvs` shows them. */
async function thinPools(): Promise<Array<{ size: number; provisioned: number }>> {
  return Promise.all(
    [0, 1].map(async (index) => {
      const rows = (await onHostOk(`lvs --noheadings --units b --nosuffix --separator ' ' -o lv_name,lv_size,pool_lv ${VG}`, index))
        .trim()
        .split("\n")
        .map((line) => line.trim().split(" "));
      const pool = `${VG}-pool`;
      const size = Number(rows.find(([name]) => name === pool)?.[1] ?? 0);
      const provisioned = rows.filter((row) => row[2] === pool).reduce((sum, row) => sum + Number(row[1]), 0);
      return { size, provisioned };
    }),
  );
}

/** What these tests place at most on either host at once, with a margin. */
const NEEDED_GIB = 10;

/**
 * A backend of two lab hosts. New volumes are placed by Cinder's capacity filter and weigher
 * (thick volumes here, so the figures are the volume groups' free space, which `vgs` shows).
 */
describe("placement across the hosts of a backend", () => {
  let backends: Backends;
  let driver: LabDriver;
  const made: Volume[] = [];
  const cliMade: string[] = [];
  beforeAll(async () => {
    expect(labConfig().backends.lab.hosts.length).toBeGreaterThanOrEqual(2);
    ({ backends, driver } = await openLabDriver("lab-sched", { volumeClear: "none", lvmType: "default", statsCacheSeconds: 30 }, { allHosts: true }));
    // Earlier files share these hosts (and the thin pool each host got when a file first used
    // it): say plainly when they left too little room, rather than fail somewhere below.
    const free = await bothFree();
    if (Math.min(...free) < NEEDED_GIB) {
      const lvs = [(await hostLvs(0)).map((lv) => lv.name), (await hostLvs(1)).map((lv) => lv.name)];
      throw new Error(
        `placement needs ${NEEDED_GIB} GiB free on each lab host; lab-1 has ${free[0].toFixed(1)} GiB (LVs: ${lvs[0]?.join(", ")}), lab-2 ${free[1].toFixed(1)} GiB (LVs: ${lvs[1]?.join(", ")})`,
      );
    }
  });
  afterAll(async () => {
    await labUp({ hosts: 2 });
    // The CLI's volumes belong to its backend, `lab`: this driver's backend cannot name them.
    const results = await Promise.allSettled([
      limited(
        8,
        made.map((volume) => () => driver.deleteVolume(volume.id)),
      ),
      ...cliMade.map((id) => cli("volume", "delete", id)),
    ]);
    await backends.close();
    const failed = results.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
    if (failed.length > 0) throw new AggregateError(failed, "placement tests could not delete what they made");
  });

  /** Brings the roomier host within 1 GiB of the other with a thick ballast (kept in `made`); the hosts' free GiB after. */
  async function level(): Promise<[number, number]> {
    const free = await bothFree();
    const gap = Math.floor(Math.abs(free[0] - free[1]));
    if (gap < 1) return free;
    const host = `lab-${roomier(free) + 1}`;
    made.push(await driver.createVolume({ uuid: newUuid(), name: unique("level"), sizeGib: gap, provisioning: "thick", host }));
    return await bothFree();
  }

  it("places 10 volumes of mixed sizes by free capacity, never beyond a host's space", async () => {
    const before = await level();
    const sizes = Array.from({ length: 10 }, (_, i) => [1, 2, 1, 1][i % 4] as number);
    const volumes = await limited(
      8,
      sizes.map((sizeGib) => () => driver.createVolume({ uuid: newUuid(), name: unique("placed"), sizeGib, provisioning: "thick" })),
    );
    made.push(...volumes);
    const after = await bothFree();
    const placed = ["lab-1", "lab-2"].map((host) => volumes.filter((v) => v.host === host).reduce((sum, v) => sum + v.sizeGib, 0));
    // Every GiB the scheduler sent to a host is gone from that host's VG, and no host went past its space.
    expect(taken(before, after)).toEqual(placed);
    expect(after.every((free) => free >= 0)).toBe(true);
    // Most-free-first spreads them. Within one request of each other when creates run one at a
    // time; eight at once, a create that ended just before a stats read may still be reserved
    // on top of it (counted twice, never overcommitting), so within two.
    expect(Math.abs(after[0] - after[1])).toBeLessThanOrEqual(4.01);
    expect(placed.every((gib) => gib > 0)).toBe(true);
    // The room is needed below.
    await limited(
      8,
      volumes.map((volume) => () => driver.deleteVolume(volume.id)),
    );
    made.splice(0, made.length, ...made.filter((volume) => !volumes.includes(volume)));
  });

  it("sends a retried create back to the host of its first attempt", async () => {
    const uuid = newUuid();
    const name = unique("retried");
    const first = await driver.createVolume({ uuid, name, sizeGib: 3, provisioning: "thick" });
    made.push(first);
    // The host that took it now has less room, so a fresh placement would pick the other one.
    const again = await driver.createVolume({ uuid, name, sizeGib: 3, provisioning: "thick" });
    expect(again.id).toBe(first.id);
    const copies = [...(await hostLvs(0)), ...(await hostLvs(1))].filter((lv) => lv.tags.includes(`cb.uuid=${uuid}`));
    expect(copies).toHaveLength(1);
  });

  it("refuses a request no host can hold before creating anything", async () => {
    const before = [await hostLvs(0), await hostLvs(1)];
    const error = await driver.createVolume({ uuid: newUuid(), name: unique("huge"), sizeGib: 500, provisioning: "thick" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoValidBackend);
    expect((error as Error).message).toMatch(/lab-1: .*GiB free, 500 GiB asked; lab-2: .*GiB free, 500 GiB asked/);
    expect([await hostLvs(0), await hostLvs(1)]).toEqual(before);
  });

  it("the CLI shows every host's stats and places `volume create` through the same scheduler", async () => {
    const stats = (await cli("stats")) as Array<{ volume_backend_name: string; pools: Array<{ pool_name: string; backend_state: string }> }>;
    expect(stats.map((backend) => backend.volume_backend_name)).toEqual(["lab"]);
    expect(stats[0]?.pools.map((pool) => [pool.pool_name, pool.backend_state])).toEqual([
      ["lab-1", "up"],
      ["lab-2", "up"],
    ]);
    // Hosts within 1 GiB of each other are told apart by 2 GiB more on lab-1.
    let free = await bothFree();
    if (Math.abs(free[0] - free[1]) < 1) {
      made.push(await driver.createVolume({ uuid: newUuid(), name: unique("ballast"), sizeGib: 2, provisioning: "thick", host: "lab-1" }));
      free = await bothFree();
    }
    const target = roomier(free);
    const created = (await cli("volume", "create", "--backend", "lab", "--size-gb", "1", "--thick", "--name", unique("cli"))) as { id: string; host: string };
    cliMade.push(created.id);
    expect(created.host).toBe(`lab-${target + 1}`);
    expect((await hostLvs(target)).some((lv) => lv.name === created.id.split("/").pop())).toBe(true);
  });

  it("keeps a volume made from a snapshot on the snapshot's host and refuses another host", async () => {
    const home = roomier(await bothFree());
    const away = 1 - home;
    const origin = await driver.createVolume({ uuid: newUuid(), name: unique("origin"), sizeGib: 1, provisioning: "thick", host: `lab-${home + 1}` });
    made.push(origin);
    const snapshot = await driver.createSnapshot({ uuid: newUuid(), name: unique("src"), volumeId: origin.id });
    try {
      const before = await hostLvs(away);
      const elsewhere = await driver
        .createVolumeFromSnapshot({ uuid: newUuid(), name: unique("far"), sizeGib: 1, host: `lab-${away + 1}` }, snapshot.id)
        .catch((e: unknown) => e);
      expect(elsewhere).toBeInstanceOf(InvalidInput);
      expect((elsewhere as Error).message).toContain(`must be on its host lab-${home + 1}, not lab-${away + 1}`);
      expect(await hostLvs(away)).toEqual(before);
      const local = await driver.createVolumeFromSnapshot({ uuid: newUuid(), name: unique("near"), sizeGib: 1 }, snapshot.id);
      made.push(local);
      expect(local.host).toBe(`lab-${home + 1}`);
      expect((await hostLvs(home)).some((lv) => lv.name === local.id.split("/").pop())).toBe(true);
    } finally {
      await driver.deleteSnapshot(snapshot.id);
    }
  });

  it("places on what the hosts hold now when another process changed them, and two processes creating at once never overcommit", async () => {
    // Room to work in: the volumes of the tests above are not needed any more.
    await limited(
      8,
      made.splice(0).map((volume) => () => driver.deleteVolume(volume.id)),
    );
    const other = await openLabDriver("lab-sched", { volumeClear: "none", lvmType: "default" }, { allHosts: true });
    const scratch: Volume[] = [];
    try {
      const create = (on: LabDriver, keep: Volume[], host?: string, sizeGib = 1) =>
        on.createVolume({ uuid: newUuid(), name: unique("race"), sizeGib, provisioning: "thick", ...(host ? { host } : {}) }).then((volume) => {
          keep.push(volume);
          return volume;
        });
      // lab-2 gets less room than lab-1, and this process places a volume, so it has read the hosts.
      const free = await bothFree();
      const tilt = Math.ceil(free[1] - free[0]) + 1;
      if (tilt > 0) await create(driver, scratch, "lab-2", tilt);
      expect((await create(driver, scratch)).host).toBe("lab-1");
      // The other process now fills lab-1 past lab-2: a placement on stats read before that would pick lab-1.
      const now = await bothFree();
      await create(other.driver, scratch, "lab-1", Math.ceil(now[0] - now[1]) + 1);
      expect((await create(driver, scratch)).host).toBe("lab-2");
      // Both processes create at once; every GiB placed on a host is gone from it, and nothing fails.
      const before = await bothFree();
      const volumes = (
        await Promise.all([
          limited(
            2,
            [1, 2].map(() => () => create(driver, made)),
          ),
          limited(
            2,
            [1, 2].map(() => () => create(other.driver, made)),
          ),
        ])
      ).flat();
      const after = await bothFree();
      const placed = ["lab-1", "lab-2"].map((host) => volumes.filter((volume) => volume.host === host).length);
      expect(taken(before, after)).toEqual(placed);
      expect(placed[0]! + placed[1]!).toBe(4);
      await create(driver, made, "lab-2"); // The next test needs a volume on lab-2.
    } finally {
      await limited(
        8,
        scratch.map((volume) => () => driver.deleteVolume(volume.id)),
      );
      await other.backends.close();
    }
  });

  it("two CLI runs at once that together ask for more than either host holds: both succeed, one on each host (a host taken meanwhile is placed again)", async () => {
    const cleanup = await openLabDriver("lab", { volumeClear: "none" }, { allHosts: true });
    const ids: string[] = [];
    try {
      // Set up both hosts as the CLI's backend does (its thin pool takes its share first).
      await cleanup.driver.getVolumeStats(true);
      // Level the hosts, so that each run's scheduler sees them alike and may pick the same one.
      const free = await level();
      // Each request fits either host alone; two never fit one.
      const size = Math.floor(Math.min(...free));
      expect(2 * size).toBeGreaterThan(Math.max(...free));
      const runs = await Promise.allSettled(
        [1, 2].map(() => cli("volume", "create", "--backend", "lab", "--size-gb", String(size), "--thick", "--name", unique("both"))),
      );
      const created = runs.flatMap((run) => (run.status === "fulfilled" ? [run.value as { id: string; host: string }] : []));
      ids.push(...created.map((volume) => volume.id));
      expect(runs.filter((run) => run.status === "rejected")).toEqual([]);
      expect(created.map((volume) => volume.host).sort()).toEqual(["lab-1", "lab-2"]);
      const after = await bothFree();
      expect(taken(free, after)).toEqual([size, size]);
    } finally {
      for (const id of ids) await cleanup.driver.deleteVolume(id).catch(() => undefined);
      await cleanup.backends.close();
    }
  });

  it("two CLI runs at once whose thin volumes together over-subscribe either host's pool: both succeed, one on each host, neither pool beyond its ratio", async () => {
    // LVM never refuses an over-subscribing thin create: the host-side check under the thin lock
    // (scripts/thin-create.sh) refuses the second, which is placed again.
    const full = JSON.parse(readFileSync(fullLabConfigPath(), "utf8")) as { backends: { lab: Record<string, unknown> } };
    const config = join(mkdtempSync(join(tmpdir(), "cb-thin-")), "backends.json");
    writeFileSync(config, JSON.stringify({ backends: { lab: { ...full.backends.lab, maxOverSubscriptionRatio: 1 } } }), { mode: 0o600 });
    const cleanup = await openLabDriver("lab", { volumeClear: "none" }, { allHosts: true });
    const ids: string[] = [];
    try {
      await cleanup.driver.getVolumeStats(true); // Both hosts have their thin pool.
      // Earlier files leave the hosts unevenly provisioned: a thin ballast (no data, so no room
      // used) on the roomier pool evens the two allowances, so that one size fits either alone.
      const [first = 0, second = 0] = (await thinPools()).map((pool) => pool.size - pool.provisioned);
      const gap = Math.floor(Math.abs(second - first) / GiB);
      if (gap > 0) {
        const ballast = { uuid: newUuid(), name: unique("ballast"), sizeGib: gap, provisioning: "thin" as const, host: `lab-${roomier([first, second]) + 1}` };
        ids.push((await cleanup.driver.createVolume(ballast)).id);
      }
      const before = await thinPools();
      const allowance = before.map((pool) => pool.size - pool.provisioned);
      // Each request fits either host's pool alone; two never fit one.
      const size = Math.floor(Math.min(...allowance) / GiB);
      expect(2 * size * GiB).toBeGreaterThan(Math.max(...allowance));
      const runs = await Promise.allSettled(
        [1, 2].map(() => cliWith(config, "volume", "create", "--backend", "lab", "--size-gb", String(size), "--name", unique("thin"))),
      );
      const created = runs.flatMap((run) => (run.status === "fulfilled" ? [run.value as { id: string; host: string }] : []));
      ids.push(...created.map((volume) => volume.id));
      expect(runs.filter((run) => run.status === "rejected")).toEqual([]);
      expect(created.map((volume) => volume.host).sort()).toEqual(["lab-1", "lab-2"]);
      const after = await thinPools();
      // Each pool took one thin volume, and stays within 1x.
      expect(after.map((pool, i) => (pool.provisioned - (before[i]?.provisioned ?? 0)) / GiB)).toEqual([size, size]);
      for (const pool of after) expect(pool.provisioned).toBeLessThanOrEqual(pool.size);
    } finally {
      for (const id of ids) await cleanup.driver.deleteVolume(id).catch(() => undefined);
      await cleanup.backends.close();
    }
  });

  it("with a host down, places new volumes on the other and fails fast on the down host's volumes", async () => {
    const onSecond = made.find((volume) => volume.host === "lab-2");
    expect(onSecond).toBeDefined();
    await labStop("lab-2");
    try {
      const attempts = await Promise.allSettled(
        [1, 2, 3].map(() => driver.createVolume({ uuid: newUuid(), name: unique("survivor"), sizeGib: 1, provisioning: "thick" })),
      );
      const placed = attempts.flatMap((attempt) => (attempt.status === "fulfilled" ? [attempt.value] : []));
      made.push(...placed);
      expect(attempts.filter((attempt) => attempt.status === "rejected")).toEqual([]);
      expect(placed.map((volume) => volume.host)).toEqual(["lab-1", "lab-1", "lab-1"]);
      const started = Date.now();
      const error = await driver.extendVolume(onSecond!.id, onSecond!.sizeGib + 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackendUnavailable);
      expect((error as Error).message).toContain("lab-2");
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await labUp({ hosts: 2 });
    }
    // Back up: the volume is still there and works again.
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    const grown = await driver.extendVolume(onSecond!.id, onSecond!.sizeGib + 1);
    expect(grown.sizeGib).toBe(onSecond!.sizeGib + 1);
  });
});
