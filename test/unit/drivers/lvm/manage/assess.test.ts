import { assessSnapshot, assessVolume, isSnapshotLike, isVolumeCandidate, plainName, type Assessment } from "../../../../../drivers/lvm/manage/assess";
import { parseLvs, type LvRow } from "../../../../../drivers/lvm/model/report";
import { fixture, lvNamed } from "../../../../fakes/lvmFixtures";

/** The captured `lvs -a` report: a thin pool with its hidden parts, thin and thick LVs, snapshots of both. */
const all = parseLvs(fixture("lvs-all.json"));
const row = (name: string): LvRow => lvNamed(all, name);
const POOL = "cinder-volumes-pool";

/** A captured row, its lv_attr replaced by `attr` and then `changes` applied, in a report where it replaces the original. */
function variant(name: string, changes: Partial<LvRow> = {}, attr?: string): { lv: LvRow; all: LvRow[] } {
  const [parsed] = parseLvs(JSON.stringify({ report: [{ lv: [{ ...rawRow(name), ...(attr && { lv_attr: attr }) }] }] }));
  const lv = { ...parsed!, ...changes };
  return { lv, all: all.map((other) => (other.name === name ? lv : other)) };
}

function rawRow(name: string): Record<string, string> {
  const report = JSON.parse(fixture("lvs-all.json")) as { report: Array<{ lv: Array<Record<string, string>> }> };
  const found = report.report[0]?.lv.find((lv) => lv.lv_name === name);
  if (!found) throw new Error(`lvs-all.json has no ${name}`);
  return found;
}

const reasons = (assessment: Assessment): string => assessment.problems.map((problem) => problem.reason).join("; ");
const codes = (assessment: Assessment): string[] => assessment.problems.map((problem) => problem.code);

describe("which LVs are candidates", () => {
  it("offers every LV but thick snapshots as a volume, and thick snapshots and thin LVs with an origin as snapshots", () => {
    expect(all.filter(isVolumeCandidate).map((lv) => lv.name)).toEqual([
      POOL,
      `[${POOL}_tdata]`,
      `[${POOL}_tmeta]`,
      "fx-d810-inactive",
      "fx-d810-thick",
      "fx-d810-thin",
      "fx-d810-thinsnap",
      "[lvol0_pmspare]",
    ]);
    expect(all.filter(isSnapshotLike).map((lv) => lv.name)).toEqual(["fx-d810-thinsnap", "fx-d810-tsnap"]);
  });

  it("names hidden LVs without lvs' brackets", () => {
    expect(plainName(row(`[${POOL}_tdata]`))).toBe(`${POOL}_tdata`);
    expect(plainName(row("fx-d810-thick"))).toBe("fx-d810-thick");
  });
});

