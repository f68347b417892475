import type { LvmHost } from "../host";

/** Grows an LV to `sizeBytes` (LVM rounds up to whole extents). Never shrinks: lvextend refuses to. */
export function lvextendArgv(vg: string, lvName: string, sizeBytes: number): string[] {
  return ["lvextend", "--yes", "--quiet", "-L", `${sizeBytes}b`, `${vg}/${lvName}`];
}

export async function lvextend(host: LvmHost, lvName: string, sizeBytes: number): Promise<void> {
  await host.lvm(lvextendArgv(host.volumeGroup, lvName, sizeBytes));
}
