import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LeftoverFix } from "../../drivers";
import { dev, fillRandom, sha256, VG } from "./manageSupport";
import { hostLvs, labConfigPath, onHost, unique } from "./support";

/**
 * Faults on the lab, through the CLI as an operator runs it: the cinderblock process killed
 * (SIGKILL) mid thick copy, the SSH connection cut mid thick copy (the host's sshd process of
 * the session killed), and two identical clones at once. Each case: `doctor` shows what was
 * left, the identical command run again converges, `doctor` then finds the host clean, and
 * checksums of a stamped region show no data lost. One thick source volume is shared; deletes
 * wipe only the first MiBs (the wipe itself is lvmWipe.test.ts's). What a kill mid-create or mid
 * wiped delete leaves (an LV without its gate, an LV marked cb.deleting) is covered on the fake
 * host (test/unit/lvm/doctor.test.ts): on the lab, a create or a short wipe ended before a poll
 * over SSH could catch it.
 */
const BIN = join(__dirname, "../../bin/cinderblock.js");
const STAMP_MIB = 32;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let config = "";
let source = { id: "", lv: "" };
let stamped = "";
/** Volumes to delete at the end, by id. */
const made: string[] = [];

function start(...args: string[]): { pid: number; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args, "--config", config], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid ?? 0, done };
}

const cli = (...args: string[]): Promise<Run> => start(...args).done;

async function ok(...args: string[]): Promise<string> {
  const run = await cli(...args);
  if (run.code !== 0) throw new Error(`cinderblock ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

/** `doctor --format json`: its exit status and what it found. */
async function doctor(...flags: string[]): Promise<{ code: number | null; found: LeftoverFix[] }> {
  const run = await cli("doctor", "--format", "json", ...flags);
  if (run.code !== 0 && run.code !== 1) throw new Error(`doctor exited ${run.code}: ${run.stderr}`);
  return { code: run.code, found: JSON.parse(run.stdout) as LeftoverFix[] };
}

const kinds = (found: readonly LeftoverFix[]): string[] => found.map((each) => `${each.kind} ${each.object}`).sort();

/** Polls a shell condition on the host until it holds. */
async function until(condition: string, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await onHost(condition)).code !== 0) {
    if (Date.now() > deadline) throw new Error(`on the lab host, ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const mapper = (lv: string): string => `/dev/mapper/${VG().replace(/-/g, "--")}-${lv.replace(/-/g, "--")}`;
/** A dd reading from or writing to the LV's device runs on the host. */
const ddOn = (lv: string, direction: "if" | "of"): string => `pgrep -f '^dd ${direction === "if" ? "" : ".*"}${direction}=${mapper(lv)}' >/dev/null`;
const idle = (lv: string): string => `! pgrep -f '^dd .*${lv.replace(/-/g, "--")}' >/dev/null`;

async function createVolume(...args: string[]): Promise<{ id: string; uuid: string }> {
  const shown = JSON.parse(await ok("volume", "create", "--json", ...args)) as { id: string; uuid: string };
  made.push(shown.id);
  return shown;
}

beforeAll(async () => {
  const file = JSON.parse(readFileSync(labConfigPath(), "utf8")) as { backends: { lab: Record<string, unknown> } };
  config = join(mkdtempSync(join(tmpdir(), "cb-faults-")), "backends.json");
  writeFileSync(config, JSON.stringify({ backends: { lab: { ...file.backends.lab, volumeClearSizeMib: 4 } } }), { mode: 0o600 });
  // Earlier lab files may have left something on the shared host: start from a clean one.
  await doctor("--fix");
  expect(await doctor()).toEqual({ code: 0, found: [] });
  const name = unique("fa-src");
  source = { id: (await createVolume("--backend", "lab", "--name", name, "--size-gb", "1", "--thick")).id, lv: name };
  await fillRandom(name, STAMP_MIB);
  stamped = await sha256(dev(name), STAMP_MIB);
});

afterAll(async () => {
  for (const id of made.reverse()) await cli("volume", "delete", id);
});

describe("faults survived with nothing lost", () => {
  it("killed mid thick copy: doctor shows the incomplete clone and its temporary snapshot; the same command again finishes it; doctor clean; the clone holds the source's stamp", async () => {
    const name = unique("fa-clone");
    const args = ["volume", "create", "--json", "--from-volume", source.id, "--name", name, "--size-gb", "1", "--thick"];
    const first = start(...args);
    await until(ddOn(name, "of"), "the copy starting");
    process.kill(first.pid, "SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    await until(idle(name), "the copy stopping after its client died", 30_000);
    const left = await doctor();
    expect(left.code).toBe(1);
    expect(kinds(left.found)).toEqual(expect.arrayContaining([`incomplete ${name}`]));
    expect(left.found.every((each) => each.kind === "incomplete" || each.kind === "temporary")).toBe(true);
    const clone = JSON.parse(await ok(...args)) as { id: string; name: string };
    made.push(clone.id);
    expect(clone.name).toBe(name);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
    expect(await sha256(dev(source.lv), STAMP_MIB)).toBe(stamped);
  });

  it("connection cut mid thick copy (the host's sshd of the session killed): the command fails; the same command again finishes it; doctor clean; stamps intact", async () => {
    const name = unique("fa-cut");
    const args = ["volume", "create", "--json", "--from-volume", source.id, "--name", name, "--size-gb", "1", "--thick"];
    const first = start(...args);
    await until(ddOn(name, "of"), "the copy starting");
    // The sshd process that serves the copy's connection: the nearest sshd above the dd.
    const cut = await onHost(`pid=$(pgrep -f '^dd .*of=${mapper(name)}' | head -n 1)
while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
  case $(cat /proc/$pid/comm) in sshd*) kill -KILL "$pid"; exit 0 ;; esac
  pid=$(awk '{print $4}' /proc/$pid/stat)
done
exit 1`);
    expect(cut.code).toBe(0);
    const failed = await first.done;
    expect(failed.code).toBe(1);
    await until(idle(name), "the copy stopping after its connection was cut", 30_000);
    expect(kinds((await doctor()).found)).toEqual(expect.arrayContaining([`incomplete ${name}`]));
    const clone = JSON.parse(await ok(...args)) as { id: string };
    made.push(clone.id);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
  });

  it("two identical clones at once: both succeed with the one same volume; doctor clean; the clone holds the source's stamp", async () => {
    const name = unique("fa-twin");
    const args = ["volume", "create", "--json", "--from-volume", source.id, "--name", name, "--size-gb", "1", "--thick"];
    const [a, b] = await Promise.all([cli(...args), cli(...args)]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, "", ""]);
    const [first, second] = [JSON.parse(a.stdout) as { id: string; uuid: string }, JSON.parse(b.stdout) as { id: string; uuid: string }];
    made.push(first.id);
    expect(second).toEqual(first);
    expect((await hostLvs()).filter((lv) => lv.name === name)).toHaveLength(1);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
  });
});
