import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LeftoverFix } from "../../drivers";
import { labRestart } from "../../lab/lab";
import { readLabState } from "../../lab/state";
import { dev, fillRandom, sha256, VG } from "./manageSupport";
import { hostLvs, labConfigPath, onHost, onHostOk, unique } from "./support";

/**
 * Faults on the lab, through the CLI as an operator runs it, each with its expected outcome in
 * its title: the cinderblock process killed (SIGKILL) mid create, mid thick copy and mid delete
 * wipe; the SSH connection cut (the host's sshd process of the session killed) mid thick copy,
 * mid image import and mid delete wipe; the host crashing (its QEMU killed) mid thick copy, then
 * booted again; the host hung (its QEMU stopped) mid thick copy, then resumed; a full VG and a
 * thin pool over its subscription limit; two processes creating the same names at once, and two
 * identical clones at once. Each case: the identical command run again converges, `doctor` then
 * finds the host clean, and checksums of a stamped region show no data lost. One thick source
 * volume is shared; deletes wipe only the first MiBs except where a wipe is the fault's window.
 *
 * A create is a few LVM commands in one round trip, too short for a poll over SSH to catch: the
 * kill mid create is made observable by holding the host's gate lock, which the create waits
 * for; what a kill inside the lvcreate-to-gate step leaves (an LV without its gate) is covered
 * on the fake host (test/unit/drivers/lvm/doctor/orphans.test.ts), as is a thin pool filled
 * past 95 % (test/unit/drivers/lvm/driver.test.ts; filling the lab's pool would take minutes of
 * writes). An image conversion lasts a second or two: a watcher on the host cuts it.
 */
const BIN = join(__dirname, "../../bin/cinderblock.js");
const STAMP_MIB = 32;
/** An image of random bytes: qemu-img writes every one of them, a conversion of a second or more. */
const IMAGE_MIB = 128;
/**
 * What the CLI says of a host that stopped answering: a command's connection missing its
 * keepalives, or another connection the command opened finding no handshake.
 */
const HOST_SILENT = /the host stopped answering \(no reply to keepalives for 15 s\)|no SSH handshake within 15 s/;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let config = "";
/** The same backend, wiping the first 256 MiB of each deleted thick volume: a wipe long enough to be caught. */
let longWipe = "";
/** The same backend, with a thin pool that may not be over-subscribed. */
let noOverSubscription = "";
/** The same backend, giving up on a host that answers no keepalive for 5 s x 3 (and no handshake for 15 s). */
let shortKeepalive = "";
let source = { id: "", lv: "" };
let stamped = "";
/** Volumes to delete at the end, by id. */
const made: string[] = [];

function start(args: readonly string[], using = config): { pid: number; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args, "--config", using], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid ?? 0, done };
}

const cli = (...args: string[]): Promise<Run> => start(args).done;

