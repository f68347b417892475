import { randomUUID } from "node:crypto";
import { Backends, loadBackendsFile } from "../drivers";
import type { DriverWith } from "../drivers";
import { gateName, lvMapperPath } from "../drivers/lvm";
import { SshPool, type CommandRunner, type SshTarget, type TransportStats } from "../drivers/ssh";
import { timed } from "./report";

const VG = "cinder-volumes";
const POOL = `${VG}-pool`;
const REPEATS = 5;
const READS = 200;
const GIB = 1024 ** 3;
const BENCH_TAG = "cb.bench";

type Driver = DriverWith<"core">;

/** One operation through the driver against the bare commands it needs, medians of REPEATS runs. */
export interface OperationRatio {
  operation: string;
  bareMs: number;
  driverMs: number;
  /** driver ÷ bare: 1.00 is LVM's own speed. */
  ratio: number;
  target: number;
}

/** Remote commands per operation, counted by the transport. */
export interface CommandCount {
  operation: string;
  /** Measured on the release before the command-path work (commit 5955bb1), warm process, one host. */
  before: number;
  after: number;
  /** LVM invocations among them (lvm, lvs, lvcreate, ... and host scripts that run LVM). */
  afterLvm: number;
  /** Of those, requests answered by the host's long-lived lvm shell (no LVM start-up). */
  afterLvmShell: number;
}

export interface CommandPathResults {
  operations: OperationRatio[];
  refresh: { volumes: number; lvmInvocations: number; target: number; wallMs: number; bareLvsMs: number };
  commands: CommandCount[];
}

/** What each operation cost before this work: counted with CINDERBLOCK_LOG=debug at 5955bb1, warm process. */
const BEFORE: Record<string, number> = {
  "first contact (setup and a read)": 11,
  "create thin": 7,
  "create thick": 6,
  read: 1,
  extend: 8,
  snapshot: 4,
  delete: 6,
};

const name = (prefix: string): string => `bench-${prefix}-${randomUUID().slice(0, 8)}`;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * The command path: each driver operation in a warm process against the bare LVM and dmsetup
 * commands it needs, each run as its own command over an already-open SSH connection (what a
 * hand-written script over a pooled connection would do); a refresh of 200 volumes at once; and
 * the remote commands each operation costs.
 */
export async function benchCommandPath(configPath: string, target: SshTarget, host: string): Promise<CommandPathResults> {
  const entries = await loadBackendsFile(configPath);
  const ssh = new SshPool();
  const backends = new Backends(entries, undefined, ssh);
  const [backend] = backends.names;
  if (!backend) throw new Error(`${configPath} configures no backend`);
  const bareSsh = new SshPool({ sessions: false });
  const bare = bareSsh.runner("bare", target);
  try {
    const driver = (await backends.withCapability(backend, "core")) as Driver;
    const commands = await countCommands(driver, ssh, host);
    await bare.run(["true"]);
    const operations = [
      await compare("create thin", () => createPair(driver, bare, host, "thin")),
      await compare("create thick", () => createPair(driver, bare, host, "thick")),
      await compare("snapshot", () => snapshotPair(driver, bare, host)),
      await compare("extend", () => extendPair(driver, bare, host)),
      await compare("delete", () => deletePair(driver, bare, host)),
    ];
    const refresh = await benchRefresh(driver, ssh, bare, backend, host);
    return { operations, refresh, commands };
  } finally {
    await bare.run(["lvremove", "-q", "-y", `@${BENCH_TAG}`], { okExitCodes: [5] }).catch(() => undefined);
    await backends.close();
    bareSsh.close();
  }
}

/** One timed run of each side, with whatever setup and cleanup they need kept out of the timing. */
interface Pair {
  driver: () => Promise<unknown>;
  bare: () => Promise<unknown>;
  cleanup: () => Promise<unknown>;
}

async function compare(operation: string, pair: () => Promise<Pair>): Promise<OperationRatio> {
  const driverMs: number[] = [];
  const bareMs: number[] = [];
  for (let run = 0; run < REPEATS; run++) {
    const sides = await pair();
    // Alternate which side goes first, so that neither always meets a host warmed by the other.
    if (run % 2 === 0) {
      driverMs.push(await timed(sides.driver));
      bareMs.push(await timed(sides.bare));
    } else {
      bareMs.push(await timed(sides.bare));
      driverMs.push(await timed(sides.driver));
    }
    await sides.cleanup();
  }
  const ratio = median(driverMs) / median(bareMs);
  return { operation, bareMs: median(bareMs), driverMs: median(driverMs), ratio, target: 1.15 };
}

