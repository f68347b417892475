import type { LvmHost } from "../host";

/** Activates an LV, including thin snapshots that carry the activation-skip flag (-K). */
export async function activate(host: LvmHost, lvName: string): Promise<void> {
  await host.lvm(["lvchange", "--yes", "--quiet", "-a", "y", "-K", `${host.volumeGroup}/${lvName}`]);
}

export async function deactivate(host: LvmHost, lvName: string): Promise<void> {
  await host.lvm(["lvchange", "--yes", "--quiet", "-a", "n", `${host.volumeGroup}/${lvName}`]);
}

export async function changeTags(host: LvmHost, lvName: string, change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void> {
  const args = [...(change.add ?? []).flatMap((tag) => ["--addtag", tag]), ...(change.remove ?? []).flatMap((tag) => ["--deltag", tag])];
  if (args.length === 0) return;
  await host.lvm(["lvchange", "--quiet", ...args, `${host.volumeGroup}/${lvName}`]);
}
