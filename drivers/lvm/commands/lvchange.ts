import type { LvmHost } from "../core/host";

/** Activates an LV, including thin snapshots that carry the activation-skip flag (-K). */
export function activateArgv(vg: string, lvName: string): string[] {
  return ["lvchange", "--yes", "--quiet", "-a", "y", "-K", `${vg}/${lvName}`];
}

export async function activate(host: LvmHost, lvName: string): Promise<void> {
  await host.lvm(activateArgv(host.volumeGroup, lvName));
}

export async function deactivate(host: LvmHost, lvName: string): Promise<void> {
  await host.lvm(["lvchange", "--yes", "--quiet", "-a", "n", `${host.volumeGroup}/${lvName}`]);
}

export interface TagChange {
  add?: readonly string[];
  remove?: readonly string[];
}

/** The argv that changes the tags of one or more LVs in one command; undefined when there is nothing to change. */
export function changeTagsArgv(vg: string, lvNames: string | readonly string[], change: TagChange): string[] | undefined {
  const args = [...(change.add ?? []).flatMap((tag) => ["--addtag", tag]), ...(change.remove ?? []).flatMap((tag) => ["--deltag", tag])];
  const names = typeof lvNames === "string" ? [lvNames] : lvNames;
  if (args.length === 0 || names.length === 0) return undefined;
  return ["lvchange", "--quiet", ...args, ...names.map((name) => `${vg}/${name}`)];
}

/** Changes the tags of one LV, or of several in one command (LVM still commits each LV on its own). */
export async function changeTags(host: LvmHost, lvNames: string | readonly string[], change: TagChange): Promise<void> {
  const argv = changeTagsArgv(host.volumeGroup, lvNames, change);
  if (argv) await host.lvm(argv);
}
