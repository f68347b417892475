import "../../../../../drivers/builtin";
import { Backends, parseBackends } from "../../../../../drivers";
import { InvalidInput } from "../../../../../drivers/interface/errors";
import type { DriverWith } from "../../../../../drivers/interface/capabilities";
import { decodeTags, encodeTags } from "../../../../../drivers/lvm/model/tags";

/**
 * Bad input is refused before any host is contacted: the backend's hosts do not exist (port 9
 * on localhost refuses connections), so a call that tried to reach one would fail with
 * BackendUnavailable instead of InvalidInput.
 */
const unreachable = (name: string) => ({
  name,
  address: "127.0.0.1",
  port: 9,
  privateKeyPath: "/nonexistent",
  hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMyD0hBce5M/z7mNG8tOEnVS0gs8WoN7u20nFNnReHMd",
});

describe("consistency group input checks of the LVM driver", () => {
  let backends: Backends;
  let driver: DriverWith<"groups">;
  beforeAll(async () => {
    backends = new Backends(parseBackends({ backends: { lab: { driver: "lvm", hosts: [unreachable("h1"), unreachable("h2")] } } }));
    driver = await backends.withCapability("lab", "groups");
  });
  afterAll(() => backends.close());

  const V = (host: string, lv: string) => `lab/${host}/cinder-volumes/${lv}`;

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      "members on two hosts",
      () => driver.createGroup({ uuid: "u1", volumeIds: [V("h1", "a"), V("h2", "b")] }),
      /is on host h2, not h1: a consistency group's volumes must all be on one host/,
    ],
    ["no members", () => driver.createGroup({ uuid: "u1", volumeIds: [] }), /at least one volume/],
    ["a member of another backend", () => driver.createGroup({ uuid: "u1", volumeIds: ["other/h1/cinder-volumes/a"] }), /belongs to backend 'other'/],
    ["a malformed member id", () => driver.createGroup({ uuid: "u1", volumeIds: ["a"] }), /is not a volume id/],
    ["a bad group name", () => driver.createGroup({ uuid: "u1", name: "a b", volumeIds: [V("h1", "a")] }), /may contain only/],
    ["a bad uuid", () => driver.createGroup({ uuid: "not a uuid!", volumeIds: [V("h1", "a")] }), /uuid/],
    ["adding a volume of another host", () => driver.updateGroup(V("h1", "g"), [V("h2", "b")], []), /must all be on one host/],
    ["a volume both added and removed", () => driver.updateGroup(V("h1", "g"), [V("h1", "b")], [V("h1", "b")]), /both added to and removed/],
    ["a group snapshot with a bad name", () => driver.createGroupSnapshot({ uuid: "u1", groupId: V("h1", "g"), name: "x/y" }), /may contain only/],
    ["a group from a source with a bad uuid", () => driver.createGroupFromSource({ uuid: "" }, { groupId: V("h1", "g") }), /uuid/],
  ])("refuses %s with InvalidInput before contacting a host", async (_case, call, message) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as Error).message).toMatch(message);
  });
});

describe("group membership tags", () => {
  it("round-trip with the rest of a volume's tags, so rewriting a volume's metadata keeps its group", () => {
    const tags = { kind: "volume" as const, uuid: "v1", labels: { env: "prod" }, group: { name: "db", uuid: "g1" } };
    const encoded = encodeTags(tags);
    expect(encoded).toEqual(expect.arrayContaining(["cb.group=db", "cb.group-uuid=g1"]));
    expect(decodeTags(encoded)).toEqual(tags);
    expect(decodeTags(encoded.filter((tag) => tag !== "cb.group-uuid=g1"))?.group).toBeUndefined();
  });
});
