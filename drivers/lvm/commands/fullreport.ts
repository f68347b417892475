import { LV_FIELDS, parseLvs, parseVgs, VG_FIELDS, type LvRow, type VgRow } from "../model/report";

/**
 * `lvm fullreport -a` of one VG: the VG and every LV (hidden ones too) in one LVM invocation, the
 * host report every operation reads. The PV and segment sub-reports are cut to one field each,
 * since nothing reads them.
 */
export function fullreportArgv(vg: string): string[] {
  return [
    "lvm",
    "fullreport",
    "-a",
    "--reportformat",
    "json",
    "--units",
    "b",
    "--nosuffix",
    "--configreport",
    "vg",
    "-o",
    VG_FIELDS.join(","),
    "--configreport",
    "lv",
    "-o",
    LV_FIELDS.join(","),
    "--configreport",
    "pv",
    "-o",
    "pv_name",
    "--configreport",
    "pvseg",
    "-o",
    "pvseg_start",
    "--configreport",
    "seg",
    "-o",
    "segtype",
    vg,
  ];
}

export function parseFullreport(json: string): { vg: VgRow | undefined; lvs: LvRow[] } {
  return { vg: parseVgs(json)[0], lvs: parseLvs(json) };
}
