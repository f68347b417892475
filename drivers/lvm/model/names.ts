import { InvalidInput } from "../../interface/errors";
import { printable } from "../../validation";

/**
 * LVM's naming rules, and the inverse pairs that map cinderblock names onto LV names and
 * device-mapper names. Every name passes `checkLvName` / `checkVgName` before it reaches a
 * command line.
 */

const LV_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*$/;
/** Kept well below LVM's 127; names with many dashes are held to `checkDeviceNames` as well. */
export const MAX_LV_NAME = 55;
/** The kernel's limit on a device-mapper name (DM_NAME_LEN, 128 with its terminating NUL). */
const MAX_DM_NAME = 127;
const MAX_VG_NAME = 32;
/** Substrings LVM reserves for its internal LVs; names containing them cannot be escaped. */
const RESERVED_PARTS = [
  "_cdata",
  "_cmeta",
  "_corig",
  "_cpool",
  "_cvol",
  "_imeta",
  "_iorig",
  "_mimage",
  "_mlog",
  "_pmspare",
  "_rimage",
  "_rmeta",
  "_tdata",
  "_tmeta",
  "_vdata",
  "_vorigin",
  "_wcorig",
];
/** Prefixes LVM reserves; names starting with them are stored with a leading underscore (Cinder's escape). */
const RESERVED_PREFIXES = ["snapshot", "pvmove"];

function checkName(kind: string, name: string, max: number): void {
  if (name.length === 0 || name.length > max) {
    throw new InvalidInput(`${kind} '${printable(name)}' must be 1 to ${max} characters long`);
  }
  if (!LV_NAME.test(name) || name === "." || name === "..") {
    throw new InvalidInput(`${kind} '${printable(name)}' may contain only letters, digits and + _ . - and must not start with '-'`);
  }
}

/** Validates a user-facing volume or snapshot name (before escaping). */
export function checkVolumeName(name: string): void {
  checkName("name", name, MAX_LV_NAME - 1);
  const reserved = RESERVED_PARTS.find((part) => name.includes(part));
  if (reserved) throw new InvalidInput(`name '${name}' contains '${reserved}', which LVM reserves for internal volumes`);
  // `_snapshot...` is how `snapshot...` is stored; accepting it too would map two names to one LV.
  if (name.startsWith("_") && RESERVED_PREFIXES.some((prefix) => name.slice(1).startsWith(prefix))) {
    throw new InvalidInput(`name '${name}' is reserved: names starting with '_${RESERVED_PREFIXES.join("' or '_")}' are how cinderblock stores escaped names`);
  }
}

export function checkVgName(name: string): void {
  checkName("volume group name", name, MAX_VG_NAME);
}

/** User name → LV name: reserved prefixes get a leading underscore. */
export function escapeLvName(name: string): string {
  checkVolumeName(name);
  return escapeReserved(name);
}

/** A name starting with a prefix LVM reserves → its escaped LV name (Cinder's `_snapshot-…`); any other unchanged. Checks nothing. */
export function escapeReserved(name: string): string {
  return RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix)) ? `_${name}` : name;
}

/**
 * The LV name of an unnamed volume or snapshot, `volume-<uuid>` or `snapshot-<uuid>`: when the
 * uuid makes it too long or otherwise invalid, the refusal names the uuid, which is what the
 * caller gave.
 */
export function defaultLvName(kind: "volume" | "snapshot", uuid: string): string {
  try {
    return escapeLvName(`${kind}-${uuid}`);
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    throw new InvalidInput(
      `uuid '${printable(uuid)}' cannot name the ${kind}'s LV '${kind}-<uuid>' (${error.message}): give it a name, or a uuid of at most ${MAX_LV_NAME - 2 - kind.length} characters`,
    );
  }
}

/** LV name → user name; the inverse of `escapeLvName`. */
export function unescapeLvName(lvName: string): string {
  const inner = lvName.slice(1);
  return lvName.startsWith("_") && RESERVED_PREFIXES.some((prefix) => inner.startsWith(prefix)) ? inner : lvName;
}

/** An LV name read back from the host, checked before it is used in a command. */
export function checkLvName(lvName: string): void {
  checkName("logical volume name", lvName, MAX_LV_NAME);
}

const mangle = (part: string): string => part.replace(/-/g, "--");

/** `<vg>-<lv>` with dashes doubled: the device-mapper name LVM gives an LV's device. */
export function dmNameOf(vg: string, lv: string): string {
  return `${mangle(vg)}-${mangle(lv)}`;
}

/** The LV's device in /dev/mapper. */
export function lvMapperPath(vg: string, lv: string): string {
  return `/dev/mapper/${dmNameOf(vg, lv)}`;
}

/** The hidden copy-on-write device of a thick snapshot. */
export function cowMapperPath(vg: string, lv: string): string {
  return `${lvMapperPath(vg, lv)}-cow`;
}

/** What every gate's device-mapper name starts with (gates.ts says what gates are). */
export const GATE_PREFIX = "cbgate-";

/** The gate device-mapper name of a volume: every consumer uses `/dev/mapper/<gateName>`. */
export function gateName(vg: string, lv: string): string {
  return `${GATE_PREFIX}${mangle(vg)}-${mangle(lv)}`;
}

/**
 * Refuses an LV name whose device-mapper names would not fit on a VG: the gate
 * (`cbgate-<vg>-<lv>`) is the longest name derived from it, and device-mapper doubles every
 * dash (LVM's own `<vg>-<lv>`, a thick snapshot's `-cow` and its origin's `-real` are shorter).
 * Checked before anything is created: a gate that cannot be made leaves an LV without one.
 */
export function checkDeviceNames(vg: string, lvName: string): void {
  const length = gateName(vg, lvName).length;
  if (length <= MAX_DM_NAME) return;
  const dashes = lvName.split("-").length - 1;
  throw new InvalidInput(
    `name '${printable(lvName)}' is too long for its device names on volume group ${vg}: device-mapper doubles each of its ${dashes} '-', ` +
      `so its gate would be named with ${length} characters (at most ${MAX_DM_NAME}); use fewer dashes or a shorter name`,
  );
}

export function gatePath(vg: string, lv: string): string {
  return `/dev/mapper/${gateName(vg, lv)}`;
}
