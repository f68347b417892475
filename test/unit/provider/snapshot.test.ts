import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { providers } from "../../../provider";

const { check, diff } = providers.Snapshot;

const news = {
  volumeId: "lab/lab-1/cinder-volumes/data-0123abcd",
  name: "snap-4567cdef",
  uuid: "4567cdef-0000-5000-8000-000000000000",
  __provider: "exports.handler = ...",
};

const olds = {
  volumeId: "lab/lab-1/cinder-volumes/data-0123abcd",
  name: "snap-4567cdef",
  uuid: "4567cdef-0000-5000-8000-000000000000",
  sizeGb: 2,
  sourceVolumeId: "lab/lab-1/cinder-volumes/data-0123abcd",
  host: "lab-1",
  volumeGroup: "cinder-volumes",
  lvName: "snap-4567cdef",
  createdAt: "2026-01-01T00:00:00Z",
};

describe("Snapshot check", () => {
  it("accepts valid inputs and returns them without the serialized provider", async () => {
    const result = await check!({}, { ...news, description: "before the upgrade" });
    expect(result).toEqual({ inputs: { volumeId: news.volumeId, name: news.name, uuid: news.uuid, description: "before the upgrade" }, failures: [] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a missing volume id", { volumeId: undefined }, "volumeId"],
    ["a volume id that is not an id", { volumeId: "data" }, "volumeId"],
    ["a bad name", { name: "snap shot" }, "name"],
    ["a size (snapshots take their volume's)", { sizeGb: 3 }, "sizeGb"],
  ])("refuses %s", async (_case, change, property) => {
    expect((await check!({}, { ...news, ...change })).failures).toEqual([{ property, reason: expect.any(String) }]);
  });

  it("lets an unknown volume id through during preview", async () => {
    const result = await check!({}, { ...news, volumeId: unknownValue });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ volumeId: unknownValue });
  });
});

describe("Snapshot diff", () => {
  it("reports no changes for the inputs the snapshot was taken with", async () => {
    expect(await diff!("id", olds, news)).toEqual({ changes: false });
  });

  it.each([
    ["volumeId", "lab/lab-1/cinder-volumes/other"],
    ["name", "renamed"],
    ["description", "now described"],
    ["uuid", "ffffffff-0000-5000-8000-000000000000"],
    ["volumeId", unknownValue],
  ])("replaces, deleting first, when %s changes to %p", async (key, value) => {
    expect(await diff!("id", olds, { ...news, [key]: value })).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
  });
});

describe("Snapshot handlers", () => {
  it("have no update: every change replaces a snapshot", () => {
    expect(providers.Snapshot).not.toHaveProperty("update");
  });
});
