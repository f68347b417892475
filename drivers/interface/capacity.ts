import type { Capacity } from "./types";

/** Helpers every consumer of stats uses, so that 'unknown' and 'infinite' are never treated as numbers. */

export const GIB = 1024 ** 3;

export function bytesToGib(bytes: number): number {
  return Math.round((bytes / GIB) * 100) / 100;
}

/** Sum of capacities: any 'unknown' makes it unknown, else any 'infinite' makes it infinite. */
export function sumCapacity(values: readonly Capacity[]): Capacity {
  if (values.includes("unknown")) return "unknown";
  if (values.includes("infinite")) return "infinite";
  return Math.round((values as number[]).reduce((sum, value) => sum + value, 0) * 100) / 100;
}

export function formatCapacity(value: Capacity): string {
  return typeof value === "number" ? `${value.toFixed(2)} GiB` : value;
}

/** True when a request of `gib` fits in `free`; 'unknown' and 'infinite' pass, as in Cinder's CapacityFilter. */
export function fitsIn(free: Capacity, gib: number): boolean {
  return typeof free === "number" ? free >= gib : true;
}
