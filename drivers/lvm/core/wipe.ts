import { quoteArgv } from "../../ssh/quote";
import { copyTimeoutMs, zeroArgv, zeroDevice } from "../commands/dd";
import { activate, activateArgv } from "../commands/lvchange";
import type { LvmBackendConfig } from "../config";
import type { ReadyHost } from "./hosts";
import { provisioningOf } from "../model/model";
import { lvMapperPath } from "../model/names";
import type { LvRow } from "../model/report";

/**
 * Zeroes a thick LV (or a snapshot's COW device) so its data cannot reach a later volume,
 * per `volumeClear`/`volumeClearSizeMib`. `bytes` undefined means the device's whole size.
 */
export async function wipe(config: LvmBackendConfig, ready: ReadyHost, lvName: string, device: string, bytes: number | undefined, lv: LvRow): Promise<void> {
  if (config.volumeClear === "none") return;
  if (!lv.attr.active) await activate(ready.lvm, lvName);
  const size = bytes ?? Number((await ready.lvm.run(["blockdev", "--getsize64", device], { readOnly: true })).stdout.trim());
  await zeroDevice(ready.lvm, device, clearBytes(config, size));
}

/**
 * The wipe of a whole thick volume as command lines for a host script (activation first when
 * needed), per `volumeClear`; undefined when nothing is to be wiped.
 */
export function wipeCommands(config: LvmBackendConfig, ready: ReadyHost, lv: LvRow): { commandLine: string; timeoutMs: number } | undefined {
  if (config.volumeClear === "none" || provisioningOf(lv) !== "thick") return undefined;
  const vg = ready.lvm.volumeGroup;
  const bytes = clearBytes(config, lv.sizeBytes);
  const steps = [...(lv.attr.active ? [] : [activateArgv(vg, lv.name)]), zeroArgv(lvMapperPath(vg, lv.name), bytes)];
  return { commandLine: steps.map(quoteArgv).join(" && "), timeoutMs: copyTimeoutMs(bytes) };
}

/** How much of a device of `size` bytes `volumeClearSizeMib` says to wipe. */
function clearBytes(config: LvmBackendConfig, size: number): number {
  return config.volumeClearSizeMib > 0 ? Math.min(size, config.volumeClearSizeMib * 1024 * 1024) : size;
}
