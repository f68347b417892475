import { existsSync, readFileSync } from "node:fs";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { join } from "node:path";
import execa from "execa";
import { HostKeyError, SshConfigError, SshPool, parseSshTarget } from "../drivers/ssh";
import { LabError } from "./errors";
import { ensureImage, type GuestImage } from "./image";
import { accelDecisionPath, hostDir, labConfigPath, labDir, labKeyPath } from "./paths";
import { portOr } from "./ports";
import { requireFreeSpace, requirePrograms } from "./prereqs";
import { consoleLog, guestCrash, guestRunning, kvmFailed, prepareDisks, qemuLog, startGuest, stopGuest, tail, type Accel, type GuestSpec } from "./qemu";
import { writeSeed } from "./seed";
import { readLabState, writeLabState, type LabHostRecord } from "./state";

export const LAB_BACKEND = "lab";
export const LAB_VOLUME_GROUP = "cinder-volumes";

export interface LabUpOptions {
  hosts?: number;
  log?: (line: string) => void;
  memoryMb?: number;
  dataDiskGb?: number;
}

/** What `lab up --json` prints. */
export interface LabSummary {
  config: string;
  hosts: Array<Pick<LabHostRecord, "name" | "address" | "port" | "user" | "privateKeyPath" | "hostKey">>;
}

const READY_TIMEOUT_MS: Record<Accel, number> = { kvm: 90_000, tcg: 300_000 };
const HOST_SPACE_BYTES = 2 * 2 ** 30;
/** Boots of one host whose kernel crashed (see `guestCrash`) before the lab gives up on it. */
const CRASHED_BOOTS_TOLERATED = 2;

/** The guest's kernel crashed while it booted, as its console tells it. */
class GuestCrashed extends Error {
  constructor(line: string) {
    super(`its kernel crashed while booting (${line})`);
  }
}

/**
 * Boots the lab: `count` LVM hosts (QEMU guests), reusing any that are already running.
 * Idempotent; writes the backends config file that the driver, provider and CLI read.
 */
export async function labUp(options: LabUpOptions = {}): Promise<LabSummary> {
  const count = options.hosts ?? 1;
  const log = options.log ?? (() => undefined);
  if (!Number.isInteger(count) || count < 1 || count > 8) throw new LabError("--hosts must be a whole number from 1 to 8");
  await requirePrograms(["qemu-system-x86_64", "qemu-img", "ssh-keygen", "tar"]);
  await mkdir(labDir(), { recursive: true, mode: 0o700 });
  const publicKey = await ensureLabKey();
  const image = await ensureImage(log);

  const state = readLabState();
  const wanted = Array.from({ length: count }, (_, index) => `lab-${index + 1}`);
  const pool = new SshPool({ maxConnectionsPerHost: 1 });
  try {
    const hosts = await Promise.all(
      wanted.map(async (name) => {
        const existing = state.hosts.find((host) => host.name === name);
        if (existing && existing.imageId === image.id && guestRunning(existing.pid, name)) {
          await waitReady(pool, existing, 30_000).catch(async () => {
            log(`${name} is running but not answering; restarting it`);
            await stopGuest(existing.pid, name);
          });
          if (guestRunning(existing.pid, name)) {
            log(`${name} already running (ssh on 127.0.0.1:${existing.port})`);
            return existing;
          }
        } else if (existing && guestRunning(existing.pid, name)) {
          log(`${name} runs an older image; restarting it on the new one (its volume group is kept)`);
          await stopGuest(existing.pid, name);
        }
        return bootHost(pool, name, image, publicKey, options, log, existing);
      }),
    );
    const others = state.hosts.filter((host) => !wanted.includes(host.name) && guestRunning(host.pid, host.name));
    const all = [...hosts, ...others].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    await writeLabState({ hosts: all });
    await writeLabConfig(all);
    return summarize(all);
  } finally {
    pool.close();
  }
}

export interface LabHostStatus extends LabHostRecord {
  running: boolean;
}

export function labStatus(): { config: string | undefined; hosts: LabHostStatus[] } {
  const state = readLabState();
  return {
    config: existsSync(labConfigPath()) ? labConfigPath() : undefined,
    hosts: state.hosts.map((host) => ({ ...host, running: guestRunning(host.pid, host.name) })),
  };
}

