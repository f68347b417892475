/** Grows an LV to `sizeBytes` (LVM rounds up to whole extents). Never shrinks: lvextend refuses to. */
export function lvextendArgv(vg: string, lvName: string, sizeBytes: number): string[] {
  return ["lvextend", "--yes", "--quiet", "-L", `${sizeBytes}b`, `${vg}/${lvName}`];
}
