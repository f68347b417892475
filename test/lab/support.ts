import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseSshTarget, type SshTarget, type SshTargetInput } from "../../drivers/ssh/target";

const run = promisify(execFile);

export interface LabHost {
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath: string;
  hostKey: string;
}

interface LabConfig {
  backends: { lab: { hosts: LabHost[]; volumeGroup: string } };
}

function envPath(name: string): string {
  const path = process.env[name];
  if (!path) throw new Error(`${name} is not set: lab tests must run through jest's lab project`);
  return path;
}

/** The backends file of the tests: backend `lab` with the lab's FIRST host only (see globalSetup). */
export function labConfigPath(): string {
  return envPath("CINDERBLOCK_CONFIG");
}

/** The lab's own backends file: backend `lab` with every lab host. */
export function fullLabConfigPath(): string {
  return envPath("CINDERBLOCK_LAB_CONFIG");
}

export function labConfig(): LabConfig {
  return JSON.parse(readFileSync(fullLabConfigPath(), "utf8")) as LabConfig;
}

export function labHost(index = 0): LabHost {
  const host = labConfig().backends.lab.hosts[index];
  if (!host) throw new Error(`the lab has no host number ${index + 1}`);
  return host;
}

export function labTarget(index = 0, overrides: Partial<SshTargetInput> = {}): SshTarget {
  const { address, port, user, privateKeyPath, hostKey } = labHost(index);
  return parseSshTarget({ address, port, user, privateKeyPath, hostKey, ...overrides });
}

let knownHosts: string | undefined;

/**
 * Runs a shell command on a lab host with the system's OpenSSH client: an independent way to
 * check what cinderblock did, not through the code under test.
 */
export async function onHost(script: string, index = 0): Promise<{ stdout: string; stderr: string; code: number }> {
  const host = labHost(index);
  if (!knownHosts) {
    knownHosts = join(mkdtempSync(join(tmpdir(), "cb-kh-")), "known_hosts");
  }
  writeFileSync(
    knownHosts,
    labConfig()
      .backends.lab.hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}\n`)
      .join(""),
  );
  try {
    const { stdout, stderr } = await run(
      "ssh",
      [
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${knownHosts}`,
        "-o",
        "LogLevel=ERROR",
        "-i",
        host.privateKeyPath,
        "-p",
        String(host.port),
        `root@${host.address}`,
        script,
      ],
      { maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: failure.stdout ?? "", stderr: failure.stderr ?? "", code: typeof failure.code === "number" ? failure.code : -1 };
  }
}

/** Like onHost, but fails the test when the command fails. */
export async function onHostOk(script: string, index = 0): Promise<string> {
  const result = await onHost(script, index);
  if (result.code !== 0) throw new Error(`on the lab host, \`${script}\` failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

/** Short random suffix for names that must not collide across runs. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** An LV as the host itself reports it (parsed here, independently of the driver's parser). */
export interface HostLv {
  name: string;
  sizeBytes: number;
  attr: string;
  tags: string[];
  pool: string;
  origin: string;
}

export async function hostLvs(index = 0): Promise<HostLv[]> {
  const vg = labConfig().backends.lab.volumeGroup;
  const out = await onHostOk(`lvs -a --reportformat json --units b --nosuffix -o lv_name,lv_size,lv_attr,lv_tags,pool_lv,origin ${vg}`, index);
  const rows = (JSON.parse(out) as { report: Array<{ lv: Array<Record<string, string>> }> }).report[0]?.lv ?? [];
  return rows.map((row) => ({
    name: row.lv_name ?? "",
    sizeBytes: Number(row.lv_size),
    attr: row.lv_attr ?? "",
    tags: (row.lv_tags ?? "").split(",").filter(Boolean),
    pool: row.pool_lv ?? "",
    origin: row.origin ?? "",
  }));
}

export async function hostLv(name: string, index = 0): Promise<HostLv | undefined> {
  return (await hostLvs(index)).find((lv) => lv.name === name);
}

/** The device-mapper table of a device on the host, or undefined when it does not exist. */
export async function hostDmTable(name: string, index = 0): Promise<string | undefined> {
  const result = await onHost(`dmsetup table ${name}`, index);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Runs `tasks` with at most `limit` in flight (as the Pulumi engine runs creates); results in order. */
export async function limited<T>(limit: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await (tasks[index] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

/**
 * Holds a device open from a detached process on the host (`exec 3<dev`), as a mount or an
 * attached VM would. The returned function lets it go.
 */
export async function holdOpen(device: string): Promise<() => Promise<void>> {
  const pid = (await onHostOk(`setsid sh -c 'exec 3<${device}; exec sleep 900' </dev/null >/dev/null 2>&1 & echo $!`)).trim();
  // The holder needs a moment to open the device; LVM then reports it open.
  await onHostOk(`for i in $(seq 50); do [ -e /proc/${pid}/fd/3 ] && exit 0; sleep 0.1; done; exit 1`);
  return async () => {
    await onHost(`kill ${pid}; while kill -0 ${pid} 2>/dev/null; do sleep 0.1; done`);
  };
}
