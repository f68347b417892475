import { isCommandError } from "../../ssh/errors";
import type { LvmHost } from "../core/host";
import { SECTOR } from "./dmsetupTable";

/** Every device-mapper device whose name starts with `prefix`, with its table, from the host's shared report. */
export async function listTables(host: LvmHost, prefix: string): Promise<Map<string, string>> {
  const { tables } = await host.report();
  return new Map([...tables].filter(([name]) => name.startsWith(prefix)));
}

export type RemoveResult = "removed" | "absent" | "busy";

/** Removes a device; reports rather than throws when it is absent or held open. */
export async function removeDevice(host: LvmHost, name: string): Promise<RemoveResult> {
  try {
    await host.run(["dmsetup", "remove", name]);
    return "removed";
  } catch (error) {
    if (isCommandError(error) && /No such device or address|not found/i.test(error.stderr)) return "absent";
    if (isCommandError(error) && /Device or resource busy/i.test(error.stderr)) return "busy";
    throw error;
  }
}

/** Open count and suspension of one device; undefined when it does not exist. */
export async function deviceInfo(host: LvmHost, name: string): Promise<{ open: number; suspended: boolean } | undefined> {
  try {
    const result = await host.run(["dmsetup", "info", "-c", "--noheadings", "--separator", "|", "-o", "open,suspended", name], { readOnly: true });
    const [open, suspended] = result.stdout.trim().split("|");
    return { open: Number(open), suspended: suspended === "Suspended" };
  } catch (error) {
    if (isCommandError(error) && /No such device or address|not found/i.test(error.stderr)) return undefined;
    throw error;
  }
}

/**
 * The bytes at the start of a thick snapshot's copy-on-write device that hold anything: its
 * header, exception tables and saved origin blocks, which the kernel allocates from the start
 * (`dmsetup status`: allocated/total sectors). Undefined when the kernel cannot say (the
 * snapshot is not active, or invalid, or gone).
 */
export async function snapshotCowUsedBytes(host: LvmHost, dmName: string): Promise<number | undefined> {
  try {
    return parseSnapshotUsage((await host.run(["dmsetup", "status", dmName], { readOnly: true })).stdout);
  } catch (error) {
    // No such device, or one dmsetup cannot read: the caller wipes all of it.
    if (isCommandError(error) && error.exitCode === 1) return undefined;
    throw error;
  }
}

/** The allocated bytes of a `dmsetup status` line of a snapshot target. */
export function parseSnapshotUsage(status: string): number | undefined {
  const match = /^\d+ \d+ snapshot (\d+)\/\d+ \d+$/.exec(status.trim());
  return match ? Number(match[1]) * SECTOR : undefined;
}
