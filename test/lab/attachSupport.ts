import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Backends, parseBackends, type Logger } from "../../drivers";
import type { DriverWith } from "../../drivers/interface/capabilities";
import type { ConnectionInfo, IscsiConnectionData, NvmeofConnectionData } from "../../drivers/interface/types";
import { labConfigPath, onHost, onHostOk } from "./support";

const run = promisify(execFile);

export type ExportLabDriver = DriverWith<"core" | "export">;

/** A logger that keeps every line, debug included (each command line the transport runs). */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string): void => void lines.push(message);
  return { lines, logger: { debug: keep, info: keep, warn: keep } };
}

/**
 * The export driver of the lab's first host (thick deletes wipe only 4 MiB, as in the other lab
 * tests). SSH handshakes get a minute: several emulated guests on one machine make a burst of new
 * connections slow to answer.
 */
export async function openExportDriver(logger?: Logger): Promise<{ backends: Backends; driver: ExportLabDriver }> {
  const file = JSON.parse(readFileSync(labConfigPath(), "utf8")) as { backends: { lab: { hosts: Array<Record<string, unknown>> } } };
  const hosts = file.backends.lab.hosts.map((host) => ({ ...host, connectTimeoutMs: 60_000 }));
  const backends = new Backends(parseBackends({ backends: { lab: { ...file.backends.lab, hosts, volumeClearSizeMib: 4 } } }), logger);
  return { backends, driver: await backends.withCapability("lab", "export") };
}

export function iscsiData(info: ConnectionInfo): IscsiConnectionData {
  if (info.driver_volume_type !== "iscsi") throw new Error(`expected iSCSI connection info, got ${info.driver_volume_type}`);
  return info.data;
}

export function nvmeData(info: ConnectionInfo): NvmeofConnectionData {
  if (info.driver_volume_type !== "nvmeof") throw new Error(`expected NVMe-oF connection info, got ${info.driver_volume_type}`);
  return info.data;
}

export const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

/** Writes `mib` MiB of random bytes to `device` on a lab host, directly (not through cinderblock); returns their SHA-256. */
export async function writeRandom(device: string, mib: number, index = 0): Promise<string> {
  const out = await onHostOk(
    `set -e; f=$(mktemp); head -c ${mib * 1048576} /dev/urandom > $f; dd if=$f of=${device} bs=1M oflag=direct conv=fsync status=none; sha256sum < $f | cut -d' ' -f1; rm -f $f`,
    index,
  );
  return out.trim();
}

/** An iSCSI session as libiscsi (on this machine, outside the lab guests) opens it. */
export interface IscsiLogin {
  portal: string;
  iqn: string;
  user: string;
  password: string;
  initiator: string;
  /** Mutual CHAP: the target's credentials the initiator expects it to answer with. */
  target?: { user: string; password: string };
}

export function loginOf(data: IscsiConnectionData, initiator: string, portal = data.target_portal): IscsiLogin {
  return { portal, iqn: data.target_iqn, user: data.auth_username, password: data.auth_password, initiator };
}

/**
 * Reads the first `bytes` of LUN 0 through the export with qemu-img (libiscsi), from this
 * machine. The CHAP secret goes to qemu-img in a 0600 file, not on its command line.
 */
