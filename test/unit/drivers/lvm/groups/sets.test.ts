import { UUID_PATTERN } from "../../../../../drivers/interface/rules";
import {
  COMPLETE_TAG,
  derivedUuid,
  derivedVolumeName,
  incompleteSetLvs,
  memberSnapshotName,
  readSets,
  setTags,
  toGroupSnapshot,
} from "../../../../../drivers/lvm/groups/sets";
import { INCOMPLETE_TAG } from "../../../../../drivers/lvm/model/model";
import { checkVolumeName } from "../../../../../drivers/lvm/model/names";
import { parseLvs, type LvRow } from "../../../../../drivers/lvm/model/report";
import { encodeTags } from "../../../../../drivers/lvm/model/tags";

/** LVM's JSON report of snapshot LVs with the given tags (the wire shape lvs prints). */
function snapshots(rows: Array<{ name: string; origin: string; tags: string[]; time?: string }>): LvRow[] {
  const lv = rows.map((row) => ({
    lv_name: row.name,
    vg_name: "cinder-volumes",
    lv_uuid: `uuid-${row.name}`,
    lv_size: "1073741824",
    lv_attr: "Vwi---tz-k",
    lv_tags: row.tags.join(","),
    origin: row.origin,
    pool_lv: "cinder-volumes-pool",
    data_percent: "",
    metadata_percent: "",
    lv_time: row.time ?? "2026-11-25 12:32:21 +0000",
    lv_kernel_major: "-1",
    lv_kernel_minor: "-1",
  }));
  return parseLvs(JSON.stringify({ report: [{ lv }] }));
}

const set = { name: "nightly", uuid: "5e7a-set", groupName: "db" };
const member = (name: string, origin: string, ...extra: string[]) => ({
  name,
  origin,
  tags: [...encodeTags({ kind: "snapshot", uuid: `${name}-uuid`, labels: {}, volume: origin }), ...setTags(set), ...extra],
});

describe("group snapshot sets as tags on snapshot LVs", () => {
  it("reads a set whose members all carry the complete tag as complete, and lists nothing to recover", () => {
    const lvs = snapshots([member("s-a", "vol-a", COMPLETE_TAG), member("s-b", "vol-b", COMPLETE_TAG)]);
    const sets = readSets(lvs);
    expect([...sets.keys()]).toEqual(["nightly"]);
    expect(sets.get("nightly")).toMatchObject({ uuid: "5e7a-set", groupName: "db", complete: true });
    expect(sets.get("nightly")?.lvs.map((lv) => lv.name)).toEqual(["s-a", "s-b"]);
    expect(incompleteSetLvs(lvs)).toEqual([]);
  });

  it.each([
    ["a member still marked incomplete (taken, never completed)", [member("s-a", "vol-a", INCOMPLETE_TAG), member("s-b", "vol-b", INCOMPLETE_TAG)]],
    ["one member without the complete tag (a completion cut short)", [member("s-a", "vol-a", COMPLETE_TAG), member("s-b", "vol-b", INCOMPLETE_TAG)]],
    ["a member marked incomplete again (a delete cut short)", [member("s-a", "vol-a", COMPLETE_TAG, INCOMPLETE_TAG)]],
  ])("treats %s as incomplete: every member is for recovery to remove", (_case, rows) => {
    const lvs = snapshots(rows);
    expect(readSets(lvs).get("nightly")?.complete).toBe(false);
    expect(incompleteSetLvs(lvs).map((lv) => lv.name)).toEqual(rows.map((row) => row.name));
  });

  it("ignores LVs that are not cinderblock snapshots, even with a set tag", () => {
    const foreign = { name: "x", origin: "vol-a", tags: [...setTags(set)] };
    const volume = { name: "y", origin: "", tags: [...encodeTags({ kind: "volume", uuid: "u", labels: {} }), ...setTags(set)] };
    expect(readSets(snapshots([foreign, volume])).size).toBe(0);
  });

  it("keeps sets apart by name", () => {
    const other = {
      name: "s-c",
      origin: "vol-a",
      tags: [...encodeTags({ kind: "snapshot", uuid: "c", labels: {}, volume: "vol-a" }), ...setTags({ ...set, name: "hourly" })],
    };
    const sets = readSets(snapshots([member("s-a", "vol-a", COMPLETE_TAG), { ...other, tags: [...other.tags, INCOMPLETE_TAG] }]));
    expect(sets.get("nightly")?.complete).toBe(true);
    expect(sets.get("hourly")?.complete).toBe(false);
  });

  it("shows a complete set as a GroupSnapshot: ids from the host's place, snapshots sorted by volume, the earliest time", () => {
    const lvs = snapshots([
      { ...member("s-b", "vol-b", COMPLETE_TAG), time: "2026-11-25 12:32:22 +0000" },
      { ...member("s-a", "vol-a", COMPLETE_TAG), time: "2026-11-25 12:32:21 +0000" },
    ]);
    const shown = toGroupSnapshot({ backend: "lab", host: "lab-1", volumeGroup: "cinder-volumes" }, readSets(lvs).get("nightly")!);
    expect(shown).toMatchObject({
      id: "lab/lab-1/cinder-volumes/nightly",
      groupId: "lab/lab-1/cinder-volumes/db",
      uuid: "5e7a-set",
      createdAt: "2026-11-25T12:32:21.000Z",
    });
    expect(shown.snapshots.map((snapshot) => [snapshot.volumeId, snapshot.id])).toEqual([
      ["lab/lab-1/cinder-volumes/vol-a", "lab/lab-1/cinder-volumes/s-a"],
      ["lab/lab-1/cinder-volumes/vol-b", "lab/lab-1/cinder-volumes/s-b"],
    ]);
  });
});

describe("names and uuids derived for members", () => {
  const long = { name: "n".repeat(54), uuid: "0d5c6a4e-91b2-4f7e-8c55-2b1f3e9a7d10" };

  it("names a member's snapshot after its set, stably, within LVM's limits, distinct per volume and per set", () => {
    const name = memberSnapshotName(long, "volume-uuid-1");
    expect(name).toBe(memberSnapshotName(long, "volume-uuid-1"));
    expect(name).toMatch(/^n{45}-[0-9a-f]{8}$/);
    expect(() => checkVolumeName(name)).not.toThrow();
    expect(memberSnapshotName(long, "volume-uuid-2")).not.toBe(name);
    expect(memberSnapshotName({ ...long, uuid: "another-set" }, "volume-uuid-1")).not.toBe(name);
  });

  it("escapes a set name with LVM's reserved prefix, as for any snapshot", () => {
    expect(memberSnapshotName({ name: "snapshot-nightly", uuid: "u" }, "v")).toMatch(/^_snapshot-nightly-[0-9a-f]{8}$/);
  });

  it("derives member uuids from the parent's that pass the contract's uuid rule", () => {
    const uuid = derivedUuid("u".repeat(64), "member");
    expect(uuid).toMatch(UUID_PATTERN);
    expect(uuid).toHaveLength(64);
    expect(derivedUuid("set", "a")).not.toBe(derivedUuid("set", "b"));
    expect(derivedVolumeName("g".repeat(54), uuid)).toMatch(/^g{45}-[0-9a-f]{8}$/);
  });
});
