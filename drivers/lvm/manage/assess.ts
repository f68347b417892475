import { GIB } from "../../interface/capacity";
import { NAME_PATTERN, NAME_RULE } from "../../interface/rules";
import { DELETING_TAG, INCOMPLETE_TAG, ownTags, provisioningOf } from "../model/model";
import { MAX_LV_NAME, unescapeLvName } from "../model/names";
import type { LvRow } from "../model/report";
import { MARKER } from "../model/tags";

/**
 * Whether an LV found on a host can be adopted as it is, read from one `lvs -a` report: pure, so
 * that the listings, manage and the unit tests all judge alike. An LV is judged by its own row;
 * the other rows of its volume group only supply its origin and snapshots.
 */

/**
 * Why an LV cannot be adopted. The code decides the error manage throws, and lets manage
 * overlook a name it is about to rename away.
 */
export type ProblemCode = "managed" | "notOurs" | "inUse" | "badName" | "wrongKind" | "unstable";

export interface Problem {
  code: ProblemCode;
  /** One sentence a person can act on. */
  reason: string;
}

export interface Assessment {
  problems: Problem[];
  /** Worth knowing, but no reason to refuse. */
  notes: string[];
  /** The uuid of the cinderblock volume or snapshot the LV already is. */
  cinderId?: string | undefined;
}

/** lvs -a shows hidden LVs (pool data and metadata, images, logs, spares) in brackets. */
export function isHidden(lv: LvRow): boolean {
  return lv.name.startsWith("[");
}

/** An LV's name without lvs' brackets around hidden ones. */
export function plainName(lv: LvRow): string {
  return isHidden(lv) ? lv.name.slice(1, -1) : lv.name;
}

/** A classic (thick) snapshot, or a thin LV taken of another: what can be adopted as a snapshot. */
export function isSnapshotLike(lv: LvRow): boolean {
  return lv.attr.volumeType === "snapshot" || (lv.pool !== undefined && lv.origin !== undefined);
}

/** Everything but a thick snapshot may be a volume candidate (thin snapshots are, as in Cinder). */
export function isVolumeCandidate(lv: LvRow): boolean {
  return lv.attr.volumeType !== "snapshot";
}

const TYPE_PROBLEMS: Partial<Record<LvRow["attr"]["volumeType"], string>> = {
  thinPool: "a thin pool: it holds thin volumes and is not one itself",
  thinPoolData: "an LVM-internal LV (part of a thin pool)",
  thinPoolMetadata: "an LVM-internal LV (thin pool or RAID metadata, or a metadata spare)",
  internal: "an LVM-internal LV (a mirror or RAID image or log)",
  pvmove: "a pvmove LV: physical extents are being moved",
  virtual: "a virtual LV (the zero-filled origin of a sparse snapshot)",
};

/** lv_attr column 5 (state) values that make an LV unfit to adopt; `a` (active) and `-` are fine. */
const STATE_PROBLEMS: Record<string, string> = {
  s: "suspended: its I/O is paused (resume it with dmsetup resume first)",
  I: "an invalid snapshot: its copy-on-write area overflowed and its data is lost",
  S: "an invalid snapshot: its copy-on-write area overflowed and its data is lost",
  m: "a snapshot merge into it failed",
  M: "a snapshot merge into it failed",
  d: "its device-mapper device has no table (lv_attr %s)",
  i: "its device-mapper device has an inactive table (lv_attr %s)",
  c: "a thin pool that needs a check",
  C: "a thin pool that needs a check",
  X: "its state is unknown to LVM (lv_attr %s)",
};

const HEALTH_PROBLEMS: Partial<Record<LvRow["attr"]["health"], string>> = {
  partial: "partial: a physical volume it uses is missing",
  failed: "failed (lv_attr health F)",
  outOfData: "out of data space",
  metadataReadOnly: "its metadata is read-only",
  refreshNeeded: "needs a refresh (lvchange --refresh)",
  unknown: "its health is unknown to LVM",
};

