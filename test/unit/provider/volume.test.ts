import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { providers } from "../../../provider";
import { useTestBackends } from "../../fixtures/provider/backends";

useTestBackends();

const { check, diff } = providers.Volume;

/** Inputs as the SDK sends them (uuid and default name filled in, the serialized provider alongside). */
const news = {
  backend: "lab",
  name: "data-0123abcd",
  sizeGb: 2,
  uuid: "0123abcd-0000-5000-8000-000000000000",
  __provider: "exports.handler = ...",
};

/** Outputs as stored after create. */
const olds = {
  backend: "lab",
  name: "data-0123abcd",
  sizeGb: 2,
  thin: true,
  host: "lab-1",
  labels: {},
  uuid: "0123abcd-0000-5000-8000-000000000000",
  volumeGroup: "cinder-volumes",
  lvName: "data-0123abcd",
  devicePath: "/dev/mapper/cbgate-cinder--volumes-data--0123abcd",
  sizeBytes: 2 * 2 ** 30,
  createdAt: "2026-01-01T00:00:00Z",
};

const snapshotId = "lab/lab-1/cinder-volumes/snap-1";

describe("Volume check", () => {
  it("accepts valid inputs and returns them without the serialized provider", async () => {
    const result = await check!({}, { ...news, thin: false, labels: { tier: "gold" }, description: "for tests" });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...news, __provider: undefined, thin: false, labels: { tier: "gold" }, description: "for tests" });
    expect(result.inputs).not.toHaveProperty("__provider");
  });

  it.each<[string, Record<string, unknown>, { property: string; reason: RegExp }]>([
    ["a missing backend", { backend: undefined }, { property: "backend", reason: /is required/ }],
    ["a missing size", { sizeGb: undefined }, { property: "sizeGb", reason: /is required/ }],
    ["a size of 0", { sizeGb: 0 }, { property: "sizeGb", reason: /at least 1 GiB/ }],
    ["a fractional size", { sizeGb: 1.5 }, { property: "sizeGb", reason: /whole number of GiB/ }],
    ["a size given as text", { sizeGb: "2" }, { property: "sizeGb", reason: /must be a number/ }],
    ["thin given as text", { thin: "yes" }, { property: "thin", reason: /must be a boolean/ }],
    ["a name with a space", { name: "my data" }, { property: "name", reason: /letters, digits/ }],
    ["a name starting with a dash", { name: "-data" }, { property: "name", reason: /starting with a letter or digit/ }],
    ["a 55-character name", { name: "n".repeat(55) }, { property: "name", reason: /1 to 54/ }],
    ["an upper-case label key", { labels: { Tier: "gold" } }, { property: "labels.Tier", reason: /label keys/ }],
    ["a label value with a space", { labels: { tier: "very gold" } }, { property: "labels.tier", reason: /label values/ }],
    ["a 513-byte description", { description: "é".repeat(257) }, { property: "description", reason: /at most 512 bytes/ }],
    ["a malformed source id", { sourceSnapshotId: "snap-1" }, { property: "sourceSnapshotId", reason: /backend\/host\/volume-group\/lv/ }],
    ["a source on another backend", { sourceVolumeId: "other/h/vg/lv" }, { property: "sourceVolumeId", reason: /must be on backend 'lab'/ }],
    ["both sources", { sourceSnapshotId: snapshotId, sourceVolumeId: "lab/lab-1/cinder-volumes/v" }, { property: "sourceVolumeId", reason: /not both/ }],
    ["a misspelt property", { sizeGB: 2 }, { property: "sizeGB", reason: /is not an input/ }],
    ["a missing uuid, with no seed to derive one from", { uuid: undefined }, { property: "uuid", reason: /is required/ }],
  ])("refuses %s with one failure naming the property", async (_case, change, expected) => {
    const result = await check!({}, { ...news, ...change });
    expect(result.failures).toEqual([{ property: expected.property, reason: expect.stringMatching(expected.reason) }]);
  });

  it("never echoes the offending value", async () => {
    const secretish = "hunter2 is my password";
    const result = await check!({}, { ...news, name: secretish, description: 7, labels: { k: secretish } });
    expect(result.failures).toHaveLength(3);
    expect(JSON.stringify(result.failures)).not.toContain("hunter2");
  });

  it("refuses to shrink, saying what the size must be and what to do instead", async () => {
    const result = await check!({ ...news, sizeGb: 3 }, news);
    expect(result.failures).toEqual([{ property: "sizeGb", reason: expect.stringMatching(/cannot shrink.*is 3 GiB.*at least 3.*create a new one/) }]);
  });

  it("allows a smaller size when the volume is replaced anyway", async () => {
    expect((await check!({ ...news, sizeGb: 3, name: "old-name" }, news)).failures).toEqual([]);
  });

  it("lets unknown values through during preview, validating the known ones", async () => {
    const preview = { ...news, sizeGb: unknownValue, sourceSnapshotId: unknownValue };
    const result = await check!({}, preview);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual(preview);
    expect((await check!({}, { ...preview, name: "bad name" })).failures).toEqual([{ property: "name", reason: expect.any(String) }]);
  });

  it("skips a cross-field rule whose other field is unknown", async () => {
    const result = await check!({}, { ...news, backend: unknownValue, sourceSnapshotId: snapshotId });
    expect(result.failures).toEqual([]);
  });

  it("tolerates unknown labels and an unknown old size", async () => {
    expect((await check!({ ...news, sizeGb: unknownValue }, { ...news, labels: unknownValue })).failures).toEqual([]);
  });
});