/** Stops every lab host and removes their disks; the cached image stays for the next `up`. */
export async function labDown(log: (line: string) => void = () => undefined): Promise<string[]> {
  const state = readLabState();
  for (const host of state.hosts) {
    await stopGuest(host.pid, host.name);
    log(`stopped ${host.name}`);
  }
  await rm(labDir(), { recursive: true, force: true });
  return state.hosts.map((host) => host.name);
}

/**
 * Stops one host and keeps its disks, as a host failure would; `labUp` boots it again with
 * its volume group intact.
 */
export async function labStop(name: string): Promise<void> {
  const host = readLabState().hosts.find((candidate) => candidate.name === name);
  if (!host) throw new LabError(`the lab has no host named ${name}`);
  await stopGuest(host.pid, host.name);
}

/**
 * Boots again a host whose QEMU died (killed, as a crash would, or `labStop`), on its disks,
 * ports and host key, so configuration written for it stays valid; the other hosts are left running.
 */
export async function labRestart(name: string, log?: (line: string) => void): Promise<void> {
  const { hosts } = readLabState();
  if (!hosts.some((host) => host.name === name)) throw new LabError(`the lab has no host named ${name}`);
  await labUp({ hosts: hosts.length, log });
}

/** The running lab's summary, if there is one. */
export function runningLab(): LabSummary | undefined {
  const { hosts } = labStatus();
  const running = hosts.filter((host) => host.running);
  return running.length > 0 && existsSync(labConfigPath()) ? summarize(running) : undefined;
}

function summarize(hosts: LabHostRecord[]): LabSummary {
  return {
    config: labConfigPath(),
    hosts: hosts.map(({ name, address, port, user, privateKeyPath, hostKey }) => ({ name, address, port, user, privateKeyPath, hostKey })),
  };
}

async function ensureLabKey(): Promise<string> {
  const key = labKeyPath();
  if (!existsSync(key)) {
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "cinderblock-lab", "-f", key]);
  }
  return readFile(`${key}.pub`, "utf8");
}

