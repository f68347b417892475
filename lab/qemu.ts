import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import execa from "execa";
import type { GuestImage } from "./image";

export type Accel = "kvm" | "tcg";

export interface GuestSpec {
  name: string;
  dir: string;
  image: GuestImage;
  seedPath: string;
  sshPort: number;
  iscsiPort: number;
  nvmePort: number;
  accel: Accel;
  memoryMb: number;
  cpus: number;
  dataDiskGb: number;
}

export const consoleLog = (dir: string): string => join(dir, "console.log");
export const qemuLog = (dir: string): string => join(dir, "qemu.log");

/** Creates the host's disks once: a copy-on-write overlay of the shared image and a sparse data disk. */
export async function prepareDisks(spec: GuestSpec): Promise<void> {
  const overlay = join(spec.dir, "root.qcow2");
  if (!existsSync(overlay)) {
    await execa("qemu-img", ["create", "-q", "-f", "qcow2", "-b", spec.image.rootImage, "-F", "raw", overlay]);
  }
  const data = join(spec.dir, "data.img");
  if (!existsSync(data)) {
    await execa("qemu-img", ["create", "-q", "-f", "raw", data, `${spec.dataDiskGb}G`]);
  }
}

export function qemuArgv(spec: GuestSpec): string[] {
  const accel = spec.accel === "kvm" ? ["-accel", "kvm", "-cpu", "host"] : ["-accel", "tcg,thread=multi", "-cpu", "max"];
  const forwards = [
    `hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`,
    `hostfwd=tcp:127.0.0.1:${spec.iscsiPort}-:3260`,
    `hostfwd=tcp:127.0.0.1:${spec.nvmePort}-:4420`,
  ];
  return [
    "-name",
    `cinderblock-${spec.name}`,
    ...accel,
    "-m",
    String(spec.memoryMb),
    "-smp",
    String(spec.cpus),
    "-display",
    "none",
    "-monitor",
    "none",
    "-serial",
    `file:${consoleLog(spec.dir)}`,
    "-pidfile",
    join(spec.dir, "qemu.pid"),
    "-kernel",
    spec.image.kernel,
    "-initrd",
    spec.image.initrd,
    // Disks are found by label and serial, never by probe order.
    "-append",
    "root=LABEL=cbroot rw console=ttyS0 net.ifnames=0 quiet",
    "-drive",
    `file=${join(spec.dir, "root.qcow2")},format=qcow2,if=none,id=root`,
    "-device",
    "virtio-blk-pci,drive=root,serial=cbroot",
    "-drive",
    `file=${join(spec.dir, "data.img")},format=raw,if=none,id=data,cache=none,aio=native`,
    "-device",
    "virtio-blk-pci,drive=data,serial=cbdata",
    "-drive",
    `file=${spec.seedPath},format=raw,if=none,id=seed,readonly=on`,
    "-device",
    "virtio-blk-pci,drive=seed,serial=cbseed",
    "-netdev",
    `user,id=n0,${forwards.join(",")}`,
    "-device",
    "virtio-net-pci,netdev=n0",
  ];
}

/** Starts the guest detached from this process, so the lab outlives the command that made it. */
export function startGuest(spec: GuestSpec): number {
  const log = openSync(qemuLog(spec.dir), "w");
  const out = openSync(consoleLog(spec.dir), "w");
  closeSync(out);
  const child = spawn("qemu-system-x86_64", qemuArgv(spec), { detached: true, stdio: ["ignore", log, log] });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error("qemu-system-x86_64 did not start");
  return child.pid;
}

/** True when `pid` is this lab host's QEMU (not a recycled pid). */
export function guestRunning(pid: number, name: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes("qemu-system") && cmdline.includes(`cinderblock-${name}\0`);
  } catch {
    return false;
  }
}

/**
 * True until `pid` has really exited. Its command line empties early in its exit, before it lets
 * go of its files (QEMU's pid-file lock among them), so only the process's state says it is gone;
 * a zombie has let go of everything.
 */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.charAt(stat.lastIndexOf(")") + 2) !== "Z";
  } catch {
    return false;
  }
}

async function waitExit(pid: number, ms: number): Promise<void> {
  for (let waited = 0; waited < ms && processAlive(pid); waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stops this lab host's QEMU and returns once it has exited, so that a new one can take its disks and pid file. */
export async function stopGuest(pid: number, name: string): Promise<void> {
  if (!guestRunning(pid, name)) return;
  process.kill(pid, "SIGTERM");
  await waitExit(pid, 10_000);
  if (processAlive(pid)) {
    process.kill(pid, "SIGKILL");
    await waitExit(pid, 10_000);
  }
}

export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").replace(/\r/g, "").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

/**
 * The console line where the guest's kernel crashed, if it did. Under TCG with several vCPUs the
 * guest's kernel now and then dies early in boot (`Oops: int3` while it patches its own code,
 * a QEMU fault): such a guest never answers, so it is booted again rather than waited for.
 */
export function guestCrash(dir: string): string | undefined {
  // Seen at the next poll, seconds after the crash: far fewer than 1000 lines follow it by then.
  return tail(consoleLog(dir), 1000)
    .split("\n")
    .find((line) => /Kernel panic|\bOops:|\bBUG: |general protection fault/.test(line))
    ?.replace(/^\s*\[[^\]]*\]\s*/, "")
    .trim();
}

/** A KVM guest that hits nested-virtualization bugs dies with one of these in QEMU's log. */
export function kvmFailed(dir: string): boolean {
  return /KVM internal error|emulation failure|kvm run failed|failed to initialize kvm/i.test(tail(qemuLog(dir), 200));
}
