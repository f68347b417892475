/** LVM's ten-character `lv_attr`, decoded into named values (see lvs(8), "lv_attr bits"). */
export interface LvAttr {
  volumeType:
    | "origin"
    | "snapshot"
    | "thinPool"
    | "thinVolume"
    | "thinPoolData"
    | "thinPoolMetadata"
    | "mirror"
    | "raid"
    | "pvmove"
    | "virtual"
    | "internal"
    | "normal"
    | "other";
  /** The kernel device is present with a live table. */
  active: boolean;
  suspended: boolean;
  /** Something holds the device open. */
  open: boolean;
  /** Activation skip is set (thin snapshots by default): a plain `lvchange -ay` skips it. */
  activationSkip: boolean;
  /** Column 9: "-" is healthy; anything else names the problem. */
  health: "ok" | "partial" | "refreshNeeded" | "mismatches" | "writemostly" | "failed" | "outOfData" | "metadataReadOnly" | "unknown";
}

const TYPES: Record<string, LvAttr["volumeType"]> = {
  // Upper-case S is a snapshot being merged; invalid snapshots show in the state column.
  o: "origin",
  O: "origin",
  s: "snapshot",
  S: "snapshot",
  t: "thinPool",
  V: "thinVolume",
  T: "thinPoolData",
  e: "thinPoolMetadata",
  m: "mirror",
  M: "mirror",
  r: "raid",
  R: "raid",
  p: "pvmove",
  v: "virtual",
  i: "internal",
  I: "internal",
  l: "internal",
  "-": "normal",
};

const HEALTH: Record<string, LvAttr["health"]> = {
  "-": "ok",
  p: "partial",
  r: "refreshNeeded",
  m: "mismatches",
  w: "writemostly",
  F: "failed",
  D: "outOfData",
  M: "metadataReadOnly",
  X: "unknown",
};

/** State column values with a live kernel device, and those among them that are suspended (lvs(8)). */
const LIVE_STATES = new Set(["a", "s", "S", "m", "M", "c", "C"]);
const SUSPENDED_STATES = new Set(["s", "S", "M", "C"]);

export function parseLvAttr(attr: string): LvAttr {
  const at = (index: number): string => attr[index] ?? "-";
  const state = at(4);
  return {
    volumeType: TYPES[at(0)] ?? "other",
    active: LIVE_STATES.has(state),
    suspended: SUSPENDED_STATES.has(state),
    open: at(5) === "o",
    activationSkip: at(9) === "k",
    health: HEALTH[at(8)] ?? "unknown",
  };
}
