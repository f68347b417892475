/** Parsers of `dmsetup table` output; the host report (host.ts) reads it beside LVM's. */

/** Device-mapper tables (and LVM sizes) count 512-byte sectors. */
export const SECTOR = 512;

/** A dm-linear table mapping a whole device 1:1. */
export interface LinearTable {
  sectors: number;
  major: number;
  minor: number;
}

/** Parses `0 <sectors> linear <maj>:<min> 0` (the form scripts/lv-write.sh gives gates); undefined for any other table. */
export function parseLinearTable(line: string): LinearTable | undefined {
  const match = /^0 (\d+) linear (\d+):(\d+) 0$/.exec(line.trim());
  if (!match) return undefined;
  return { sectors: Number(match[1]), major: Number(match[2]), minor: Number(match[3]) };
}

/** `dmsetup table` output → each device's table by device name. */
export function parseTables(output: string): Map<string, string> {
  const tables = new Map<string, string>();
  for (const line of output.split("\n")) {
    const colon = line.indexOf(": ");
    if (colon >= 0) tables.set(line.slice(0, colon), line.slice(colon + 2));
  }
  return tables;
}
