import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Backends, parseBackends, type DriverWith } from "../drivers";
import { SshPool, type SshTarget } from "../drivers/ssh";
import { GroupWriter } from "./groupWriter";
import type { Spread } from "./report";

/** The two group sizes the issue asks about, and how many group snapshots to time for each. */
const SIZES = [3, 10];
const SETS = 3;
/**
 * An emulated host pauses about 0.6 s per thin member when idle, several times that when
 * shared; the bench measures the pause, so its bound must not cut it short.
 */
const MAX_PAUSE_S = 300;

/**
 * The I/O pause of a group snapshot as a consumer sees it: the ordered O_DIRECT writer of the
 * consistency test runs on the members' gates, and for each group snapshot the bench takes the
 * longest gap between two of its completed writes that overlaps the call. The reference is the
 * writer's normal gap (its write latency) outside every group snapshot.
 */
export async function benchGroupSnapshots(configPath: string, target: SshTarget): Promise<Spread[]> {
  const document = JSON.parse(await readFile(configPath, "utf8")) as { backends: Record<string, Record<string, unknown>> };
  const [backend, settings] = Object.entries(document.backends)[0] ?? [];
  if (!backend || !settings) throw new Error(`${configPath} configures no backend`);
  const backends = new Backends(parseBackends({ backends: { [backend]: { ...settings, groupSnapshotMaxPauseSeconds: MAX_PAUSE_S } } }));
  const ssh = new SshPool();
  const host = ssh.runner("bench", target);
  const run = async (command: string): Promise<string> => (await host.run(["sh", "-c", command], { timeoutMs: 30 * 60_000 })).stdout;
  const clock = async (): Promise<number> => Number(await run("date +%s.%N"));
  const driver = await backends.withCapability(backend, "groups");
  const volumeIds: string[] = [];
  try {
    const tag = randomUUID().slice(0, 6);
    const volumes = [];
    for (let index = 0; index < Math.max(...SIZES); index++) {
      const volume = await driver.createVolume({ uuid: randomUUID(), name: `bench-group-${tag}-${index}`, sizeGib: 1, provisioning: "thin" });
      volumeIds.push(volume.id);
      volumes.push(volume);
    }
    const spreads: Spread[] = [];
    for (const size of SIZES) {
      const members = volumes.slice(0, size);
      const group = await driver.createGroup({ uuid: randomUUID(), volumeIds: members.map((volume) => volume.id) });
      const writer = await GroupWriter.start(
        run,
        members.map((volume) => volume.devicePath),
      );
      const windows: Array<[number, number]> = [];
      const reported: number[] = [];
      let stopped = false;
      try {
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const bare = await bareSnapshots(run, members);
        for (let index = 0; index < SETS; index++) {
          const start = await clock();
          const set = await driver.createGroupSnapshot({ uuid: randomUUID(), groupId: group.id });
          windows.push([start, await clock()]);
          reported.push(set.ioPauseMs ?? Number.NaN);
          await deleteSet(driver, set.id);
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        await writer.stop();
        stopped = true;
        const stalls = await writer.stalls(windows);
        const latency = { label: "the writer's normal write latency (median gap)", ms: stalls.normal_gap_ms.p50 ?? Number.NaN };
        const stallsMs = stalls.windows.map((window) => window.longest_stall_ms);
        spreads.push({
          name: `group snapshot of ${size} thin members, ${SETS} times, under an ordered O_DIRECT|O_DSYNC writer`,
          label: "longest write stall the writer saw",
          valuesMs: stallsMs,
          reference: { label: `the members' ${size} bare lvcreate -s, summed (median of ${SETS})`, ms: bare },
          note: "of the bare lvcreates' sum; target <= 1.2x",
        });
        spreads.push({
          name: "  (the same stalls against the writer's normal latency)",
          label: "longest write stall the writer saw",
          valuesMs: stallsMs,
          reference: latency,
          note: "times the normal write latency",
        });
        spreads.push({
          name: `  (the same ${SETS} pauses as the driver reports them: gates suspended to resumed)`,
          label: "ioPauseMs",
          valuesMs: reported,
          reference: latency,
        });
      } finally {
        if (!stopped) await writer.stop().catch(() => undefined);
        await writer.remove().catch(() => undefined);
        await driver.deleteGroup(group.id, false).catch(() => undefined);
      }
    }
    return spreads;
  } finally {
    for (const id of volumeIds) await driver.deleteVolume(id).catch(() => undefined);
    await backends.close();
    ssh.close();
  }
}

/**
 * LVM's floor: each member's own `lvcreate -s` (thin, as its own process, as a hand-written
 * script would run it), timed on the host and summed, SETS times, under the same writer load
 * as the group snapshots; the median sum. Each snapshot is removed right after.
 */
async function bareSnapshots(run: (command: string) => Promise<string>, members: ReadonlyArray<{ volumeGroup: string; lvName: string }>): Promise<number> {
  // No single quote inside: it travels in one.
  const script = `total=0
for lv in "$@"; do
  t0=$EPOCHREALTIME
  lvcreate --yes --quiet -s -n "$lv-bare" "$lv" >/dev/null || exit 1
  t1=$EPOCHREALTIME
  total=$((total + \${t1/./} - \${t0/./}))
  lvremove --yes --quiet "$lv-bare" >/dev/null || exit 1
done
echo "$total"`;
  const sums: number[] = [];
  for (let index = 0; index < SETS; index++) {
    const names = members.map((member) => `${member.volumeGroup}/${member.lvName}`);
    if (!names.every((name) => /^[A-Za-z0-9_.+/-]+$/.test(name))) throw new Error("a member's LV name cannot go into a command line");
    sums.push(Number(await run(`bash -c '${script}' bare ${names.join(" ")}`)) / 1000);
  }
  return [...sums].sort((a, b) => a - b)[Math.floor(sums.length / 2)] ?? Number.NaN;
}

async function deleteSet(driver: DriverWith<"groups">, id: string): Promise<void> {
  const failed = (await driver.deleteGroupSnapshot(id)).filter((result) => !result.ok);
  if (failed.length > 0)
    throw new Error(`could not delete group snapshot ${id}: ${failed.map((result) => (result.ok ? "" : result.error.message)).join("; ")}`);
}
