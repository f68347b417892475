import { parseLvAttr, type LvAttr } from "../../../../../drivers/lvm/model/lvAttr";
import { parseLvs } from "../../../../../drivers/lvm/model/report";
import { fixture } from "../../../../fakes/lvmFixtures";

/**
 * One row per attr string: first every string the lab host printed (test/fixtures/lvm), then
 * strings built from lvs(8) "The lv_attr bits are" (LVM 2.03.16) for states the lab did not show.
 */
const CAPTURED: Array<[string, string, LvAttr]> = [
  ["twi-aotz--", "thin pool, active and open", { volumeType: "thinPool", active: true, suspended: false, open: true, activationSkip: false, health: "ok" }],
  ["Twi-ao----", "thin pool data", { volumeType: "thinPoolData", active: true, suspended: false, open: true, activationSkip: false, health: "ok" }],
  ["ewi-ao----", "thin pool metadata", { volumeType: "thinPoolMetadata", active: true, suspended: false, open: true, activationSkip: false, health: "ok" }],
  [
    "ewi-------",
    "inactive pool metadata spare",
    { volumeType: "thinPoolMetadata", active: false, suspended: false, open: false, activationSkip: false, health: "ok" },
  ],
  ["Vwi-aotz--", "active thin volume held open", { volumeType: "thinVolume", active: true, suspended: false, open: true, activationSkip: false, health: "ok" }],
  ["Vwi---tz--", "inactive thin volume", { volumeType: "thinVolume", active: false, suspended: false, open: false, activationSkip: false, health: "ok" }],
  [
    "Vwi---tz-k",
    "thin snapshot with activation skip",
    { volumeType: "thinVolume", active: false, suspended: false, open: false, activationSkip: true, health: "ok" },
  ],
  ["owi-a-s---", "thick origin", { volumeType: "origin", active: true, suspended: false, open: false, activationSkip: false, health: "ok" }],
  ["owi-aos---", "thick origin held open", { volumeType: "origin", active: true, suspended: false, open: true, activationSkip: false, health: "ok" }],
  ["swi-a-s---", "thick snapshot", { volumeType: "snapshot", active: true, suspended: false, open: false, activationSkip: false, health: "ok" }],
  ["Vwi-sotz--", "suspended thin volume", { volumeType: "thinVolume", active: true, suspended: true, open: true, activationSkip: false, health: "ok" }],
];

const DOCUMENTED: Array<[string, string, Partial<LvAttr>]> = [
  ["-wi-a-----", "plain linear LV", { volumeType: "normal", active: true, open: false }],
  ["-wi-------", "inactive linear LV", { volumeType: "normal", active: false }],
  ["-wi-ao----", "open linear LV", { open: true }],
  ["-wi-XX--X-", "LV in an unknown state", { active: false, open: false, health: "unknown" }],
  ["Owi-a-s---", "origin with a merging snapshot", { volumeType: "origin" }],
  ["swi-S-s---", "invalid suspended snapshot", { volumeType: "snapshot", suspended: true }],
  ["twi-aotzD-", "thin pool out of data space", { volumeType: "thinPool", health: "outOfData" }],
  ["twi-aotzM-", "thin pool with read-only metadata", { health: "metadataReadOnly" }],
  ["twi-aotzF-", "failed thin pool", { health: "failed" }],
  ["-wi-a---p-", "partial LV (a PV is missing)", { health: "partial" }],
  ["rwi-aor-r-", "raid LV that needs a refresh", { volumeType: "raid", health: "refreshNeeded" }],
  ["rwi-aor-m-", "raid LV with mismatches", { health: "mismatches" }],
  ["iwi-aor-w-", "write-mostly raid image", { volumeType: "internal", health: "writemostly" }],
  ["mwi-a-m---", "mirror", { volumeType: "mirror" }],
  ["lwi-aom---", "mirror log", { volumeType: "internal" }],
  ["pwi-ao----", "pvmove", { volumeType: "pvmove" }],
  ["vwi-a-v---", "virtual LV", { volumeType: "virtual" }],
  ["Cwi-a-C---", "cache LV", { volumeType: "other" }],
  ["Vwi-a-tz--", "thin volume, active, not open", { volumeType: "thinVolume", active: true, open: false }],
];

describe("parseLvAttr", () => {
  it.each(CAPTURED)("decodes %p (%s, captured)", (attr, _what, expected) => {
    expect(parseLvAttr(attr)).toEqual(expected);
  });

  it.each(DOCUMENTED)("decodes %p (%s, per lvs(8))", (attr, _what, expected) => {
    expect(parseLvAttr(attr)).toMatchObject(expected);
  });

  it("has a row for every attr string in the captured reports", () => {
    const reports = ["lvs-all.json", "lvs-open.json", "lvs-suspended.json"];
    const seen = new Set(reports.flatMap((name) => parseLvs(fixture(name)).map((row) => row.rawAttr)));
    expect([...seen].filter((attr) => !CAPTURED.some(([row]) => row === attr))).toEqual([]);
  });

  it("reads missing columns of a short attr string as '-'", () => {
    expect(parseLvAttr("")).toEqual({ volumeType: "normal", active: false, suspended: false, open: false, activationSkip: false, health: "ok" });
    expect(parseLvAttr("V")).toMatchObject({ volumeType: "thinVolume", active: false });
  });

  it("decodes 'Swi-a-s---' (merging snapshot, per lvs(8)) as a snapshot, not an invalid one", () => {
    expect(parseLvAttr("Swi-a-s---").volumeType).toBe("snapshot");
  });

  it.each([
    ["swi-M-s---", "suspended snapshot whose merge failed"],
    ["twi-Cotz--", "suspended thin pool that needs a check"],
  ])("reads %p (%s, per lvs(8)) as suspended", (attr) => {
    expect(parseLvAttr(attr).suspended).toBe(true);
  });
});
