import { InvalidInput } from "../../../../../drivers/interface/errors";
import {
  checkDeviceNames,
  checkLvName,
  checkVgName,
  checkVolumeName,
  cowMapperPath,
  escapeLvName,
  gateName,
  gatePath,
  lvMapperPath,
  MAX_LV_NAME,
  unescapeLvName,
} from "../../../../../drivers/lvm/model/names";
import { fixture } from "../../../../fakes/lvmFixtures";

/** mulberry32: a small seeded generator, so every run checks the same names. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = "abcxyzABCXYZ0189+_.";
const REST = `${FIRST}-`;
const PREFIXES = ["", "", "snapshot", "pvmove", "volume-", "snap", "_", "pv"];
const LVM_RESERVED = [
  "_cdata",
  "_cmeta",
  "_corig",
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

/**
 * Valid user-facing names of every length, many starting with a reserved prefix. Names that
 * start with `_snapshot`/`_pvmove` are left out here: they are the known collision tested below.
 */
function generatedNames(count: number): string[] {
  const next = random(20261125);
  const pick = (chars: string): string => chars[Math.floor(next() * chars.length)] ?? "a";
  const names = new Set<string>();
  while (names.size < count) {
    const prefix = PREFIXES[Math.floor(next() * PREFIXES.length)] ?? "";
    const length = 1 + Math.floor(next() * (MAX_LV_NAME - 1));
    let name = prefix || pick(FIRST);
    while (name.length < length) name += pick(REST);
    name = name.slice(0, MAX_LV_NAME - 1);
    const reserved = LVM_RESERVED.some((part) => name.includes(part)) || /^_(snapshot|pvmove)/.test(name);
    if (!reserved && name !== "." && name !== "..") names.add(name);
  }
  return [...names];
}

const NAMES = generatedNames(2000);

describe("escapeLvName and unescapeLvName", () => {
  it("round-trip every generated name", () => {
    expect(NAMES.filter((name) => /^(snapshot|pvmove)/.test(name)).length).toBeGreaterThan(200);
    const broken = NAMES.filter((name) => unescapeLvName(escapeLvName(name)) !== name);
    expect(broken).toEqual([]);
  });

  it("map distinct names to distinct LV names", () => {
    expect(new Set(NAMES.map(escapeLvName)).size).toBe(NAMES.length);
  });

  it("produce LV names LVM accepts, at most MAX_LV_NAME long", () => {
    for (const name of NAMES) {
      const lvName = escapeLvName(name);
      expect(() => checkLvName(lvName)).not.toThrow();
      expect(lvName.length).toBeLessThanOrEqual(MAX_LV_NAME);
      expect(/^(snapshot|pvmove)/.test(lvName)).toBe(false);
    }
  });

  it.each([
    ["snapshot", "_snapshot"],
    ["snapshot-0d5c6a4e", "_snapshot-0d5c6a4e"],
    ["snapshots", "_snapshots"],
    ["pvmove", "_pvmove"],
    ["pvmove0", "_pvmove0"],
    ["volume-0d5c6a4e", "volume-0d5c6a4e"],
    ["my-snapshot", "my-snapshot"],
    ["Snapshot", "Snapshot"],
    ["_under", "_under"],
  ])("stores %p as LV %p", (name, lvName) => {
    expect(escapeLvName(name)).toBe(lvName);
    expect(unescapeLvName(lvName)).toBe(name);
  });

  it.each(LVM_RESERVED)("rejects a name containing LVM's reserved %p", (part) => {
    expect(() => escapeLvName(`vol${part}1`)).toThrow(InvalidInput);
    expect(() => escapeLvName(`vol${part}1`)).toThrow(/reserves/);
  });

  it.each([
    ["the empty name", ""],
    [". alone", "."],
    [".. alone", ".."],
    ["a leading dash", "-vol"],
    ["a space", "my vol"],
    ["a slash", "vg/lv"],
    ["a semicolon", "vol;reboot"],
    ["a command substitution", "$(reboot)"],
    ["a quote", "it's"],
    ["a newline", "vol\nx"],
    ["a non-ASCII letter", "volümé"],
    ["more than MAX_LV_NAME - 1 characters", "v".repeat(MAX_LV_NAME)],
  ])("rejects a name with %s as InvalidInput", (_what, name) => {
    expect(() => escapeLvName(name)).toThrow(InvalidInput);
    expect(() => checkVolumeName(name)).toThrow(InvalidInput);
  });

  it("accepts a name of exactly MAX_LV_NAME - 1 characters, which escaping can still prefix", () => {
    expect(escapeLvName(`snapshot${"x".repeat(MAX_LV_NAME - 9)}`)).toHaveLength(MAX_LV_NAME);
  });

  it.each(["_snapshot-1", "_pvmove"])("round-trips the user name %p or rejects it", (name) => {
    let lvName: string;
    try {
      lvName = escapeLvName(name);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInput);
      return;
    }
    expect(unescapeLvName(lvName)).toBe(name);
  });
});

