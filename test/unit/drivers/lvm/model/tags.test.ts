import { InvalidInput } from "../../../../../drivers/interface/errors";
import { decodeTags, encodeTags, MARKER, type CinderblockTags } from "../../../../../drivers/lvm/model/tags";
import { capturedLvs, lvNamed } from "../../../../fakes/lvmFixtures";

/** The characters lvm(8) allows in a tag, and its length limit. */
const LVM_TAG = /^[A-Za-z0-9_+.\-/=!:&#]{1,1024}$/;

const TAGS: Array<[string, CinderblockTags]> = [
  ["a bare volume", { kind: "volume", uuid: "0d5c6a4e-91b2-4f7e-8c55-2b1f3e9a7d10", labels: {} }],
  ["a description with unicode and spaces", { kind: "volume", uuid: "u1", description: 'Ünïcödé ✓ — data for the team, 100% "quoted"\n', labels: {} }],
  ["a description of exactly 512 bytes", { kind: "volume", uuid: "u2", description: "é".repeat(256), labels: {} }],
  ["labels", { kind: "volume", uuid: "u3", labels: { env: "prod", "team.name": "storage_1", "a-b": "x+y:z/w-1.0", empty: "" } }],
  ["a volume cloned from a snapshot", { kind: "volume", uuid: "u4", labels: {}, source: "snapshot/_snapshot-1" }],
  ["a snapshot", { kind: "snapshot", uuid: "u5", description: "nightly", labels: {}, volume: "volume-1" }],
  ["a temporary LV", { kind: "temp", uuid: "tmp-u6", labels: {}, tempFor: "u6", volume: "volume-1" }],
  ["a label value of 200 characters", { kind: "volume", uuid: "u7", labels: { long: "v".repeat(200) } }],
];

describe("encodeTags and decodeTags", () => {
  it.each(TAGS)("round-trip %s", (_what, tags) => {
    expect(decodeTags(encodeTags(tags))).toEqual(tags);
  });

  it.each(TAGS)("encode %s as tags LVM accepts", (_what, tags) => {
    const encoded = encodeTags(tags);
    expect(encoded.filter((tag) => !LVM_TAG.test(tag))).toEqual([]);
    expect(encoded.slice(0, 3)).toEqual([MARKER, `cb.kind=${tags.kind}`, `cb.uuid=${tags.uuid}`]);
  });

  it("stores the description as unpadded base64url", () => {
    const [desc] = encodeTags({ kind: "volume", uuid: "u", description: "a?>~ ü", labels: {} }).filter((tag) => tag.startsWith("cb.desc="));
    expect(desc).toBe(`cb.desc=${Buffer.from("a?>~ ü").toString("base64url")}`);
    expect(desc).toMatch(/^cb\.desc=[A-Za-z0-9_-]+$/);
  });

  it("decodes the tags of the LV captured on the lab host", () => {
    expect(decodeTags(lvNamed(capturedLvs(), "fx-d810-thin").tags)).toEqual({
      kind: "volume",
      uuid: "0d5c6a4e-fxd810",
      description: "Fixture volume: ünïcode ✓ and spaces",
      labels: { env: "test", team: "storage" },
    });
    expect(decodeTags(lvNamed(capturedLvs(), "fx-d810-thinsnap").tags)).toEqual({
      kind: "snapshot",
      uuid: "7e1f-fxd810",
      labels: {},
      volume: "fx-d810-thin",
    });
  });

  it.each([
    ["no tags", []],
    ["an untagged LV from the lab host", lvNamed(capturedLvs(), "fx-d810-thick").tags],
    ["another tool's tags", ["owner=ops", "backup"]],
    ["cinderblock's tags without the marker", ["cb.kind=volume", "cb.uuid=u1"]],
    ["the marker alone", [MARKER]],
    ["an unknown kind", [MARKER, "cb.kind=disk", "cb.uuid=u1"]],
    ["no uuid", [MARKER, "cb.kind=volume"]],
    ["an empty uuid", [MARKER, "cb.kind=volume", "cb.uuid="]],
  ])("decode %s as not cinderblock's", (_what, tags) => {
    expect(decodeTags(tags)).toBeUndefined();
  });

  it.each([
    ["an upper-case label key", { Env: "x" }],
    ["a label key starting with '-'", { "-x": "x" }],
    ["an empty label key", { "": "x" }],
    ["a label key with a space", { "a b": "x" }],
    ["a label key of 64 characters", { ["k".repeat(64)]: "x" }],
    ["a label value with a space", { env: "a b" }],
    ["a label value with a comma", { env: "a,b" }],
    ["a label value with '='", { env: "a=b" }],
    ["a non-ASCII label value", { env: "prød" }],
    ["a label value of 201 characters", { env: "v".repeat(201) }],
  ])("reject %s as InvalidInput", (_what, labels) => {
    expect(() => encodeTags({ kind: "volume", uuid: "u1", labels })).toThrow(InvalidInput);
  });

  it.each(["", "-u", "u u", "u/1", "u".repeat(65)])("reject the uuid %p as InvalidInput", (uuid) => {
    expect(() => encodeTags({ kind: "volume", uuid, labels: {} })).toThrow(InvalidInput);
  });

  it("rejects a description over 512 bytes as InvalidInput", () => {
    expect(() => encodeTags({ kind: "volume", uuid: "u1", description: `${"é".repeat(256)}x`, labels: {} })).toThrow(InvalidInput);
  });
});
