import { InvalidInput } from "../../interface/errors";
import { printable } from "../../validation";
import {
  DESCRIPTION_RULE,
  LABEL_KEY_PATTERN,
  LABEL_KEY_RULE,
  LABEL_VALUE_PATTERN,
  LABEL_VALUE_RULE,
  MAX_DESCRIPTION_BYTES,
  UUID_PATTERN,
  UUID_RULE,
} from "../../interface/rules";

/**
 * The LV tags that make an LV cinderblock's: a marker, its kind and uuid, and the user's
 * description and labels. With them, `lvs @cinderblock` finds everything cinderblock ever made,
 * so a crash between two steps can leave nothing it cannot find again.
 */
export const MARKER = "cinderblock";

export type LvKind = "volume" | "snapshot" | "temp";

export interface CinderblockTags {
  kind: LvKind;
  uuid: string;
  description?: string | undefined;
  labels: Record<string, string>;
  /** For a volume made from a source: `snapshot/<lv>` or `volume/<lv>`. */
  source?: string | undefined;
  /** For a snapshot: the LV name of its volume. */
  volume?: string | undefined;
  /** For a temporary LV: the uuid of the operation that made it. */
  tempFor?: string | undefined;
  /**
   * For a volume in a consistency group: the group's name and uuid. A group exists only as
   * these tags on its members (groups.ts), so it survives anything its volumes survive.
   */
  group?: { name: string; uuid: string } | undefined;
}

export function checkUuid(uuid: string): void {
  if (!UUID_PATTERN.test(uuid)) throw new InvalidInput(`uuid '${printable(uuid)}' ${UUID_RULE}`);
}

export function checkLabels(labels: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_KEY_PATTERN.test(key)) throw new InvalidInput(`label '${key.slice(0, 80)}': ${LABEL_KEY_RULE}`);
    if (!LABEL_VALUE_PATTERN.test(value)) throw new InvalidInput(`label '${key}': ${LABEL_VALUE_RULE}`);
  }
}

export function checkDescription(description: string): void {
  if (Buffer.byteLength(description, "utf8") > MAX_DESCRIPTION_BYTES) throw new InvalidInput(`description ${DESCRIPTION_RULE}`);
}

/** True for tags cinderblock writes (and may therefore rewrite); foreign tags are left alone. */
export function ownTagKey(tag: string): boolean {
  return tag === MARKER || tag.startsWith("cb.");
}

/** The tags to pass as `--addtag` values. */
export function encodeTags(tags: CinderblockTags): string[] {
  checkUuid(tags.uuid);
  checkLabels(tags.labels);
  const out = [MARKER, `cb.kind=${tags.kind}`, `cb.uuid=${tags.uuid}`];
  if (tags.description) {
    checkDescription(tags.description);
    out.push(`cb.desc=${Buffer.from(tags.description, "utf8").toString("base64url")}`);
  }
  for (const [key, value] of Object.entries(tags.labels)) out.push(`cb.label.${key}=${value}`);
  if (tags.source) out.push(`cb.source=${tags.source}`);
  if (tags.volume) out.push(`cb.volume=${tags.volume}`);
  if (tags.tempFor) out.push(`cb.temp-for=${tags.tempFor}`);
  if (tags.group) out.push(...groupTags(tags.group));
  return out;
}

/** The tags that make a volume a member of a consistency group. */
export function groupTags(group: { name: string; uuid: string }): string[] {
  checkUuid(group.uuid);
  return [`cb.group=${group.name}`, `cb.group-uuid=${group.uuid}`];
}

/** Reads the tags back; undefined when the LV is not cinderblock's. */
export function decodeTags(tags: readonly string[]): CinderblockTags | undefined {
  if (!tags.includes(MARKER)) return undefined;
  const values = new Map<string, string>();
  const labels: Record<string, string> = {};
  for (const tag of tags) {
    const eq = tag.indexOf("=");
    if (eq < 0) continue;
    const key = tag.slice(0, eq);
    const value = tag.slice(eq + 1);
    if (key.startsWith("cb.label.")) labels[key.slice("cb.label.".length)] = value;
    else values.set(key, value);
  }
  const kind = values.get("cb.kind");
  const uuid = values.get("cb.uuid");
  if ((kind !== "volume" && kind !== "snapshot" && kind !== "temp") || !uuid) return undefined;
  const description = values.get("cb.desc");
  const [groupName, groupUuid] = [values.get("cb.group"), values.get("cb.group-uuid")];
  return {
    kind,
    uuid,
    description: description === undefined ? undefined : Buffer.from(description, "base64url").toString("utf8"),
    labels,
    source: values.get("cb.source"),
    volume: values.get("cb.volume"),
    tempFor: values.get("cb.temp-for"),
    group: groupName && groupUuid ? { name: groupName, uuid: groupUuid } : undefined,
  };
}
