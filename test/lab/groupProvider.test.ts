import { defaultName, resourceUuid, type ResourceKind } from "../../provider/identity";
import { createProgramDir, serializedProvider, spawnDynamicHost, urnOf, type Properties, type ProviderProcess } from "../../engine";
import { lvOnHost, requireFreshBuild } from "../fixtures/provider/lab";
import { labConfigPath, unique } from "./support";

/** Every LVM command takes seconds on an emulated host shared with other guests. */
jest.setTimeout(20 * 60_000);

/**
 * ConsistencyGroup and GroupSnapshot as the Pulumi engine runs them: the real dynamic-provider
 * host, driven over gRPC with the requests the engine sends (Check, Diff, Create, Read, Update,
 * Delete), every step checked on the lab host with LVM's own `lvs`. It also shows the two
 * paths from a group snapshot back to volumes: a Volume whose `sourceSnapshotId` is a member's
 * snapshot, and a ConsistencyGroup whose `sourceGroupSnapshotId` is the set.
 */
const PROJECT = "cbgroups";
const STACK = unique("grp");

let program: Awaited<ReturnType<typeof createProgramDir>>;
let host: ProviderProcess;
const shim: Partial<Record<ResourceKind, string>> = {};
const created: Array<{ id: string; urn: string; properties: Properties }> = [];
const lvNameOf = (id: string): string => id.split("/")[3] ?? "";

interface Created {
  id: string;
  urn: string;
  inputs: Properties;
  outputs: Properties;
}

/** Check then Create, as `pulumi up` does for a resource the SDK declares (derived uuid and default name, the shim as __provider). */
async function createResource(kind: ResourceKind, name: string, args: Properties): Promise<Created> {
  const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind, name });
  const urn = urnOf({ stack: STACK, project: PROJECT, kind, name, style: "dynamic" });
  const checked = await host.client.check(urn, {}, { ...args, uuid, name: defaultName(name, kind, uuid), __provider: shim[kind] });
  expect(checked.failures).toEqual([]);
  const { id, properties } = await host.client.create(urn, checked.inputs);
  created.push({ id, urn, properties });
  return { id, urn, inputs: checked.inputs, outputs: properties };
}

async function deleteResource(resource: Created): Promise<void> {
  await host.client.delete(resource.id, resource.urn, resource.outputs);
  created.splice(
    created.findIndex((entry) => entry.id === resource.id),
    1,
  );
}

beforeAll(async () => {
  requireFreshBuild();
  program = await createProgramDir();
  host = await spawnDynamicHost({ cwd: program.dir, project: PROJECT, env: { CINDERBLOCK_CONFIG: undefined } });
  for (const kind of ["Volume", "ConsistencyGroup", "GroupSnapshot"] as const) shim[kind] = await serializedProvider(kind);
  await host.client.configure({ args: { "cinderblock:configFile": labConfigPath() } });
});

afterAll(async () => {
  for (const { id, urn, properties } of created.reverse()) await host.client.delete(id, urn, properties).catch(() => undefined);
  await host?.close();
  await program?.remove();
});