/** Checks every LV gets, whether it would be a volume or a snapshot. */
function commonProblems(lv: LvRow): Assessment {
  const raw = lv.rawAttr;
  const tags = ownTags(lv);
  // Cinderblock's own LVs are open (through their gates) and so on: only their status matters.
  if (tags?.kind === "temp") {
    return {
      problems: [{ code: "notOurs", reason: "a temporary LV of a cinderblock operation (in progress, or interrupted and removed by its retry)" }],
      notes: [],
    };
  }
  if (tags) {
    const state = lv.tags.includes(INCOMPLETE_TAG) ? " (being created or adopted)" : lv.tags.includes(DELETING_TAG) ? " (being deleted)" : "";
    return { problems: [{ code: "managed", reason: `already managed by cinderblock as ${tags.kind} ${tags.uuid}${state}` }], notes: [], cinderId: tags.uuid };
  }
  const problems: Problem[] = [];
  if (lv.tags.includes(MARKER)) {
    problems.push({
      code: "notOurs",
      reason: `carries the '${MARKER}' tag without the rest of cinderblock's tags; if it is not cinderblock's, remove the tag (lvchange --deltag ${MARKER})`,
    });
  }
  const typeProblem = TYPE_PROBLEMS[lv.attr.volumeType] ?? (isHidden(lv) ? "an LVM-internal LV (part of another LV)" : undefined);
  if (typeProblem) problems.push({ code: "wrongKind", reason: typeProblem });
  else if (lv.attr.volumeType === "other") problems.push({ code: "wrongKind", reason: `an LV of a type cinderblock does not manage (lv_attr ${raw})` });
  if (raw[0] === "O") problems.push({ code: "unstable", reason: "a snapshot is being merged into it; wait until the merge ends" });
  if (raw[0] === "S") problems.push({ code: "unstable", reason: "being merged into its origin" });
  const state = STATE_PROBLEMS[raw[4] ?? "-"];
  if (state) problems.push({ code: "unstable", reason: state.replace("%s", raw) });
  // Column 3 (allocation policy) is upper-case while a pvmove holds the LV.
  if (/[A-Z]/.test(raw[2] ?? "-")) problems.push({ code: "unstable", reason: "locked by a pvmove in progress" });
  const health = HEALTH_PROBLEMS[lv.attr.health];
  if (health) problems.push({ code: "unstable", reason: health });
  // Whether something holds an LV that cannot be a volume anyway does not matter.
  if (lv.attr.open && !problems.some((problem) => problem.code === "wrongKind")) {
    problems.push({ code: "inUse", reason: "in use: its device is open (mounted, attached or held by a process); stop using it first" });
  }
  const name = unescapeLvName(plainName(lv));
  if (!isHidden(lv) && (!NAME_PATTERN.test(name) || lv.name.length > MAX_LV_NAME)) {
    problems.push({ code: "badName", reason: `its name cannot be a cinderblock name (it ${NAME_RULE}); rename it (lvrename) first` });
  }
  return { problems, notes: [] };
}

const gib = (bytes: number): string => `${Math.round((bytes / GIB) * 100) / 100} GiB`;

/**
 * Whether `lv` can be adopted as a volume. `pool` is the backend's thin pool on the host, so
 * that a thin LV of another pool can be pointed out.
 */
export function assessVolume(lv: LvRow, all: readonly LvRow[], pool?: string): Assessment {
  const assessment = commonProblems(lv);
  const { problems, notes } = assessment;
  if (assessment.cinderId) return assessment;
  if (!isVolumeCandidate(lv)) problems.push({ code: "wrongKind", reason: `a thick snapshot of ${lv.origin ?? "another LV"}: adopt it as a snapshot` });
  if (problems.length > 0) return assessment;
  if (lv.pool && lv.origin) notes.push(`a thin snapshot of ${lv.origin}: adopted as a volume it stands on its own (it could be adopted as a snapshot instead)`);
  if (lv.pool && pool && lv.pool !== pool) notes.push(`in thin pool ${lv.pool}, not the backend's pool ${pool} (whose capacity checks do not cover it)`);
  const snapshots = all.filter((other) => other.origin === lv.name && other.attr.volumeType === "snapshot").map((other) => other.name);
  if (snapshots.length > 0) notes.push(`has thick snapshot(s) ${snapshots.join(", ")}`);
  if (!lv.attr.active) notes.push("inactive: adopting activates it");
  return assessment;
}

/** Whether `lv` can be adopted as a snapshot of its origin. */
export function assessSnapshot(lv: LvRow, all: readonly LvRow[]): Assessment {
  const assessment = commonProblems(lv);
  const { problems, notes } = assessment;
  if (assessment.cinderId) return assessment;
  if (!isSnapshotLike(lv)) {
    problems.push({ code: "wrongKind", reason: "not a snapshot (it has no origin): adopt it as a volume" });
    return assessment;
  }
  const origin = all.find((other) => other.name === lv.origin);
  if (provisioningOf(lv) === "thick" && origin && lv.sizeBytes < origin.sizeBytes) {
    // A thick snapshot invalidates itself once its COW fills; cinderblock's never can (they are as large as their origin).
    problems.push({
      code: "unstable",
      reason: `its copy-on-write area (${gib(lv.sizeBytes)}) is smaller than its origin ${origin.name} (${gib(origin.sizeBytes)}), so it fails once that much of the origin changes; grow it first (lvextend -L ${origin.sizeBytes}b ${lv.vg}/${lv.name})`,
    });
  }
  if (problems.length > 0) return assessment;
  if (provisioningOf(lv) === "thin") notes.push("a thin snapshot: also listed as a volume; adopt it as one or the other");
  if (origin && !ownTags(origin)) notes.push(`its volume ${origin.name} is not managed by cinderblock (adopt it too)`);
  return assessment;
}