describe("Volume diff", () => {
  it("reports no changes for the inputs the volume was created from", async () => {
    expect(await diff!("id", olds, news)).toEqual({ changes: false });
  });

  it.each<[string, Record<string, unknown>]>([
    ["a larger size (extend)", { sizeGb: 3 }],
    ["a new description", { description: "now described" }],
    ["new labels", { labels: { tier: "gold" } }],
    ["an unknown size", { sizeGb: unknownValue }],
    ["unknown labels", { labels: unknownValue }],
  ])("updates in place for %s", async (_case, change) => {
    expect(await diff!("id", olds, { ...news, ...change })).toEqual({ changes: true });
  });

  it.each([
    ["backend", "other"],
    ["name", "renamed"],
    ["thin", false],
    ["host", "lab-2"],
    ["sourceSnapshotId", snapshotId],
    ["sourceVolumeId", "lab/lab-1/cinder-volumes/v"],
    ["uuid", "ffffffff-0000-5000-8000-000000000000"],
  ])("replaces when %s changes, deleting first when the inputs carry no seed (the native check derives the old uuid again)", async (key, value) => {
    expect(await diff!("id", olds, { ...news, [key]: value })).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
  });

  it("replaces when a replacing input is still unknown", async () => {
    expect(await diff!("id", { ...olds, sourceSnapshotId: snapshotId }, { ...news, sourceSnapshotId: unknownValue })).toMatchObject({
      replaces: ["sourceSnapshotId"],
    });
  });

  it("replaces when the source is removed", async () => {
    expect(await diff!("id", { ...olds, sourceSnapshotId: snapshotId }, news)).toMatchObject({ replaces: ["sourceSnapshotId"] });
  });

  it("accepts the backend's choice of thin and host when they are left unset", async () => {
    expect(await diff!("id", olds, { ...news, thin: true, host: "lab-1" })).toEqual({ changes: false });
  });

  it("treats no labels as empty labels and an empty description as none", async () => {
    expect(await diff!("id", olds, { ...news, labels: {}, description: "" })).toEqual({ changes: false });
  });

  it("is pure: the same question gets the same answer and changes nothing", async () => {
    const before = JSON.stringify([olds, news]);
    expect(await diff!("id", olds, { ...news, sizeGb: 5 })).toEqual(await diff!("id", olds, { ...news, sizeGb: 5 }));
    expect(JSON.stringify([olds, news])).toBe(before);
  });
});
