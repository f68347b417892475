import type { LvmHost } from "../host";

/** Grows an LV to `sizeBytes` (LVM rounds up to whole extents). Never shrinks: lvextend refuses to. */
export async function lvextend(host: LvmHost, lvName: string, sizeBytes: number): Promise<void> {
  await host.lvm(["lvextend", "--yes", "--quiet", "-L", `${sizeBytes}b`, `${host.volumeGroup}/${lvName}`]);
}