const bareLvcreate = (provisioning: "thin" | "thick", lv: string): string[] =>
  provisioning === "thin"
    ? ["lvcreate", "--yes", "--quiet", "-T", `${VG}/${POOL}`, "-V", `${GIB}b`, "-n", lv, "--addtag", BENCH_TAG]
    : ["lvcreate", "--yes", "--quiet", "--wipesignatures", "y", "--zero", "y", "-L", `${GIB}b`, "-n", lv, "--addtag", BENCH_TAG, VG];

/** The gate over an LV, as bare commands make it: device-mapper resolves the path itself. */
const bareGate = (lv: string, sectors: number): string[] => ["dmsetup", "create", gateName(VG, lv), "--table", `0 ${sectors} linear ${lvMapperPath(VG, lv)} 0`];

/** A volume as bare commands make one: the LV, then its gate. */
async function bareVolume(bare: CommandRunner, provisioning: "thin" | "thick", lv: string): Promise<void> {
  await bare.run(bareLvcreate(provisioning, lv));
  await bare.run(bareGate(lv, GIB / 512));
}

async function bareRemove(bare: CommandRunner, lv: string): Promise<void> {
  await bare.run(["dmsetup", "remove", gateName(VG, lv)], { okExitCodes: [1] });
  await bare.run(["lvremove", "--yes", "--quiet", `${VG}/${lv}`]);
}

async function createPair(driver: Driver, bare: CommandRunner, host: string, provisioning: "thin" | "thick"): Promise<Pair> {
  const mine = name("c");
  const theirs = name("b");
  let id = "";
  return {
    driver: async () => {
      id = (await driver.createVolume({ uuid: randomUUID(), name: mine, sizeGib: 1, provisioning, host })).id;
    },
    bare: () => bareVolume(bare, provisioning, theirs),
    cleanup: async () => {
      await driver.deleteVolume(id);
      await bareRemove(bare, theirs);
    },
  };
}

async function snapshotPair(driver: Driver, bare: CommandRunner, host: string): Promise<Pair> {
  const origin = await driver.createVolume({ uuid: randomUUID(), name: name("o"), sizeGib: 1, provisioning: "thin", host });
  const theirs = name("bs");
  let snapshotId = "";
  return {
    driver: async () => {
      snapshotId = (await driver.createSnapshot({ uuid: randomUUID(), name: name("s"), volumeId: origin.id })).id;
    },
    bare: () => bare.run(["lvcreate", "--yes", "--quiet", "-s", "-n", theirs, "--addtag", BENCH_TAG, `${VG}/${origin.lvName}`]),
    cleanup: async () => {
      await driver.deleteSnapshot(snapshotId);
      await bare.run(["lvremove", "--yes", "--quiet", `${VG}/${theirs}`]);
      await driver.deleteVolume(origin.id);
    },
  };
}

async function extendPair(driver: Driver, bare: CommandRunner, host: string): Promise<Pair> {
  const mine = await driver.createVolume({ uuid: randomUUID(), name: name("e"), sizeGib: 1, provisioning: "thin", host });
  const theirs = name("be");
  await bareVolume(bare, "thin", theirs);
  return {
    driver: () => driver.extendVolume(mine.id, 2),
    bare: async () => {
      await bare.run(["lvextend", "--yes", "--quiet", "-L", `${2 * GIB}b`, `${VG}/${theirs}`]);
      await bare.run(["dmsetup", "reload", gateName(VG, theirs), "--table", `0 ${(2 * GIB) / 512} linear ${lvMapperPath(VG, theirs)} 0`]);
      await bare.run(["dmsetup", "resume", gateName(VG, theirs)]);
    },
    cleanup: async () => {
      await driver.deleteVolume(mine.id);
      await bareRemove(bare, theirs);
    },
  };
}

async function deletePair(driver: Driver, bare: CommandRunner, host: string): Promise<Pair> {
  const mine = await driver.createVolume({ uuid: randomUUID(), name: name("d"), sizeGib: 1, provisioning: "thin", host });
  const theirs = name("bd");
  await bareVolume(bare, "thin", theirs);
  return {
    driver: () => driver.deleteVolume(mine.id),
    bare: () => bareRemove(bare, theirs),
    cleanup: async () => undefined,
  };
}

/** LVM invocations among what the transport counted: LVM's own commands and the host scripts that run them. */
function lvmInvocations(stats: TransportStats | undefined): number {
  const lvm = /^(lvm |lvs|vgs|pvs|lvcreate|lvremove|lvextend|lvchange|lvrename|lvmconfig|lv-write.sh|volume-remove.sh)/;
  return Object.entries(stats?.byProgram ?? {})
    .filter(([program]) => lvm.test(program))
    .reduce((sum, [, count]) => sum + count, 0);
}

/**
 * `pulumi refresh` of 200 volumes: 200 Reads at once. The volumes are made by one bare host
 * command (tagged as cinderblock volumes, without gates, which a Read does not need).
 */
