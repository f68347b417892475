import { InvalidConfiguration, VolumeBackendAPIException } from "../interface/errors";
import { recordsDir } from "../targets";
import { parseDevicesFileEntries, parsePhysicalVolumes, parseUsesDevicesFile } from "./commands/devices";
import { readRecovery, recoverArgs, RECOVER_TIMEOUT_MS, type WindowRecovery } from "./groups/window";
import type { BackendSetup } from "./core/backend";
import type { LvmHost } from "./core/host";
import { scriptArgv } from "./core/hostScripts";
import { restoreExports } from "./exports/exports";
import { recoverGroupSnapshots } from "./groups/recovery";

interface Part {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The LVM driver's part of every host's setup: the checks below on first contact, then, once the
 * gates exist, group snapshots' crash recovery and the exports a reboot lost.
 */
export const hostSetup: BackendSetup = (backend) => async (lvm, options) => {
  const findings = await setupChecks(lvm, options);
  return async (ready) => {
    await recoverGroupSnapshots(backend, ready, findings.windows);
    await restoreExports(backend, ready, findings.unservedExports);
  };
};

/** What a host's setup checks found that the rest of its setup acts on. */
interface SetupFindings {
  /** What the group-snapshot window recovery did, or why it failed. */
  windows: WindowRecovery | Error;
  /** Export records of this VG whose target the kernel does not serve (all of them after a reboot). */
  unservedExports: string[];
}

/**
 * A host's setup checks in one round trip (scripts/host-setup.sh): the devices-file checks, and
 * beside them the export records the kernel does not serve and, when `recover` (a setup that may
 * write, not a read-only look at the host), the group-snapshot window recovery. Returns what the
 * recovery did (or why it failed: recovery never fails a setup, it is logged); the host report
 * is invalidated when the recovery changed anything, so a report read beside this call is used
 * only if it is still true.
 * @throws InvalidConfiguration when LVM's devices file is not as group snapshots need it
 */
async function setupChecks(lvm: LvmHost, options: { recover: boolean }): Promise<SetupFindings> {
  const exportsDir = recordsDir(lvm.volumeGroup);
  // The recovery script is bound into host-setup's text (hostScripts.ts); its arguments start with its mode, `recover`.
  const args = options.recover ? [exportsDir, ...recoverArgs(false)] : [exportsDir, ""];
  // Read-only for the shared report: the recovery says what it changed, and only that invalidates it.
  const result = await lvm.run(scriptArgv("host-setup.sh", args), { readOnly: true, timeoutMs: RECOVER_TIMEOUT_MS });
  const parts = readParts(lvm.name, result.stdout);
  checkDevicesFile(lvm, parts);
  const recover = parts.get("recover");
  let windows: WindowRecovery | Error;
  try {
    windows = readRecovery(lvm.name, recover?.stdout ?? "", recover?.exitCode ?? -1);
  } catch (error) {
    windows = error instanceof Error ? error : new Error(String(error));
  }
  if (windows instanceof Error || windows.disarmed.length + windows.resumedGates.length + windows.stillSuspended.length > 0 || windows.waitedForSnapshot) {
    lvm.invalidateReport();
  }
  return { windows, unservedExports: unservedExports(lvm, parts, exportsDir) };
}

/** The record paths the exports part listed; only paths in the records directory are taken. */
function unservedExports(lvm: LvmHost, parts: Map<string, Part>, dir: string): string[] {
  const listed = output(lvm, parts, "exports", `listing the export records in ${dir}`).split("\n").filter(Boolean);
  return listed.filter((path) => path.startsWith(`${dir}/`) && path.endsWith(".json") && !path.slice(dir.length + 1).includes("/"));
}

/** host-setup.sh's output: for each part, a header line `<RS>NAME EXIT` and its stdout, then `<RS>NAME.err` and its stderr. */
function readParts(hostName: string, stdout: string): Map<string, Part> {
  const parts = new Map<string, Part>();
  for (const chunk of stdout.split("\x1e").slice(1)) {
    const newline = chunk.indexOf("\n");
    const [name = "", exit] = chunk.slice(0, newline).split(" ");
    const text = chunk.slice(newline + 1);
    if (name.endsWith(".err")) {
      const part = parts.get(name.slice(0, -4));
      if (part) part.stderr = text;
    } else {
      parts.set(name, { exitCode: Number(exit), stdout: text, stderr: "" });
    }
  }
  for (const name of ["recover", "use_devicesfile", "devices", "pvs", "exports"]) {
    if (!parts.has(name)) throw new VolumeBackendAPIException(`setting up ${hostName}: its setup checks printed no ${name} part`);
  }
  return parts;
}

/** The stdout of a devices-file read. @throws VolumeBackendAPIException naming the command when it failed */
function output(lvm: LvmHost, parts: Map<string, Part>, name: string, command: string): string {
  const part = parts.get(name) as Part;
  if (part.exitCode !== 0) {
    throw new VolumeBackendAPIException(`\`${command}\` failed on ${lvm.name} (exit ${part.exitCode}): ${part.stderr.trim() || "no message"}`);
  }
  return part.stdout;
}

/**
 * Group snapshots need LVM never to read the gates, so LVM must be limited to a devices file
 * that lists only PVs (see docs: group snapshots). Verified, not assumed.
 */
function checkDevicesFile(lvm: LvmHost, parts: Map<string, Part>): void {
  if (!parseUsesDevicesFile(output(lvm, parts, "use_devicesfile", "lvmconfig --type current devices/use_devicesfile"))) {
    throw new InvalidConfiguration(
      `LVM on ${lvm.name} does not use a devices file; set devices/use_devicesfile=1 in /etc/lvm/lvm.conf and add the PVs with \`lvm lvmdevices --adddev <pv>\``,
    );
  }
  const entries = parseDevicesFileEntries(output(lvm, parts, "devices", "lvm lvmdevices"));
  const pvs = parsePhysicalVolumes(output(lvm, parts, "pvs", "pvs"));
  const ours = pvs.filter((row) => row.vg === lvm.volumeGroup).map((row) => row.pv);
  const missing = ours.filter((pv) => !entries.includes(pv));
  if (missing.length > 0) {
    throw new InvalidConfiguration(`LVM's devices file on ${lvm.name} lacks ${missing.join(", ")}; add with \`lvm lvmdevices --adddev <pv>\``);
  }
  const notPvs = entries.filter((entry) => !pvs.some((row) => row.pv === entry));
  if (notPvs.length > 0) {
    throw new InvalidConfiguration(
      `LVM's devices file on ${lvm.name} lists ${notPvs.join(", ")}, which ${notPvs.length === 1 ? "is not a PV" : "are not PVs"}; it must list only PVs (\`lvm lvmdevices --deldev <dev>\`)`,
    );
  }
}
