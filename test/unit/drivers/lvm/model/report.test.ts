import { VolumeBackendAPIException } from "../../../../../drivers/interface/errors";
import { parseLvs, parseLvTime, parseVgs } from "../../../../../drivers/lvm/model/report";
import { capturedLvs, capturedVg, fixture, lvNamed } from "../../../../fakes/lvmFixtures";

const lvs = capturedLvs();
const lv = (kind: string) => lvNamed(lvs, kind === "pool" ? "cinder-volumes-pool" : `fx-d810-${kind}`);

/** The captured lvs report with one field of its first row replaced. */
function withField(field: string, value: string | undefined): string {
  const report = JSON.parse(fixture("lvs.json")) as { report: Array<{ lv: Array<Record<string, string | undefined>> }> };
  const row = report.report[0]?.lv[0];
  if (!row) throw new Error("lvs.json has no rows");
  row[field] = value;
  return JSON.stringify(report);
}

describe("parseLvs on a captured lvs report", () => {
  it("returns one row per visible LV, in LVM's order", () => {
    expect(lvs.map((row) => row.name)).toEqual([
      "cinder-volumes-pool",
      "fx-d810-inactive",
      "fx-d810-thick",
      "fx-d810-thin",
      "fx-d810-thinsnap",
      "fx-d810-tsnap",
    ]);
    expect(lvs.every((row) => row.vg === "cinder-volumes")).toBe(true);
  });

  it("gives every size as a whole number of bytes", () => {
    for (const row of lvs) expect(Number.isSafeInteger(row.sizeBytes)).toBe(true);
    expect(lv("pool").sizeBytes).toBe(17_142_120_448);
    expect(lv("thin").sizeBytes).toBe(64 * 1024 * 1024);
    expect(lv("inactive").sizeBytes).toBe(32 * 1024 * 1024);
  });

  it("splits lv_tags on commas", () => {
    expect(lv("thin").tags).toEqual([
      "cb.desc=Rml4dHVyZSB2b2x1bWU6IMO8bsOvY29kZSDinJMgYW5kIHNwYWNlcw",
      "cb.kind=volume",
      "cb.label.env=test",
      "cb.label.team=storage",
      "cb.uuid=0d5c6a4e-fxd810",
      "cinderblock",
    ]);
  });

  it("gives an untagged LV no tags at all, not one empty tag", () => {
    expect(lv("thick").tags).toEqual([]);
    expect(lv("pool").tags).toEqual([]);
  });

  it("leaves the device of an inactive LV undefined (LVM reports -1:-1)", () => {
    expect(lv("inactive").device).toBeUndefined();
    expect(lv("thinsnap").device).toBeUndefined();
  });

  it("gives an active LV its kernel device number", () => {
    expect(lv("thin").device).toEqual({ major: 253, minor: 4 });
    expect(lv("tsnap").device).toEqual({ major: 253, minor: 8 });
  });

  it("sets the pool of thin volumes and thin snapshots and of no thick LV", () => {
    expect(lvs.filter((row) => row.pool !== undefined).map((row) => row.name)).toEqual(["fx-d810-inactive", "fx-d810-thin", "fx-d810-thinsnap"]);
    expect(lv("thin").pool).toBe("cinder-volumes-pool");
  });

  it("sets the origin of thin and thick snapshots, and leaves it undefined elsewhere", () => {
    expect(lv("thinsnap").origin).toBe("fx-d810-thin");
    expect(lv("tsnap").origin).toBe("fx-d810-thick");
    expect(lv("thick").origin).toBeUndefined();
  });

  it("reads percentages as numbers and leaves empty ones undefined", () => {
    expect(lv("pool")).toMatchObject({ dataPercent: 0.1, metadataPercent: 10.69 });
    expect(lv("thin")).toMatchObject({ dataPercent: 25, metadataPercent: undefined });
    expect(lv("inactive").dataPercent).toBeUndefined();
  });

  it("turns lv_time into an ISO 8601 string", () => {
    expect(lv("thin").createdAt).toBe("2026-11-25T12:32:16.000Z");
    expect(lv("pool").createdAt).toBe("2026-11-25T12:25:52.000Z");
  });

  it("keeps the raw lv_attr next to its decoded form", () => {
    expect(lv("thinsnap").rawAttr).toBe("Vwi---tz-k");
    expect(lv("thinsnap").attr).toMatchObject({ volumeType: "thinVolume", active: false, activationSkip: true });
  });

  it("reads the hidden LVs of lvs -a under their bracketed names", () => {
    const all = parseLvs(fixture("lvs-all.json"));
    expect(all).toHaveLength(9);
    expect(lvNamed(all, "[cinder-volumes-pool_tdata]").attr.volumeType).toBe("thinPoolData");
    expect(lvNamed(all, "[lvol0_pmspare]").device).toBeUndefined();
  });

  it("reads the empty report LVM prints for a missing LV as no rows", () => {
    expect(parseLvs(fixture("lvs-notfound.json"))).toEqual([]);
  });
});