describe("assessVolume on captured LVs", () => {
  it("takes a plain thick LV, noting its thick snapshot", () => {
    expect(assessVolume(row("fx-d810-thick"), all, POOL)).toEqual({ problems: [], notes: ["has thick snapshot(s) fx-d810-tsnap"] });
  });

  it("takes an inactive thin LV, saying that adopting activates it", () => {
    expect(assessVolume(row("fx-d810-inactive"), all, POOL)).toEqual({ problems: [], notes: ["inactive: adopting activates it"] });
  });

  it("refuses cinderblock's own volume and snapshot as already managed, with their uuids", () => {
    const volume = assessVolume(row("fx-d810-thin"), all, POOL);
    expect(volume).toMatchObject({
      cinderId: "0d5c6a4e-fxd810",
      problems: [{ code: "managed", reason: "already managed by cinderblock as volume 0d5c6a4e-fxd810" }],
    });
    expect(assessVolume(row("fx-d810-thinsnap"), all, POOL)).toMatchObject({ cinderId: "7e1f-fxd810", problems: [{ code: "managed" }] });
  });

  it("refuses the thin pool and every hidden LV, without calling them in use", () => {
    expect(reasons(assessVolume(row(POOL), all, POOL))).toBe("a thin pool: it holds thin volumes and is not one itself");
    // The pool's data and metadata are open (the pool holds them): that is not worth saying.
    expect(reasons(assessVolume(row(`[${POOL}_tdata]`), all, POOL))).toBe("an LVM-internal LV (part of a thin pool)");
    expect(codes(assessVolume(row(`[${POOL}_tmeta]`), all, POOL))).toEqual(["wrongKind"]);
    expect(codes(assessVolume(row("[lvol0_pmspare]"), all, POOL))).toEqual(["wrongKind"]);
  });

  it("refuses a thick snapshot as a volume, pointing to adopting it as a snapshot", () => {
    expect(reasons(assessVolume(row("fx-d810-tsnap"), all, POOL))).toBe("a thick snapshot of fx-d810-thick: adopt it as a snapshot");
  });

  it("refuses an LV whose device is open (captured while `exec 3<dev` held it)", () => {
    const [open] = parseLvs(fixture("lvs-open.json"));
    expect(assessVolume(open!, all, POOL).problems).toEqual([
      { code: "inUse", reason: "in use: its device is open (mounted, attached or held by a process); stop using it first" },
    ]);
  });

  it.each<[string, string, string]>([
    ["an origin whose snapshot is merging into it", "Owi-a-s---", "a snapshot is being merged into it"],
    ["a suspended LV", "-wi-s-----", "suspended: its I/O is paused"],
    ["an LV locked by pvmove", "-wC-a-----", "locked by a pvmove in progress"],
    ["a partial LV", "-wi-a---p-", "partial: a physical volume it uses is missing"],
    ["a device without a table", "-wi-d-----", "has no table (lv_attr -wi-d-----)"],
    ["an LV of an unknown type", "Cwi-a-----", "of a type cinderblock does not manage (lv_attr Cwi-a-----)"],
  ])("refuses %s", (_what, attr, reason) => {
    const { lv, all: report } = variant("fx-d810-thick", {}, attr);
    expect(reasons(assessVolume(lv, report, POOL))).toContain(reason);
  });

  it("refuses a temporary LV of cinderblock and an LV with a stray cinderblock tag, with what to do", () => {
    const temp = variant("fx-d810-inactive", { tags: ["cinderblock", "cb.kind=temp", "cb.uuid=tmp-1", "cb.temp-for=1"] });
    expect(assessVolume(temp.lv, temp.all, POOL).problems).toEqual([
      { code: "notOurs", reason: expect.stringContaining("temporary LV of a cinderblock operation") },
    ]);
    const stray = variant("fx-d810-inactive", { tags: ["cinderblock"] });
    expect(reasons(assessVolume(stray.lv, stray.all, POOL))).toContain("lvchange --deltag cinderblock");
  });

  it("says a half-made or half-deleted cinderblock LV is being created or deleted", () => {
    const incomplete = variant("fx-d810-thin", { tags: [...row("fx-d810-thin").tags, "cb.incomplete"] });
    expect(reasons(assessVolume(incomplete.lv, incomplete.all, POOL))).toBe(
      "already managed by cinderblock as volume 0d5c6a4e-fxd810 (being created or adopted)",
    );
    const deleting = variant("fx-d810-thin", { tags: [...row("fx-d810-thin").tags, "cb.deleting"] });
    expect(reasons(assessVolume(deleting.lv, deleting.all, POOL))).toContain("(being deleted)");
  });

  it.each([
    ["_data", "_data"],
    ["+x", "+x"],
    ["a 55-character name", "n".repeat(55)],
  ])("refuses %s, which no cinderblock name can be", (_what, name) => {
    const { lv, all: report } = variant("fx-d810-inactive", { name });
    expect(assessVolume(lv, report, POOL).problems).toEqual([{ code: "badName", reason: expect.stringContaining("rename it (lvrename) first") }]);
  });

  it("takes Cinder's escaped snapshot-like names, which are cinderblock names once unescaped", () => {
    const { lv, all: report } = variant("fx-d810-inactive", { name: "_snapshot-0d5c6a4e" });
    expect(assessVolume(lv, report, POOL).problems).toEqual([]);
  });

  it("notes a thin LV taken of another (a thin snapshot) and a thin LV of another pool", () => {
    const snap = variant("fx-d810-thinsnap", { tags: [] });
    expect(assessVolume(snap.lv, snap.all, POOL)).toEqual({
      problems: [],
      notes: [
        "a thin snapshot of fx-d810-thin: adopted as a volume it stands on its own (it could be adopted as a snapshot instead)",
        "inactive: adopting activates it",
      ],
    });
    const other = variant("fx-d810-inactive", { pool: "other-pool" });
    expect(assessVolume(other.lv, other.all, POOL).notes).toContain(
      "in thin pool other-pool, not the backend's pool cinder-volumes-pool (whose capacity checks do not cover it)",
    );
  });
});

describe("assessSnapshot on captured LVs", () => {
  it("takes a thick snapshot as large as its origin, noting that its volume is not managed", () => {
    expect(assessSnapshot(row("fx-d810-tsnap"), all)).toEqual({
      problems: [],
      notes: ["its volume fx-d810-thick is not managed by cinderblock (adopt it too)"],
    });
  });

  it("takes a thin snapshot, saying it is also a volume candidate", () => {
    const { lv, all: report } = variant("fx-d810-thinsnap", { tags: [] });
    expect(assessSnapshot(lv, report)).toEqual({ problems: [], notes: ["a thin snapshot: also listed as a volume; adopt it as one or the other"] });
  });

  it("refuses an LV without an origin", () => {
    expect(assessSnapshot(row("fx-d810-thick"), all).problems).toEqual([
      { code: "wrongKind", reason: "not a snapshot (it has no origin): adopt it as a volume" },
    ]);
  });

  it("refuses a thick snapshot whose copy-on-write area is smaller than its origin, saying how to grow it", () => {
    const { lv, all: report } = variant("fx-d810-tsnap", { sizeBytes: 16 * 1024 * 1024 });
    expect(reasons(assessSnapshot(lv, report))).toBe(
      "its copy-on-write area (0.02 GiB) is smaller than its origin fx-d810-thick (0.06 GiB), so it fails once that much of the origin changes; grow it first (lvextend -L 67108864b cinder-volumes/fx-d810-tsnap)",
    );
  });

  it.each<[string, string, string]>([
    ["an invalid snapshot", "swi-I-s---", "an invalid snapshot: its copy-on-write area overflowed"],
    ["a snapshot merging into its origin", "Swi-a-s---", "being merged into its origin"],
    ["an open snapshot", "swi-aos---", "in use: its device is open"],
  ])("refuses %s", (_what, attr, reason) => {
    const { lv, all: report } = variant("fx-d810-tsnap", {}, attr);
    expect(reasons(assessSnapshot(lv, report))).toContain(reason);
  });
});