async function benchRefresh(driver: Driver, ssh: SshPool, bare: CommandRunner, backend: string, host: string): Promise<CommandPathResults["refresh"]> {
  const names = Array.from({ length: READS }, () => name("r"));
  const creates = names
    .map(
      (lv) =>
        `lvcreate --yes --quiet -T ${VG}/${POOL} -V 4m -n ${lv} --addtag cinderblock --addtag cb.kind=volume --addtag cb.uuid=${randomUUID()} --addtag ${BENCH_TAG}`,
    )
    .join("\n");
  await bare.run(["lvm"], { stdin: `${creates}\n`, timeoutMs: 30 * 60_000 });
  const ids = names.map((lv) => `${backend}/${host}/${VG}/${lv}`);
  ssh.resetStats();
  const wallMs = await timed(async () => {
    const found = await Promise.all(ids.map((id) => driver.findVolume(id)));
    if (found.some((volume) => volume === undefined)) throw new Error("a volume made for the refresh bench was not found");
  });
  const lvm = lvmInvocations(ssh.stats()[host]);
  const bareLvsMs = await timed(() => bare.run(["lvs", "--reportformat", "json", VG]));
  await bare.run(["lvremove", "-q", "-y", `@${BENCH_TAG}`], { timeoutMs: 30 * 60_000 });
  return { volumes: READS, lvmInvocations: lvm, target: 2, wallMs, bareLvsMs };
}

/** Remote commands per operation through the transport's counters; the first contact comes first. */
async function countCommands(driver: Driver, ssh: SshPool, host: string): Promise<CommandCount[]> {
  const counts: CommandCount[] = [];
  const step = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    ssh.resetStats();
    const result = await work();
    const stats = ssh.stats()[host];
    counts.push({
      operation,
      before: BEFORE[operation] ?? Number.NaN,
      after: stats?.commands ?? 0,
      afterLvm: lvmInvocations(stats),
      afterLvmShell: stats?.lvmShellCommands ?? 0,
    });
    return result;
  };
  await step("first contact (setup and a read)", () => driver.listVolumes());
  const thin = await step("create thin", () => driver.createVolume({ uuid: randomUUID(), name: name("n"), sizeGib: 1, provisioning: "thin", host }));
  const thick = await step("create thick", () => driver.createVolume({ uuid: randomUUID(), name: name("k"), sizeGib: 1, provisioning: "thick", host }));
  await step("read", () => driver.findVolume(thin.id));
  await step("extend", () => driver.extendVolume(thin.id, 2));
  const snapshot = await step("snapshot", () => driver.createSnapshot({ uuid: randomUUID(), name: name("s"), volumeId: thin.id }));
  await driver.deleteSnapshot(snapshot.id);
  await step("delete", () => driver.deleteVolume(thin.id));
  await driver.deleteVolume(thick.id);
  return counts;
}

export function printCommandPath(results: CommandPathResults): void {
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out("The command path: each operation through the driver (warm process) against the bare commands it needs, each over an open SSH connection");
  out(`  ${"operation".padEnd(14)} ${"bare".padStart(8)} ${"driver".padStart(8)}  ratio (target)`);
  for (const op of results.operations) {
    out(
      `  ${op.operation.padEnd(14)} ${(op.bareMs / 1000).toFixed(2).padStart(7)}s ${(op.driverMs / 1000).toFixed(2).padStart(7)}s  ${op.ratio.toFixed(2)}x (<= ${op.target}x)${op.ratio <= op.target ? "" : "  OVER"}`,
    );
  }
  const r = results.refresh;
  out("");
  out(`A refresh: ${r.volumes} Reads at once`);
  out(`  remote LVM invocations: ${r.lvmInvocations} (target <= ${r.target} per host)`);
  out(`  wall time ${(r.wallMs / 1000).toFixed(2)} s; one bare lvs of the VG ${(r.bareLvsMs / 1000).toFixed(2)} s (${(r.wallMs / r.bareLvsMs).toFixed(2)}x)`);
  out("");
  out("Remote commands per operation, warm process, one host (after: of which LVM invocations, of which in the lvm shell)");
  out(`  ${"operation".padEnd(34)} ${"before".padStart(6)} ${"after".padStart(6)} ${"LVM".padStart(4)} ${"shell".padStart(6)}`);
  for (const count of results.commands) {
    const cells = [count.before, count.after, count.afterLvm, count.afterLvmShell].map(String);
    out(`  ${count.operation.padEnd(34)} ${cells[0]?.padStart(6)} ${cells[1]?.padStart(6)} ${cells[2]?.padStart(4)} ${cells[3]?.padStart(6)}`);
  }
  out("");
}
