import type { LvmHost } from "../core/host";

/** Renames an LV within the host's volume group (an active LV keeps its device number). */
export async function lvrename(host: LvmHost, from: string, to: string): Promise<void> {
  await host.lvm(["lvrename", "--quiet", host.volumeGroup, from, to]);
}
