import { VolumeBackendAPIException } from "../../interface/errors";
import { parseLvAttr, type LvAttr } from "./lvAttr";

/**
 * LVM's JSON reports (`--reportformat json --units b --nosuffix`). Every value arrives as a
 * string; this module is the one place that turns them into numbers, in bytes.
 */

export const LV_FIELDS = [
  "lv_name",
  "vg_name",
  "lv_uuid",
  "lv_size",
  "lv_attr",
  "lv_tags",
  "origin",
  "pool_lv",
  "data_percent",
  "metadata_percent",
  "lv_time",
  "lv_kernel_major",
  "lv_kernel_minor",
] as const;

export const VG_FIELDS = ["vg_name", "vg_uuid", "vg_size", "vg_free", "vg_extent_size", "lv_count"] as const;

export interface LvRow {
  name: string;
  vg: string;
  uuid: string;
  sizeBytes: number;
  attr: LvAttr;
  rawAttr: string;
  tags: string[];
  origin: string | undefined;
  pool: string | undefined;
  /** Percent of a thin pool's (or thin volume's) data in use; undefined where LVM reports none. */
  dataPercent: number | undefined;
  metadataPercent: number | undefined;
  /** ISO 8601 creation time. */
  createdAt: string;
  /** The kernel device number, when active. */
  device: { major: number; minor: number } | undefined;
}

export interface VgRow {
  name: string;
  uuid: string;
  sizeBytes: number;
  freeBytes: number;
  extentBytes: number;
  lvCount: number;
}

type Wire<F extends readonly string[]> = Record<F[number], string>;

function reportRows(json: string, key: "lv" | "vg"): Array<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new VolumeBackendAPIException(`LVM printed a report that is not JSON: ${json.slice(0, 200)}`, { cause: error });
  }
  const reports = parsed && typeof parsed === "object" ? (parsed as { report?: unknown }).report : undefined;
  if (!Array.isArray(reports)) throw new VolumeBackendAPIException("LVM's JSON report has no 'report' array");
  return reports.flatMap((report: unknown) => {
    if (!report || typeof report !== "object") throw new VolumeBackendAPIException("LVM's JSON report holds a non-object entry");
    const rows = (report as Record<string, unknown>)[key];
    return Array.isArray(rows) ? (rows as Array<Record<string, string>>) : [];
  });
}

function integer(value: string | undefined, field: string): number {
  const number = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isSafeInteger(number)) {
    throw new VolumeBackendAPIException(`LVM reported ${field}='${value}', not a whole number`);
  }
  return number;
}

function percent(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * "2026-11-25 12:00:00 +0000", or seconds since the epoch (LVM's `report/time_format="%s"`, as
 * the `lvmdbusd` profile of the host's lvm shell sets it) → ISO 8601.
 */
export function parseLvTime(value: string): string {
  if (/^\d+$/.test(value.trim())) return new Date(Number(value) * 1000).toISOString();
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{2})(\d{2})$/.exec(value.trim());
  if (!match) return value;
  return new Date(`${match[1]}T${match[2]}${match[3]}:${match[4]}`).toISOString();
}

/** Tags arrive comma-separated; an LV without tags yields none (not one empty tag). */
function splitTags(value: string | undefined): string[] {
  return (value ?? "").split(",").filter((tag) => tag !== "");
}

export function parseLvs(json: string): LvRow[] {
  return reportRows(json, "lv").map((raw) => {
    const row = raw as Wire<typeof LV_FIELDS>;
    const major = Number(row.lv_kernel_major);
    const minor = Number(row.lv_kernel_minor);
    return {
      name: row.lv_name,
      vg: row.vg_name,
      uuid: row.lv_uuid,
      sizeBytes: integer(row.lv_size, "lv_size"),
      attr: parseLvAttr(row.lv_attr),
      rawAttr: row.lv_attr,
      tags: splitTags(row.lv_tags),
      origin: row.origin || undefined,
      pool: row.pool_lv || undefined,
      dataPercent: percent(row.data_percent),
      metadataPercent: percent(row.metadata_percent),
      createdAt: parseLvTime(row.lv_time),
      // An inactive LV reports -1/-1.
      device: Number.isInteger(major) && major >= 0 && Number.isInteger(minor) && minor >= 0 ? { major, minor } : undefined,
    };
  });
}

export function parseVgs(json: string): VgRow[] {
  return reportRows(json, "vg").map((raw) => {
    const row = raw as Wire<typeof VG_FIELDS>;
    return {
      name: row.vg_name,
      uuid: row.vg_uuid,
      sizeBytes: integer(row.vg_size, "vg_size"),
      freeBytes: integer(row.vg_free, "vg_free"),
      extentBytes: integer(row.vg_extent_size, "vg_extent_size"),
      lvCount: integer(row.lv_count, "lv_count"),
    };
  });
}