export async function readThroughIscsi(login: IscsiLogin, bytes: number): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), "cb-iscsi-"));
  try {
    writeFileSync(join(dir, "secret"), login.password, { mode: 0o600 });
    const options = [
      "driver=raw",
      `size=${bytes}`,
      "file.driver=iscsi",
      "file.transport=tcp",
      `file.portal=${login.portal}`,
      `file.target=${login.iqn}`,
      "file.lun=0",
      `file.user=${login.user}`,
      "file.password-secret=chap",
      `file.initiator-name=${login.initiator}`,
    ].join(",");
    const out = join(dir, "out.raw");
    await run("qemu-img", ["convert", "--object", `secret,id=chap,file=${join(dir, "secret")}`, "--image-opts", options, "-O", "raw", out], {
      timeout: 120_000,
    });
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Logs in and sends an INQUIRY (iscsi-inq); resolves with how the login went. */
export async function iscsiLogin(login: IscsiLogin): Promise<{ ok: boolean; output: string }> {
  const mutual = login.target ? `?target_user=${encodeURIComponent(login.target.user)}&target_password=${encodeURIComponent(login.target.password)}` : "";
  const url = `iscsi://${encodeURIComponent(login.user)}%${encodeURIComponent(login.password)}@${login.portal}/${login.iqn}/0${mutual}`;
  try {
    const { stdout } = await run("iscsi-inq", ["-i", login.initiator, url], { timeout: 60_000 });
    return { ok: true, output: stdout };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ""}${failure.stderr ?? ""}` };
  }
}

/** LIO's configfs directory of a target's TPG on a lab host. */
export const tpgDir = (iqn: string): string => `/sys/kernel/config/target/iscsi/${iqn}/tpgt_1`;

/** The entries of a configfs directory on a lab host (empty when it does not exist). */
export async function entries(dir: string, index = 0): Promise<string[]> {
  const result = await onHost(`ls -1 ${dir}`, index);
  return result.code === 0 ? result.stdout.split("\n").filter(Boolean).sort() : [];
}

/** The lab host that acts as NVMe/TCP initiator for the first one. */
export const NVME_INITIATOR_HOST = 1;

/** The host id of a host NQN in the uuid form: its uuid, as nvme-cli pairs them. */
function hostIdOf(hostnqn: string): string {
  const hostid = /uuid:([0-9a-f-]{36})$/.exec(hostnqn)?.[1];
  if (!hostid) throw new Error(`${hostnqn} is not a uuid host NQN`);
  return hostid;
}

/**
 * On the second lab host: connects as `hostnqn` (with its DH-HMAC-CHAP `key`, by default the one
 * the connection info carries; "" for none) through the portal other lab guests use (10.0.2.2,
 * QEMU's address for this machine), reads the namespace's first MiB with direct I/O and prints
 * its SHA-256, then disconnects. Exit code 10: the connect was refused. The key travels inside the
 * script only (onHost prints no script), never in an error message.
 */
export async function readThroughNvme(
  data: NvmeofConnectionData,
  hostnqn: string,
  key = data.host_secret ?? "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const portal = data.portals.find(([address]) => address === "10.0.2.2");
  if (!portal) throw new Error(`no 10.0.2.2 portal in ${JSON.stringify(data.portals)}`);
  const [address, port] = portal;
  const nqn = data.target_nqn;
  const auth = key === "" ? "" : ` --dhchap-secret='${key}'`;
  return onHost(
    `modprobe nvme_tcp
nvme connect -t tcp -a ${address} -s ${port} -n ${nqn} --hostnqn=${hostnqn} --hostid=${hostIdOf(hostnqn)}${auth} >/dev/null || exit 10
trap 'nvme disconnect -n ${nqn} >/dev/null' EXIT
for i in $(seq 40); do
  for s in /sys/class/nvme-subsystem/*; do
    [ "$(cat $s/subsysnqn)" = ${nqn} ] && dev=$(ls $s | grep -E '^nvme[0-9]+n${data.ns_id}$' | head -1)
  done
  [ -n "$dev" ] && [ -b /dev/$dev ] && break
  sleep 0.5
done
dd if=/dev/$dev bs=1M count=1 iflag=direct status=none | sha256sum | cut -d' ' -f1`,
    NVME_INITIATOR_HOST,
  );
}

/**
 * On the second lab host: a controller connected as `hostnqn` (with the connection info's
 * DH-HMAC-CHAP key, if any) and kept connected; resolves with its name (`nvmeN`). Connected
 * through the kernel's fabrics device, with the host NQN's uuid as host id: nvme-cli refuses a
 * second connection from one machine to the same subsystem and address, whatever the host NQN,
 * and a revocation test needs two live controllers side by side.
 */
export async function connectController(data: NvmeofConnectionData, hostnqn: string): Promise<string> {
  const portal = data.portals.find(([address]) => address === "10.0.2.2");
  if (!portal) throw new Error(`no 10.0.2.2 portal in ${JSON.stringify(data.portals)}`);
  const auth = data.host_secret === undefined ? "" : `,dhchap_secret=${data.host_secret}`;
  const options = `transport=tcp,traddr=${portal[0]},trsvcid=${portal[1]},nqn=${data.target_nqn},hostnqn=${hostnqn},hostid=${hostIdOf(hostnqn)}${auth}`;
  // onHost, not onHostOk: the script holds the key, and a failure must not print it.
  const out = await onHost(`modprobe nvme_tcp; exec 3<>/dev/nvme-fabrics; echo '${options}' >&3; head -n 1 <&3`, NVME_INITIATOR_HOST);
  const instance = /instance=(\d+)/.exec(out.stdout)?.[1];
  if (instance === undefined) throw new Error(`connecting as ${hostnqn} failed (${out.code}): '${out.stdout.trim()}' ${out.stderr.trim()}`);
  return `nvme${instance}`;
}

/**
 * Reads the namespace's first 4 KiB through one controller (an NVMe Read passed through its
 * character device, so no other path of a multipath head can answer); resolves with their
 * SHA-256, or undefined when the read failed or took longer than `timeoutS`.
 */
export async function readThroughController(controller: string, nsid: number, timeoutS: number): Promise<string | undefined> {
  const result = await onHost(
    `set -o pipefail; timeout ${timeoutS} nvme io-passthru /dev/${controller} --opcode=2 --namespace-id=${nsid} --data-len=4096 --read --cdw12=7 -b 2>/dev/null | sha256sum | cut -d' ' -f1`,
    NVME_INITIATOR_HOST,
  );
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Writes 4 KiB of 0xee at the namespace's start through one controller; resolves whether the write succeeded. */
export async function writeThroughController(controller: string, nsid: number, timeoutS: number): Promise<boolean> {
  const result = await onHost(
    `f=$(mktemp); head -c 4096 /dev/zero | tr '\\0' '\\356' > $f; timeout ${timeoutS} nvme io-passthru /dev/${controller} --opcode=1 --namespace-id=${nsid} --data-len=4096 --write --cdw12=7 -i $f >/dev/null 2>&1; code=$?; rm -f $f; exit $code`,
    NVME_INITIATOR_HOST,
  );
  return result.code === 0;
}

/** Deletes one controller on the second lab host (whatever its state). */
export async function disconnectController(controller: string): Promise<void> {
  await onHost(`[ ! -e /sys/class/nvme/${controller}/delete_controller ] || echo 1 > /sys/class/nvme/${controller}/delete_controller`, NVME_INITIATOR_HOST);
}