describe("checkVgName and checkLvName", () => {
  it.each(["cinder-volumes", "vg0", "a+b_c.d", "x".repeat(32)])("accept the volume group name %p", (name) => {
    expect(() => checkVgName(name)).not.toThrow();
  });

  it.each(["", "-vg", "vg 1", "vg/1", "..", "x".repeat(33)])("reject the volume group name %p", (name) => {
    expect(() => checkVgName(name)).toThrow(InvalidInput);
  });

  it("print a control character in a rejected name as '?'", () => {
    expect(() => checkLvName("bad\u0007name")).toThrow("'bad?name'");
  });
});

/** Every string over {a, -} of length 1..5 that does not start with '-': the worst case for dash mangling. */
const DASHY = Array.from({ length: 5 }, (_, i) => i + 1)
  .flatMap((length) => Array.from({ length: 2 ** length }, (_, bits) => Array.from({ length }, (_, i) => ((bits >> i) & 1 ? "-" : "a")).join("")))
  .filter((name) => !name.startsWith("-"));

describe("device-mapper names", () => {
  it("double every dash, as LVM does", () => {
    expect(lvMapperPath("cinder-volumes", "volume-1")).toBe("/dev/mapper/cinder--volumes-volume--1");
    expect(cowMapperPath("cinder-volumes", "snap-1")).toBe("/dev/mapper/cinder--volumes-snap--1-cow");
    expect(gateName("cinder-volumes", "volume-1")).toBe("cbgate-cinder--volumes-volume--1");
    expect(gatePath("cinder-volumes", "volume-1")).toBe("/dev/mapper/cbgate-cinder--volumes-volume--1");
  });

  it("match the device names LVM itself made on the lab host", () => {
    const devices = new Set(
      fixture("dmsetup-table.txt")
        .split("\n")
        .map((line) => line.split(":")[0]),
    );
    for (const lv of ["fx-d810-thin", "fx-d810-thick", "fx-d810-tsnap"]) {
      expect(devices).toContain(lvMapperPath("cinder-volumes", lv).slice("/dev/mapper/".length));
    }
    expect(devices).toContain(cowMapperPath("cinder-volumes", "fx-d810-tsnap").slice("/dev/mapper/".length));
    expect(devices).toContain(gateName("cinder-volumes", "fx-d810-thin"));
  });

  it("refuse, before anything is made, a name whose gate would pass device-mapper's 127 characters once its dashes are doubled", () => {
    const dashy = `a${"-".repeat(52)}b`; // 54 characters: a valid LV name.
    expect(() => checkVolumeName(dashy)).not.toThrow();
    expect(() => checkDeviceNames("cinder-volumes", dashy)).toThrow(InvalidInput);
    expect(() => checkDeviceNames("cinder-volumes", dashy)).toThrow(
      /name 'a-+b' is too long for its device names on volume group cinder-volumes: device-mapper doubles each of its 52 '-', so its gate would be named with 129 characters \(at most 127\); use fewer dashes or a shorter name/,
    );
    // cbgate- (7) + cinder--volumes (15) + '-' (1) leave 104 for the LV: 54 characters hold at most 50 dashes.
    const withDashes = (dashes: number): string => `a${"-".repeat(dashes)}${"b".repeat(53 - dashes)}`;
    expect(() => checkDeviceNames("cinder-volumes", withDashes(50))).not.toThrow();
    expect(() => checkDeviceNames("cinder-volumes", withDashes(51))).toThrow(InvalidInput);
    expect(() => checkDeviceNames("cinder-volumes", "a".repeat(54))).not.toThrow();
  });

  it("keep ('a-b', 'c') and ('a', 'b-c') apart", () => {
    expect(gateName("a-b", "c")).not.toBe(gateName("a", "b-c"));
    expect(lvMapperPath("a-b", "c")).not.toBe(lvMapperPath("a", "b-c"));
  });

  it("never collide for any two (vg, lv) pairs over dashes and letters", () => {
    const pairs = DASHY.flatMap((vg) => DASHY.map((lv) => [vg, lv] as const));
    expect(pairs).toHaveLength(31 * 31);
    expect(new Set(pairs.map(([vg, lv]) => gateName(vg, lv))).size).toBe(pairs.length);
    expect(new Set(pairs.map(([vg, lv]) => lvMapperPath(vg, lv))).size).toBe(pairs.length);
  });
});
