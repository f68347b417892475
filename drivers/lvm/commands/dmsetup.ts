import { isCommandError } from "../../ssh/errors";
import type { LvmHost } from "../host";

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