async function bootHost(
  pool: SshPool,
  name: string,
  image: GuestImage,
  publicKey: string,
  options: LabUpOptions,
  log: (line: string) => void,
  previous: LabHostRecord | undefined,
): Promise<LabHostRecord> {
  const dir = hostDir(name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  requireFreeSpace(dir, HOST_SPACE_BYTES, `lab host ${name}`);
  const seed = await writeSeed(dir, { hostname: name, authorizedKey: publicKey, volumeGroup: LAB_VOLUME_GROUP });
  await resetOverlayIfImageChanged(dir, image.id);
  let accel: Accel = await preferredAccel();
  let kvmSuspect: string | undefined;
  let crashes = 0;
  for (;;) {
    const spec: GuestSpec = {
      name,
      dir,
      image,
      seedPath: seed.path,
      // A restarted host keeps its ports, so that configuration written for it stays valid.
      sshPort: await portOr(previous?.port),
      iscsiPort: await portOr(previous?.iscsiPort),
      nvmePort: await portOr(previous?.nvmePort),
      accel,
      memoryMb: options.memoryMb ?? 1024,
      cpus: 2,
      dataDiskGb: options.dataDiskGb ?? 40,
    };
    await prepareDisks(spec);
    const started = Date.now();
    log(`booting ${name} under ${accel.toUpperCase()} (ssh on 127.0.0.1:${spec.sshPort})`);
    const pid = startGuest(spec);
    const record: LabHostRecord = {
      name,
      pid,
      accel,
      address: "127.0.0.1",
      port: spec.sshPort,
      iscsiPort: spec.iscsiPort,
      nvmePort: spec.nvmePort,
      user: "root",
      privateKeyPath: labKeyPath(),
      hostKey: seed.hostKey,
      volumeGroup: LAB_VOLUME_GROUP,
      dir,
      imageId: image.id,
    };
    try {
      await waitReady(pool, record, READY_TIMEOUT_MS[accel]);
      if (kvmSuspect) await recordAccel({ kvm: false, reason: kvmSuspect });
      else if (accel === "kvm") await recordAccel({ kvm: true });
      log(`${name} is up after ${Math.round((Date.now() - started) / 1000)} s`);
      return record;
    } catch (error) {
      await stopGuest(pid, name);
      if (accel === "kvm" && !(error instanceof HostKeyError)) {
        // Nested KVM can fail in ways that look like a hung guest. Retry under TCG and blame
        // KVM only if TCG then works.
        kvmSuspect = kvmFailed(dir) ? tail(qemuLog(dir), 3) : `the guest did not come up under KVM (${(error as Error).message.split("\n")[0]})`;
        log(`${name} did not come up under KVM; retrying under TCG`);
        accel = "tcg";
        continue;
      }
      if (error instanceof GuestCrashed && crashes < CRASHED_BOOTS_TOLERATED) {
        crashes += 1;
        const kept = join(dir, `console.crash-${crashes}.log`);
        await rename(consoleLog(dir), kept);
        log(`${name}: ${error.message}; booting it again (its console is kept in ${kept})`);
        continue;
      }
      const detail = `--- guest console (${consoleLog(dir)}) ---\n${tail(consoleLog(dir))}\n--- qemu (${qemuLog(dir)}) ---\n${tail(qemuLog(dir), 10)}`;
      throw new LabError(`lab host ${name} did not come up: ${(error as Error).message.split("\n")[0]}`, detail);
    }
  }
}

/**
 * Polls until the guest answers over SSH with its pinned host key and its volume group
 * exists. Fails early if QEMU exits, if KVM reports an internal error, if the guest's kernel
 * crashed, or if the host key is wrong.
 */
async function waitReady(pool: SshPool, host: LabHostRecord, timeoutMs: number): Promise<void> {
  const target = parseSshTarget({
    address: host.address,
    port: host.port,
    user: host.user,
    privateKeyPath: host.privateKeyPath,
    hostKey: host.hostKey,
    connectTimeoutMs: 8_000,
  });
  const runner = pool.runner(host.name, target);
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!guestRunning(host.pid, host.name)) throw new Error(`QEMU exited: ${tail(qemuLog(host.dir), 3)}`);
    if (host.accel === "kvm" && kvmFailed(host.dir)) throw new Error("KVM internal error");
    const crash = guestCrash(host.dir);
    if (crash) throw new GuestCrashed(crash);
    try {
      await runner.run(["vgs", host.volumeGroup], { timeoutMs: 20_000 });
      return;
    } catch (error) {
      if (error instanceof HostKeyError || error instanceof SshConfigError) throw error;
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  throw new Error(`no answer over SSH within ${timeoutMs / 1000} s (last error: ${(last as Error)?.message ?? "none"})`);
}

/** A host restarted on a newer image gets a fresh root overlay; its data disk (the VG) is kept. */
async function resetOverlayIfImageChanged(dir: string, imageId: string): Promise<void> {
  const marker = join(dir, "image-id");
  const previous = existsSync(marker) ? readFileSync(marker, "utf8").trim() : undefined;
  if (previous !== imageId) {
    await rm(join(dir, "root.qcow2"), { force: true });
    await writeFile(marker, imageId);
  }
}

async function preferredAccel(): Promise<Accel> {
  const forced = process.env.CINDERBLOCK_LAB_ACCEL;
  if (forced === "kvm" || forced === "tcg") return forced;
  if (existsSync(accelDecisionPath())) {
    const decision = JSON.parse(readFileSync(accelDecisionPath(), "utf8")) as { kvm?: boolean };
    if (decision.kvm === false) return "tcg";
  }
  try {
    await access("/dev/kvm", constants.R_OK | constants.W_OK);
    return "kvm";
  } catch {
    return "tcg";
  }
}

async function recordAccel(decision: { kvm: boolean; reason?: string }): Promise<void> {
  await writeFile(accelDecisionPath(), JSON.stringify({ ...decision, decidedAt: new Date().toISOString() }, null, 2));
}

async function writeLabConfig(hosts: LabHostRecord[]): Promise<void> {
  const config = {
    backends: {
      [LAB_BACKEND]: {
        driver: "lvm",
        volumeGroup: LAB_VOLUME_GROUP,
        lvmType: "thin",
        // Half the VG for the pool, half for thick volumes and thick snapshots.
        thinPoolPercent: 50,
        hosts: hosts.map((host) => ({
          name: host.name,
          address: host.address,
          port: host.port,
          user: host.user,
          privateKeyPath: host.privateKeyPath,
          hostKey: host.hostKey,
          // Exports are reached through QEMU's forwarded ports: at 127.0.0.1 from this machine,
          // at 10.0.2.2 (QEMU's address for it) from another lab host.
          iscsiPortals: [`127.0.0.1:${host.iscsiPort}`, `10.0.2.2:${host.iscsiPort}`],
          nvmePortals: [`127.0.0.1:${host.nvmePort}`, `10.0.2.2:${host.nvmePort}`],
        })),
      },
    },
  };
  await writeFile(labConfigPath(), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}