async function okWith(using: string, ...args: string[]): Promise<string> {
  const run = await start(args, using).done;
  if (run.code !== 0) throw new Error(`cinderblock ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return run.stdout;
}

const ok = (...args: string[]): Promise<string> => okWith(config, ...args);

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
/** pgrep patterns of a dd writing to the LV's device, and of qemu-img converting into a device. */
const ddWriting = (lv: string): string => `^dd .*of=${mapper(lv)}`;
const CONVERTING = "^qemu-img convert .* -n -t none ";
const running = (pattern: string): string => `pgrep -f '${pattern}' >/dev/null`;
const idle = (lv: string): string => `! pgrep -f '^dd .*${lv.replace(/-/g, "--")}' >/dev/null`;
/** No process on the host names the LV any more (the bracket keeps the pattern from matching this check itself). */
const gone = (lv: string): string => `! pgrep -f '[${lv.charAt(0)}]${lv.slice(1)}' >/dev/null`;

/**
 * Kills the SSH connection serving the process `$pid`: the nearest sshd above it, walked through
 * /proc (fast where ps and pgrep, which read every process, take a second on an emulated host).
 * The process is stopped during the walk, so that it cannot finish, and its result reach the
 * client, before the connection is cut; it then goes on with no one left to hear it.
 */
const CUT_ABOVE_PID = `target=$pid cut=1
kill -STOP "$target"
while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
  echo "$pid $(cat /proc/$pid/comm)"
  case $(cat /proc/$pid/comm) in sshd*) kill -KILL "$pid"; cut=0; break ;; esac
  pid=$(awk '/^PPid:/ { print $2 }' /proc/$pid/status)
done
kill -CONT "$target"
exit $cut`;

/** On failure, the walk the cut took says why. */
const cutDone = (cut: { code: number; stdout: string }): string => (cut.code === 0 ? "cut" : `no sshd above: ${cut.stdout}`);

/**
 * A watcher on the host: waits for a process started after it matching `pattern` (an extended
 * regular expression, as pgrep's, on the command line; into `$pid`), then runs `then` there at
 * once. It reads only the processes started since it was armed (PIDs after the kernel's last
 * one then), each poll, so it sees a step of a few hundred milliseconds where pgrep, which
 * reads every process (a second on an emulated host under load), let a 256 MiB wipe run
 * between two looks. It resolves once the watcher is polling, so that the command it waits
 * for, started after, cannot run before it looks; `outcome` is the watcher's exit and output.
 * It gives up after `timeoutS` (exit 2).
 */
async function onceRunning(pattern: string, then: string, timeoutS = 120): Promise<{ outcome: Promise<{ code: number; stdout: string; stderr: string }> }> {
  const armed = `/tmp/cb-watching-${randomUUID()}`;
  const outcome = onHost(`trap 'rm -f ${armed}' EXIT
re='${pattern}' pid= watch=()
read -r last < /proc/sys/kernel/ns_last_pid
touch ${armed}
until [ -n "$pid" ]; do
  [ "$SECONDS" -lt ${timeoutS} ] || exit 2
  read -r now < /proc/sys/kernel/ns_last_pid
  while [ "$last" -lt "$now" ]; do last=$((last + 1)); watch+=("$last"); done
  # A process is kept until it ends: forked, it may exec the command only later.
  alive=()
  for each in "\${watch[@]}"; do
    mapfile -d '' -t argv 2>/dev/null < "/proc/$each/cmdline" && [ "\${#argv[@]}" -gt 0 ] || continue
    alive+=("$each")
    if [[ "\${argv[*]}" =~ $re ]]; then pid=$each; break; fi
  done
  watch=("\${alive[@]}")
  [ -n "$pid" ] || sleep 0.02
done
${then}`);
  await until(`[ -e ${armed} ]`, "the watcher starting", 60_000);
  return { outcome };
}

/** Resolves `seen` once a process matching `pattern` runs; a thick copy of 1 GiB can end between two polls over SSH. */
async function whenRunning(pattern: string): Promise<{ seen: Promise<void> }> {
  const watcher = await onceRunning(pattern, "true");
  const seen = watcher.outcome.then(({ code, stderr }) => {
    if (code !== 0) throw new Error(`on the lab host, no process matching ${pattern} ran (the watcher exited ${code}: ${stderr})`);
  });
  return { seen };
}

/** Cuts the connection serving `pattern` the moment it runs: "cut", or why not. */
async function cutWhenRunning(pattern: string): Promise<{ outcome: Promise<string> }> {
  const watcher = await onceRunning(pattern, CUT_ABOVE_PID);
  return { outcome: watcher.outcome.then(cutDone) };
}

/** The first lab host's QEMU process: what a host crash or hang happens to. */
function guestPid(): number {
  const host = readLabState().hosts.find((each) => each.name === "lab-1");
  if (!host) throw new Error("the lab state has no lab-1");
  return host.pid;
}

async function createVolume(...args: string[]): Promise<{ id: string; uuid: string }> {
  const shown = JSON.parse(await ok("volume", "create", "--json", ...args)) as { id: string; uuid: string };
  made.push(shown.id);
  return shown;
}

const lvNames = async (): Promise<string[]> => (await hostLvs()).map((lv) => lv.name).sort();

function writeConfig(lab: Record<string, unknown>, overrides: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), "cb-faults-")), "backends.json");
  writeFileSync(path, JSON.stringify({ backends: { lab: { ...lab, ...overrides } } }), { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  const lab = (JSON.parse(readFileSync(labConfigPath(), "utf8")) as { backends: { lab: Record<string, unknown> } }).backends.lab;
  config = writeConfig(lab, { volumeClearSizeMib: 4 });
  longWipe = writeConfig(lab, { volumeClearSizeMib: 256 });
  noOverSubscription = writeConfig(lab, { volumeClearSizeMib: 4, maxOverSubscriptionRatio: 1 });
  const hosts = (lab.hosts as Record<string, unknown>[]).map((host) => ({
    ...host,
    keepaliveIntervalMs: 5_000,
    keepaliveCountMax: 3,
    connectTimeoutMs: 15_000,
  }));
  shortKeepalive = writeConfig(lab, { volumeClearSizeMib: 4, hosts });
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

/** The shared source still holds its stamp: nothing a fault did touched another volume's data. */
async function sourceIntact(): Promise<void> {
  expect(await sha256(dev(source.lv), STAMP_MIB)).toBe(stamped);
}

describe("faults survived with nothing lost", () => {
  const cloneArgs = (name: string): string[] => ["volume", "create", "--json", "--from-volume", source.id, "--name", name, "--size-gb", "1", "--thick"];

  it("killed mid thick copy: doctor shows the incomplete clone and its temporary snapshot; the same command again finishes it; doctor clean; the clone holds the source's stamp", async () => {
    const name = unique("fa-clone");
    const copying = await whenRunning(ddWriting(name));
    const first = start(cloneArgs(name));
    await copying.seen;
    process.kill(first.pid, "SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    await until(idle(name), "the copy stopping after its client died", 30_000);
    const left = await doctor();
    expect(left.code).toBe(1);
    expect(kinds(left.found)).toEqual(expect.arrayContaining([`incomplete ${name}`]));
    expect(left.found.every((each) => each.kind === "incomplete" || each.kind === "temporary")).toBe(true);
    const clone = JSON.parse(await ok(...cloneArgs(name))) as { id: string; name: string };
    made.push(clone.id);
    expect(clone.name).toBe(name);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
    await sourceIntact();
  });

  it("connection cut mid thick copy (the host's sshd of the session killed): the command fails; the same command again finishes it; doctor clean; stamps intact", async () => {
    const name = unique("fa-cut");
    const cut = await cutWhenRunning(ddWriting(name));
    const first = start(cloneArgs(name));
    expect(await cut.outcome).toBe("cut");
    expect((await first.done).code).toBe(1);
    await until(idle(name), "the copy stopping after its connection was cut", 30_000);
    expect(kinds((await doctor()).found)).toEqual(expect.arrayContaining([`incomplete ${name}`]));
    const clone = JSON.parse(await ok(...cloneArgs(name))) as { id: string };
    made.push(clone.id);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
  });

  it("connection cut mid image import (qemu-img writing the volume): the command fails; the same command again imports the whole image; doctor clean; the volume holds the image", async () => {
    const name = unique("fa-img");
    const volume = await createVolume("--backend", "lab", "--name", name, "--size-gb", "1");
    const image = `/var/tmp/${name}.raw`;
    const imageSum = (await onHostOk(`dd if=/dev/urandom of=${image} bs=1M count=${IMAGE_MIB} status=none && sha256sum < ${image}`)).split(/\s+/)[0];
    const args = ["image", "import", volume.id, "--host-path", image, "--format", "raw", "--json"];
    const cut = await cutWhenRunning(CONVERTING);
    const first = start(args);
    expect(await cut.outcome).toBe("cut");
    expect((await first.done).code).toBe(1);
    await until(`! ${running(CONVERTING)}`, "the conversion stopping after its connection was cut", 30_000);
    await ok(...args);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), IMAGE_MIB)).toBe(imageSum);
    await onHostOk(`rm -f ${image}`);
    await sourceIntact();
  });

  it("two identical clones at once: both succeed with the one same volume; doctor clean; the clone holds the source's stamp", async () => {
    const name = unique("fa-twin");
    const [a, b] = await Promise.all([cli(...cloneArgs(name)), cli(...cloneArgs(name))]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, "", ""]);
    const [first, second] = [JSON.parse(a.stdout) as { id: string; uuid: string }, JSON.parse(b.stdout) as { id: string; uuid: string }];
    made.push(first.id);
    expect(second).toEqual(first);
    expect((await hostLvs()).filter((lv) => lv.name === name)).toHaveLength(1);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
  });

  /** A thick volume deleted with a long wipe; the fault strikes once the wipe runs. Returns the first attempt's run. */
  async function deleteWithFault(name: string, fault: "cut" | "kill"): Promise<{ id: string; first: Run }> {
    const volume = await createVolume("--backend", "lab", "--name", name, "--size-gb", "1", "--thick");
    const wipe = ddWriting(name);
    if (fault === "cut") {
      const cut = await cutWhenRunning(wipe);
      const first = start(["volume", "delete", volume.id], longWipe);
      expect(await cut.outcome).toBe("cut");
      return { id: volume.id, first: await first.done };
    }
    // The wipe is held still until the killed command is gone, so that it cannot finish first.
    const held = await onceRunning(wipe, `kill -STOP "$pid" && echo "$pid"`);
    const first = start(["volume", "delete", volume.id], longWipe);
    const hold = await held.outcome;
    expect(hold).toEqual({ code: 0, stdout: expect.stringMatching(/^\d+\n$/), stderr: "" });
    const wiper = hold.stdout.trim();
    process.kill(first.pid, "SIGKILL");
    const run = await first.done;
    // Let the held wipe go on, unless the host's agent, which lost its client, has killed it already (3 s after its TERM).
    await onHostOk(`kill -CONT ${wiper} 2>/dev/null || ! kill -0 ${wiper} 2>/dev/null`);
    return { id: volume.id, first: run };
  }

  /** The identical delete again: it finishes (wiping again what a mark says was being deleted); nothing is left. */
  async function deleteConverges(id: string, name: string): Promise<void> {
    await until(`${idle(name)} && ${gone(name)}`, "the first attempt's host commands ending", 60_000);
    const left = await doctor();
    expect(left.found.every((each) => each.object === name)).toBe(true);
    await okWith(longWipe, "volume", "delete", id);
    made.splice(made.indexOf(id), 1);
    expect(await lvNames()).not.toContain(name);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    await sourceIntact();
  }

  it("connection cut mid delete wipe: the command fails; the same command again deletes the volume; doctor clean; stamps intact", async () => {
    const name = unique("fa-wcut");
    const { id, first } = await deleteWithFault(name, "cut");
    expect(first.code).toBe(1);
    await deleteConverges(id, name);
  });

  it("killed mid delete wipe: the same command again deletes the volume; doctor clean; stamps intact", async () => {
    const name = unique("fa-wkill");
    const { id, first } = await deleteWithFault(name, "kill");
    expect(first.signal).toBe("SIGKILL");
    await deleteConverges(id, name);
  });

  it("killed mid create (while it waits for the host's gate lock, held here): the same command again gives the one volume; doctor clean", async () => {
    const name = unique("fa-mk");
    const lock = `/run/lock/cinderblock-gates-${VG()}.lock`;
    const holder = (await onHostOk(`sh -c 'exec 9>${lock} && flock 9 && exec sleep 600' </dev/null >/dev/null 2>&1 & echo $!`)).trim();
    await until(`[ "$(cat /proc/${holder}/comm)" = sleep ]`, "the lock being held");
    const args = ["volume", "create", "--json", "--backend", "lab", "--name", name, "--size-gb", "1", "--thick"];
    const first = start(args);
    // lv-write.sh waits for the lock with the create's lvcreate among its arguments.
    await until(
      `for p in $(pgrep -f '^flock -w [0-9]+ 9$'); do grep -q -- '${name}' /proc/$(awk '{print $4}' /proc/$p/stat)/cmdline && exit 0; done; exit 1`,
      "the create waiting for the lock",
    );
    process.kill(first.pid, "SIGKILL");
    expect((await first.done).signal).toBe("SIGKILL");
    await onHostOk(`kill ${holder}`);
    await until(gone(name), "the first attempt's host commands ending", 30_000);
    const volume = JSON.parse(await ok(...args)) as { id: string; name: string };
    made.push(volume.id);
    expect(volume.name).toBe(name);
    expect((await hostLvs()).filter((lv) => lv.name === name)).toHaveLength(1);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    await sourceIntact();
  });

  it("two processes creating the same volumes at once, with the same --uuid and with none (the uuid derived from the request): all succeed, each pair with the one same volume; doctor clean", async () => {
    const [given, derived] = [unique("fa-race-u"), unique("fa-race-d")];
    const uuid = randomUUID();
    const create = (name: string, ...more: string[]): Promise<Run> =>
      cli("volume", "create", "--json", "--backend", "lab", "--name", name, "--size-gb", "1", ...more);
    const runs = await Promise.all([create(given, "--uuid", uuid), create(given, "--uuid", uuid), create(derived), create(derived)]);
    expect(runs.map((run) => [run.code, run.stderr])).toEqual(Array(4).fill([0, ""]));
    const shown = runs.map((run) => JSON.parse(run.stdout) as { id: string; uuid: string; name: string });
    made.push(shown[0]?.id ?? "", shown[2]?.id ?? "");
    expect(shown[1]).toEqual(shown[0]);
    expect(shown[3]).toEqual(shown[2]);
    expect(shown[0]?.uuid).toBe(uuid);
    const lvs = await hostLvs();
    expect([given, derived].map((name) => lvs.filter((lv) => lv.name === name).length)).toEqual([1, 1]);
    expect(await doctor()).toEqual({ code: 0, found: [] });
  });

  it("VG full and thin pool over its subscription limit: refused up front naming the host and the space; nothing made", async () => {
    const before = await lvNames();
    const thick = await cli("volume", "create", "--backend", "lab", "--name", unique("fa-huge"), "--size-gb", "500", "--thick");
    expect(thick.code).toBe(1);
    expect(thick.stderr).toMatch(/lab-1: .*GiB free, 500 GiB asked/);
    const thin = await start(["volume", "create", "--backend", "lab", "--name", unique("fa-over"), "--size-gb", "100", "--thin"], noOverSubscription).done;
    expect(thin.code).toBe(1);
    expect(thin.stderr).toMatch(/lab-1: 100 GiB would over-subscribe it beyond 1x/);
    expect(await lvNames()).toEqual(before);
    expect(await doctor()).toEqual({ code: 0, found: [] });
  });

  it("hung host (its QEMU stopped) mid thick copy: the command fails within its keepalive bound, naming the host; resumed, the same command again finishes the clone; doctor clean; stamps intact", async () => {
    const name = unique("fa-hung");
    const copying = await whenRunning(ddWriting(name));
    const first = start(cloneArgs(name), shortKeepalive);
    await copying.seen;
    const stoppedAt = Date.now();
    process.kill(guestPid(), "SIGSTOP");
    let failed: Run;
    try {
      failed = await first.done;
    } finally {
      process.kill(guestPid(), "SIGCONT");
    }
    const waitedS = (Date.now() - stoppedAt) / 1000;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/lab-1/);
    expect(failed.stderr).toMatch(HOST_SILENT);
    // Either bound is 15 s; a margin for a keepalive's first interval and a loaded machine.
    expect(waitedS).toBeLessThan(35);
    await until(idle(name), "the copy stopping after the host resumed and found its connection gone", 60_000);
    const clone = JSON.parse(await ok(...cloneArgs(name))) as { id: string };
    made.push(clone.id);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
    await sourceIntact();
  });

  it("host crash (its QEMU killed) mid thick copy, booted again: the command fails; the same command again finishes the clone; doctor clean; stamps intact", async () => {
    const name = unique("fa-crash");
    const copying = await whenRunning(ddWriting(name));
    const first = start(cloneArgs(name));
    await copying.seen;
    process.kill(guestPid(), "SIGKILL");
    expect((await first.done).code).toBe(1);
    await labRestart("lab-1", (line) => process.stderr.write(`[lab] ${line}\n`));
    const left = await doctor();
    // A reboot takes every gate (kernel state) with it: the next write's host setup remakes them.
    expect(kinds(left.found).filter((found) => !/^(incomplete|temporary|missingGate) /.test(found))).toEqual([]);
    const clone = JSON.parse(await ok(...cloneArgs(name))) as { id: string };
    made.push(clone.id);
    expect(await doctor()).toEqual({ code: 0, found: [] });
    expect(await sha256(dev(name), STAMP_MIB)).toBe(stamped);
    await sourceIntact();
  });
});
