/**
 * What host-setup.sh reads to verify LVM's devices file (see hostSetup.ts): the three command
 * outputs, parsed.
 */

/** `lvmconfig --type current devices/use_devicesfile`: true when LVM reads only its devices file. */
export function parseUsesDevicesFile(stdout: string): boolean {
  return /use_devicesfile\s*=\s*1/.test(stdout);
}

/** `lvm lvmdevices` (Debian ships no `lvmdevices` link): the device names the devices file lists. */
export function parseDevicesFileEntries(stdout: string): string[] {
  return [...stdout.matchAll(/DEVNAME=(\S+)/g)].map((match) => match[1] ?? "").filter(Boolean);
}

/** `pvs --reportformat json -o pv_name,vg_name`: every PV LVM sees on the host, with its VG ("" when in none). */
export function parsePhysicalVolumes(stdout: string): Array<{ pv: string; vg: string }> {
  const parsed = JSON.parse(stdout) as { report: Array<{ pv?: Array<{ pv_name: string; vg_name: string }> }> };
  return parsed.report.flatMap((report) => report.pv ?? []).map((row) => ({ pv: row.pv_name, vg: row.vg_name }));
}
