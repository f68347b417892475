import type { LvmHost } from "../core/host";
import { isLvmNotFound } from "../core/errors";

/** Cinder's lvremove recipe: retry deactivation, then settle udev and skip suspended devices (LP #1270192). */
const FIRST = "activation { retry_deactivation = 1 }";
const SECOND = "activation { retry_deactivation = 1 } devices { ignore_suspended_devices = 1 }";
const ATTEMPTS = 3;

/** One attempt of the recipe; the first is also the last step of the volume-remove script. */
export function lvremoveArgv(vg: string, lvName: string, attempt = 1): string[] {
  return ["lvremove", "--yes", "--quiet", "-f", "--config", attempt === 1 ? FIRST : SECOND, `${vg}/${lvName}`];
}

/** Removes an LV; succeeds when it is already gone. */
export async function lvremove(host: LvmHost, lvName: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await host.lvm(lvremoveArgv(host.volumeGroup, lvName, attempt));
      return;
    } catch (error) {
      if (isLvmNotFound(error)) return;
      if (attempt >= ATTEMPTS) throw error;
      await host.run(["udevadm", "settle", "--timeout=10"]).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}
