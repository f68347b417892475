import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { providers } from "../../../provider";
import { useTestBackends } from "../../fixtures/provider/backends";

useTestBackends();

const group = providers.ConsistencyGroup;
const set = providers.GroupSnapshot;
const V = (lv: string, host = "lab-1") => `lab/${host}/cinder-volumes/${lv}`;

const news = {
  backend: "lab",
  name: "db-0123abcd",
  volumeIds: [V("data"), V("log")],
  uuid: "0123abcd-0000-5000-8000-000000000000",
  __provider: "exports.handler = ...",
};
const olds = {
  backend: "lab",
  name: "db-0123abcd",
  volumeIds: [V("data"), V("log")],
  uuid: "0123abcd-0000-5000-8000-000000000000",
  host: "lab-1",
  volumeGroup: "cinder-volumes",
  members: [V("data"), V("log")],
};

describe("ConsistencyGroup check", () => {
  it("accepts members on one host of the backend, and returns them without the serialized provider", async () => {
    const { __provider: _provider, ...inputs } = news;
    expect(await group.check({}, news)).toEqual({ inputs, failures: [] });
    expect((await group.check({}, { ...news, volumeIds: undefined, sourceGroupSnapshotId: V("nightly") })).failures).toEqual([]);
    expect((await group.check({}, { ...news, volumeIds: undefined, sourceGroupId: V("other-group") })).failures).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["members on two hosts", { volumeIds: [V("data"), V("log", "lab-2")] }, "volumeIds"],
    ["no members", { volumeIds: [] }, "volumeIds"],
    ["a member that is not a volume id", { volumeIds: ["data"] }, "volumeIds.0"],
    ["a member of another backend", { volumeIds: ["other/lab-1/cinder-volumes/data"] }, "backend"],
    ["members and a source", { sourceGroupSnapshotId: V("nightly") }, "sourceGroupSnapshotId"],
    ["neither members nor a source", { volumeIds: undefined }, "volumeIds"],
    ["a bad name", { name: "db group" }, "name"],
  ])("refuses %s", async (_case, change, property) => {
    expect((await group.check({}, { ...news, ...change })).failures).toEqual([{ property, reason: expect.any(String) }]);
  });

  it("says why members on two hosts cannot be a group", async () => {
    const [failure] = (await group.check({}, { ...news, volumeIds: [V("data"), V("log", "lab-2")] })).failures ?? [];
    expect(failure?.reason).toMatch(/must all be on one host .*lab-1, lab-2.*device-mapper/);
  });

  it("lets unknown member ids through during preview", async () => {
    const result = await group.check({}, { ...news, volumeIds: [V("data"), unknownValue] });
    expect(result.failures).toEqual([]);
  });
});

describe("ConsistencyGroup diff", () => {
  it("reports no change for the same members in another order", async () => {
    expect(await group.diff("id", olds, { ...news, volumeIds: [V("log"), V("data")] })).toEqual({ changes: false });
  });

  it("updates in place when members change", async () => {
    expect(await group.diff("id", olds, { ...news, volumeIds: [V("data"), V("log"), V("index")] })).toEqual({ changes: true });
    expect(await group.diff("id", olds, { ...news, volumeIds: [V("data")] })).toEqual({ changes: true });
    expect(await group.diff("id", olds, { ...news, volumeIds: unknownValue })).toEqual({ changes: true });
  });

  it.each([
    ["backend", "other"],
    ["name", "renamed"],
    ["uuid", "ffffffff-0000-5000-8000-000000000000"],
    ["sourceGroupSnapshotId", V("nightly")],
  ])("replaces, deleting first, when %s changes", async (key, value) => {
    expect(await group.diff("id", olds, { ...news, [key]: value })).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: true });
  });
});

describe("GroupSnapshot check and diff", () => {
  const setNews = { groupId: V("db-0123abcd"), name: "nightly-4567cdef", uuid: "4567cdef-0000-5000-8000-000000000000" };
  const setOlds = {
    ...setNews,
    backend: "lab",
    host: "lab-1",
    snapshotIds: { [V("data")]: V("nightly-4567cdef-1") },
    createdAt: "2026-01-01T00:00:00Z",
    ioPauseMs: 1200,
  };

  it("accepts a group id and refuses anything else", async () => {
    expect(await set.check({}, setNews)).toEqual({ inputs: setNews, failures: [] });
    expect((await set.check({}, { ...setNews, groupId: "db" })).failures).toEqual([{ property: "groupId", reason: expect.any(String) }]);
    expect((await set.check({}, { ...setNews, volumeIds: [] })).failures).toEqual([{ property: "volumeIds", reason: "is not an input of this resource" }]);
  });

  it("never updates: a point in time is replaced", async () => {
    expect(await set.diff("id", setOlds, setNews)).toEqual({ changes: false });
    expect(await set.diff("id", setOlds, { ...setNews, groupId: V("other") })).toEqual({ changes: true, replaces: ["groupId"], deleteBeforeReplace: true });
    expect(set).not.toHaveProperty("update");
  });
});