describe("ConsistencyGroup and GroupSnapshot through the dynamic-provider host", () => {
  const volumes: Created[] = [];
  let group: Created;
  let set: Created;

  beforeAll(async () => {
    for (let index = 0; index < 3; index++) volumes.push(await createResource("Volume", `member-${index}`, { backend: "lab", sizeGb: 1, thin: true }));
  });

  it("creates a group of two volumes, recorded as tags on them", async () => {
    group = await createResource("ConsistencyGroup", "db", { backend: "lab", volumeIds: [volumes[1]!.id, volumes[0]!.id] });
    expect(group.id).toBe(`lab/lab-1/cinder-volumes/${String(group.inputs.name)}`);
    expect(group.outputs).toMatchObject({ host: "lab-1", volumeGroup: "cinder-volumes", members: [volumes[0]!.id, volumes[1]!.id].sort() });
    for (const volume of volumes.slice(0, 2)) expect((await lvOnHost(lvNameOf(volume.id)))?.tags).toContain(`cb.group=${String(group.inputs.name)}`);
    expect(await host.client.diff(group.id, group.urn, group.outputs, { ...group.inputs, volumeIds: [volumes[0]!.id, volumes[1]!.id] })).toMatchObject({
      changes: "none",
    });
  });

  it("adds a member in place on Update", async () => {
    const news = { ...group.inputs, volumeIds: volumes.map((volume) => volume.id) };
    expect(await host.client.diff(group.id, group.urn, group.outputs, news)).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false });
    const { properties } = await host.client.update(group.id, group.urn, group.outputs, news);
    expect(properties.members).toEqual(volumes.map((volume) => volume.id).sort());
    expect((await lvOnHost(lvNameOf(volumes[2]!.id)))?.tags).toContain(`cb.group=${String(group.inputs.name)}`);
    group.inputs = news;
    group.outputs = properties;
    created.find((entry) => entry.id === group.id)!.properties = properties;
    const read = await host.client.read(group.id, group.urn, group.outputs, group.inputs);
    expect(read).toMatchObject({ id: group.id, properties: group.outputs });
  });

  it("takes a group snapshot whose outputs map each member volume to its snapshot", async () => {
    set = await createResource("GroupSnapshot", "nightly", { groupId: group.id });
    const snapshotIds = set.outputs.snapshotIds as Record<string, string>;
    expect(Object.keys(snapshotIds).sort()).toEqual(volumes.map((volume) => volume.id).sort());
    expect(set.outputs).toMatchObject({ groupId: group.id, host: "lab-1", backend: "lab" });
    expect(typeof set.outputs.ioPauseMs).toBe("number");
    for (const [volumeId, snapshotId] of Object.entries(snapshotIds)) {
      const lv = await lvOnHost(lvNameOf(snapshotId));
      expect(lv?.origin).toBe(lvNameOf(volumeId));
      expect(lv?.tags).toEqual(expect.arrayContaining(["cb.kind=snapshot", "cb.gsnap-complete", `cb.gsnap=${String(set.inputs.name)}`]));
    }
    // Refresh keeps the pause the create measured.
    expect(await host.client.read(set.id, set.urn, set.outputs, set.inputs)).toMatchObject({ id: set.id, properties: set.outputs });
  });

  it("makes a Volume from one member's snapshot (sourceSnapshotId), as from any snapshot", async () => {
    const snapshotId = (set.outputs.snapshotIds as Record<string, string>)[volumes[0]!.id]!;
    const restored = await createResource("Volume", "restored", { backend: "lab", sizeGb: 1, sourceSnapshotId: snapshotId });
    expect(restored.outputs).toMatchObject({ sourceSnapshotId: snapshotId, host: "lab-1" });
    expect((await lvOnHost(lvNameOf(restored.id)))?.origin).toBe(lvNameOf(snapshotId));
    await deleteResource(restored);
    expect(await lvOnHost(lvNameOf(restored.id))).toBeUndefined();
  });

  it("makes a group from the group snapshot (sourceGroupSnapshotId), which owns and deletes its new volumes", async () => {
    const copy = await createResource("ConsistencyGroup", "db-copy", { backend: "lab", sourceGroupSnapshotId: set.id });
    const members = copy.outputs.members as string[];
    expect(members).toHaveLength(3);
    expect(copy.outputs).not.toHaveProperty("volumeIds");
    for (const member of members) expect((await lvOnHost(lvNameOf(member)))?.tags).toContain(`cb.group=${String(copy.inputs.name)}`);
    expect(await host.client.read(copy.id, copy.urn, copy.outputs, copy.inputs)).toMatchObject({ id: copy.id, inputs: { sourceGroupSnapshotId: set.id } });
    await deleteResource(copy);
    for (const member of members) expect(await lvOnHost(lvNameOf(member))).toBeUndefined();
  });

  it("deletes the set, then the group, leaving the volumes as plain volumes", async () => {
    await deleteResource(set);
    expect(await host.client.read(set.id, set.urn, set.outputs)).toMatchObject({ id: "" });
    await deleteResource(group);
    for (const volume of volumes) {
      const lv = await lvOnHost(lvNameOf(volume.id));
      expect(lv).toBeDefined();
      expect(lv?.tags.some((tag) => tag.startsWith("cb.group"))).toBe(false);
    }
    expect(await host.client.read(group.id, group.urn, group.outputs)).toMatchObject({ id: "" });
  });
});
