import type { LvmHost } from "../host";

/** The effective value of `devices/use_devicesfile` (1 when LVM reads only its devices file). */
export async function usesDevicesFile(host: LvmHost): Promise<boolean> {
  const result = await host.lvm(["lvmconfig", "--type", "current", "devices/use_devicesfile"], { readOnly: true });
  return /use_devicesfile\s*=\s*1/.test(result.stdout);
}

/** The device names listed in LVM's devices file (`lvm lvmdevices`; Debian ships no `lvmdevices` link). */
export async function devicesFileEntries(host: LvmHost): Promise<string[]> {
  const result = await host.lvm(["lvm", "lvmdevices"], { readOnly: true });
  return [...result.stdout.matchAll(/DEVNAME=(\S+)/g)].map((match) => match[1] ?? "").filter(Boolean);
}

/** Every PV LVM sees on the host, with its VG ("" when in none). */
export async function physicalVolumes(host: LvmHost): Promise<Array<{ pv: string; vg: string }>> {
  const result = await host.lvm(["pvs", "--reportformat", "json", "-o", "pv_name,vg_name"], { readOnly: true, lvmShell: true });
  const parsed = JSON.parse(result.stdout) as { report: Array<{ pv?: Array<{ pv_name: string; vg_name: string }> }> };
  return parsed.report.flatMap((report) => report.pv ?? []).map((row) => ({ pv: row.pv_name, vg: row.vg_name }));
}