describe("parseLvs on malformed input", () => {
  it.each([
    ["lv_size", "1.5"],
    ["lv_size", ""],
    ["lv_size", "64m"],
    ["lv_size", "-"],
    ["lv_size", "99999999999999999999"],
    ["lv_size", undefined],
  ])("throws VolumeBackendAPIException when %s is %p", (field, value) => {
    expect(() => parseLvs(withField(field, value))).toThrow(VolumeBackendAPIException);
    expect(() => parseLvs(withField(field, value))).toThrow(/lv_size=.*not a whole number/);
  });

  it.each([
    ["text that is not JSON", '  Volume group "cinder-volumes" not found\n'],
    ["truncated JSON", fixture("lvs.json").slice(0, 100)],
    ["JSON without a report array", '{"lv": []}'],
    ["a JSON number", "5"],
  ])("throws VolumeBackendAPIException for %s", (_what, text) => {
    expect(() => parseLvs(text)).toThrow(VolumeBackendAPIException);
  });

  it.each([
    ["JSON null", "null"],
    ["a report array holding null", '{"report": [null]}'],
  ])("throws VolumeBackendAPIException for %s", (_what, text) => {
    expect(() => parseLvs(text)).toThrow(VolumeBackendAPIException);
  });

  it("keeps the JSON syntax error as the cause", () => {
    const error = (() => {
      try {
        parseLvs("not json");
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(VolumeBackendAPIException);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe("parseLvTime", () => {
  it.each([
    ["2026-11-25 12:32:16 +0000", "2026-11-25T12:32:16.000Z"],
    ["2026-11-25 12:00:00 +0130", "2026-11-25T10:30:00.000Z"],
    ["2026-01-01 00:30:00 -0500", "2026-01-01T05:30:00.000Z"],
    ["1796464805", "2026-12-05T10:00:05.000Z"],
  ])("turns %p into %p", (value, iso) => {
    expect(parseLvTime(value)).toBe(iso);
  });

  it("returns a value in an unknown format unchanged", () => {
    expect(parseLvTime("Wed Nov 25 12:32:16 2026")).toBe("Wed Nov 25 12:32:16 2026");
  });
});

describe("parseVgs on a captured vgs report", () => {
  it("gives the VG's sizes as whole numbers of bytes and its LV count", () => {
    expect(capturedVg()).toEqual({
      name: "cinder-volumes",
      uuid: "XLLHmu-SdYP-2X73-UhE3-Qawo-MslD-IShIhd",
      sizeBytes: 21_470_642_176,
      freeBytes: 4_160_749_568,
      extentBytes: 4 * 1024 * 1024,
      lvCount: 6,
    });
  });

  it("reads the empty report LVM prints for a missing VG as no rows", () => {
    expect(parseVgs(fixture("vgs-notfound.json"))).toEqual([]);
  });

  it.each([
    ["vg_free", "1.5"],
    ["vg_size", ""],
    ["lv_count", "six"],
  ])("throws VolumeBackendAPIException when %s is %p", (field, value) => {
    const report = JSON.parse(fixture("vgs.json")) as { report: Array<{ vg: Array<Record<string, string>> }> };
    const row = report.report[0]?.vg[0];
    if (!row) throw new Error("vgs.json has no rows");
    row[field] = value;
    expect(() => parseVgs(JSON.stringify(report))).toThrow(VolumeBackendAPIException);
  });

  it("throws VolumeBackendAPIException for output that is not JSON", () => {
    expect(() => parseVgs("")).toThrow(VolumeBackendAPIException);
  });
});
