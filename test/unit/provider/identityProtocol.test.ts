import * as pulumi from "@pulumi/pulumi";
import { defaultName, resourceUuid, type ResourceKind } from "../../../provider/identity";
import { createProgramDir, spawnDynamicHost, urnOf, type DiffResult, type Properties, type ProviderProcess } from "../../../engine";
import { ConsistencyGroup, GroupSnapshot, Snapshot, Volume, VolumeAttachment, VolumeImage } from "../../../sdk";
import { testBackends } from "../../fixtures/provider/backends";
import { requireFreshBuild } from "../../fixtures/provider/lab";

/**
 * Identity and replacement through the provider protocol, step by step as the engine drives
 * them: @pulumi/pulumi's dynamic-provider host over gRPC, fed the inputs the SDK really
 * registers (captured under mocks) and, as state, what a create stores. Check and Diff contact
 * no host, so this needs no lab; test/lab/provider.test.ts repeats the essentials on real LVs.
 *
 * Engine steps relied on (pulumi/pulumi pkg/resource/deploy/step_generator.go):
 * - an existing resource is checked with its old inputs as olds, then diffed against its old
 *   outputs; an alias makes the renamed resource's old state the olds;
 * - before a replacement's create, Check runs again without olds ("If we are going to perform a
 *   replacement, we need to recompute the default values");
 * - `pulumi up --replace` (or a taint) checks without olds and does not call the provider's Diff
 *   ("If this resource is marked for replacement, just return a "replace" diff that blames the id").
 */

const PROJECT = "shop";
const STACK = "dev";
const ID = "lab/lab-1/cinder-volumes/x";

interface Place {
  project: string;
  stack: string;
  name: string;
}

type Construct = (name: string, extra: Record<string, unknown>) => pulumi.CustomResource;

/** What each kind needs declared, the change that replaces it, and what a create adds to its inputs as outputs. */
const kinds: Record<
  Exclude<ResourceKind, "VolumeAttachment" | "VolumeImage">,
  { construct: Construct; replace: Record<string, unknown>; outputs: (inputs: Properties) => Properties }
> = {
  Volume: {
    construct: (name, extra) => new Volume(name, { backend: "lab", sizeGb: 1, ...extra }),
    replace: { thin: false },
    outputs: (inputs) => ({
      thin: true,
      host: "lab-1",
      labels: {},
      volumeGroup: "cinder-volumes",
      lvName: inputs.name,
      devicePath: "/dev/mapper/cbgate-x",
      sizeBytes: 2 ** 30,
      createdAt: "2026-01-01T00:00:00Z",
    }),
  },
  Snapshot: {
    construct: (name, extra) => new Snapshot(name, { volumeId: "lab/lab-1/cinder-volumes/data", ...extra }),
    replace: { description: "taken again" },
    outputs: (inputs) => ({
      sizeGb: 1,
      sourceVolumeId: inputs.volumeId,
      host: "lab-1",
      volumeGroup: "cinder-volumes",
      lvName: inputs.name,
      createdAt: "2026-01-01T00:00:00Z",
    }),
  },
  ConsistencyGroup: {
    construct: (name, extra) => new ConsistencyGroup(name, { backend: "lab", sourceGroupSnapshotId: "lab/lab-1/cinder-volumes/nightly", ...extra }),
    replace: { sourceGroupSnapshotId: "lab/lab-1/cinder-volumes/weekly" },
    outputs: () => ({ host: "lab-1", volumeGroup: "cinder-volumes", members: ["lab/lab-1/cinder-volumes/m"] }),
  },
  GroupSnapshot: {
    construct: (name, extra) => new GroupSnapshot(name, { groupId: "lab/lab-1/cinder-volumes/db", ...extra }),
    replace: { groupId: "lab/lab-1/cinder-volumes/db2" },
    outputs: () => ({ backend: "lab", host: "lab-1", snapshotIds: {}, createdAt: "2026-01-01T00:00:00Z" }),
  },
};

let program: Awaited<ReturnType<typeof createProgramDir>>;
let host: ProviderProcess;

beforeAll(async () => {
  requireFreshBuild();
  program = await createProgramDir();
  host = await spawnDynamicHost({ cwd: program.dir, project: PROJECT, env: { CINDERBLOCK_CONFIG: "/nonexistent/backends.json" } });
  await host.client.configure({ args: { "cinderblock:backends": JSON.stringify(testBackends) } });
}, 60_000); // starting a Node process that loads @pulumi/pulumi takes seconds on a loaded machine

afterAll(async () => {
  await host?.close();
  await program?.remove();
});

/** The inputs the SDK registers for a resource declared at `place` (with its serialized provider). */
async function registered(place: Place, construct: (name: string) => pulumi.CustomResource): Promise<Properties> {
  let inputs: Properties = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs = args.inputs as Properties;
        return { id: ID, state: args.inputs };
      },
      call: () => ({}),
    },
    place.project,
    place.stack,
    false,
  );
  const resource = construct(place.name);
  await new Promise<void>((done) => resource.urn.apply(() => done()));
  return inputs;
}

interface State {
  urn: string;
  inputs: Properties;
  outputs: Properties;
}

const urnAt = (kind: ResourceKind, place: Place) => urnOf({ ...place, kind, style: "dynamic" });

/** Check without olds, then the state a create leaves: the checked inputs, and outputs that extend them (never the seed). */
async function created(kind: keyof typeof kinds, place: Place, news: Properties): Promise<State> {
  const urn = urnAt(kind, place);
  const checked = await host.client.check(urn, {}, news);
  expect(checked.failures).toEqual([]);
  const { identity: _seed, ...kept } = checked.inputs;
  return { urn, inputs: checked.inputs, outputs: { ...kept, ...kinds[kind].outputs(checked.inputs) } };
}

/** `pulumi up` for an existing resource: Check with its old inputs, Diff against its old outputs. */
async function planned(state: State, urn: string, news: Properties): Promise<{ inputs: Properties; diff: DiffResult }> {
  const checked = await host.client.check(urn, state.inputs, news);
  expect(checked.failures).toEqual([]);
  return { inputs: checked.inputs, diff: await host.client.diff(ID, urn, state.outputs, checked.inputs) };
}

const NO_CHANGE: DiffResult = { changes: "none", replaces: [], deleteBeforeReplace: false };
const here: Place = { project: PROJECT, stack: STACK, name: "data" };

describe.each(Object.keys(kinds) as Array<keyof typeof kinds>)("a %s's identity through the dynamic provider", (kind) => {
  const { construct, replace } = kinds[kind];
  const declare = (place: Place, extra: Record<string, unknown> = {}) => registered(place, (name) => construct(name, extra));
  let state: State;

  beforeAll(async () => {
    state = await created(kind, here, await declare(here));
  });

  it("is made at create from the SDK's seed: a uuid that is not the address's, and the resource name plus 8 of its hex digits", () => {
    expect(state.inputs.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(state.inputs.uuid).not.toBe(resourceUuid({ ...here, kind }));
    expect(state.inputs.name).toBe(`data-${String(state.inputs.uuid).slice(0, 8)}`);
  });

  it.each<[string, Place]>([
    ["the stack is renamed", { ...here, stack: "prod" }],
    ["the project is renamed", { ...here, project: "shop2" }],
    ["the resource is renamed with aliases", { ...here, name: "orders" }],
  ])("stays when %s: Check keeps uuid and name, Diff finds nothing to do", async (_case, place) => {
    const { inputs, diff } = await planned(state, urnAt(kind, place), await declare(place));
    expect(inputs).toMatchObject({ uuid: state.inputs.uuid, name: state.inputs.name });
    expect(diff).toEqual(NO_CHANGE);
  });

  it("keeps what the current release stored (the address's uuid and default name, no seed): no update, no replacement", async () => {
    const legacyUuid = resourceUuid({ ...here, kind });
    const { identity: _seed, ...today } = await declare(here);
    const legacy = { ...today, uuid: legacyUuid, name: defaultName(here.name, kind, legacyUuid) };
    const old: State = { urn: urnAt(kind, here), inputs: legacy, outputs: { ...legacy, ...kinds[kind].outputs(legacy) } };
    for (const place of [here, { ...here, stack: "prod" }]) {
      const { inputs, diff } = await planned(old, urnAt(kind, place), await declare(place));
      expect(inputs).toMatchObject({ uuid: legacyUuid, name: legacy.name });
      expect(diff).toEqual(NO_CHANGE);
    }
  });

  it("is replaced create-first under a fresh uuid and name when the SDK chose the name", async () => {
    const news = await declare(here, replace);
    const { inputs, diff } = await planned(state, state.urn, news);
    expect(inputs.uuid).toBe(state.inputs.uuid);
    expect(diff).toEqual({ changes: "some", replaces: Object.keys(replace), deleteBeforeReplace: false });
    // The engine's second Check, without olds, gives the replacement its identity.
    const fresh = (await host.client.check(state.urn, {}, news)).inputs;
    expect(fresh.uuid).not.toBe(state.inputs.uuid);
    expect(fresh.name).toBe(`data-${String(fresh.uuid).slice(0, 8)}`);
    expect(fresh.name).not.toBe(state.inputs.name);
    // A retried create of the replacement finds what a crashed attempt made: the same identity.
    expect((await host.client.check(state.urn, {}, news)).inputs).toMatchObject({ uuid: fresh.uuid, name: fresh.name });
  });

  describe("with a name the program sets", () => {
    let pinned: State;
    beforeAll(async () => {
      pinned = await created(kind, here, await declare(here, { name: "pinned" }));
    });

    it("is replaced delete-first while the name stays (the replacement takes the name)", async () => {
      expect(pinned.inputs.name).toBe("pinned");
      const { diff } = await planned(pinned, pinned.urn, await declare(here, { name: "pinned", ...replace }));
      expect(diff).toEqual({ changes: "some", replaces: Object.keys(replace), deleteBeforeReplace: true });
    });

    it("is replaced create-first, under a fresh uuid, when the name changes", async () => {
      const news = await declare(here, { name: "renamed" });
      const { diff } = await planned(pinned, pinned.urn, news);
      expect(diff).toEqual({ changes: "some", replaces: ["name"], deleteBeforeReplace: false });
      expect((await host.client.check(pinned.urn, {}, news)).inputs.uuid).not.toBe(pinned.inputs.uuid);
    });

    it("keeps name and uuid through a stack rename", async () => {
      const place = { ...here, stack: "prod" };
      expect(await planned(pinned, urnAt(kind, place), await declare(place, { name: "pinned" }))).toMatchObject({
        inputs: { uuid: pinned.inputs.uuid, name: "pinned" },
        diff: NO_CHANGE,
      });
    });
  });

  it("gets its old identity again in a targeted replace (`--replace`: Check without olds, no Diff), which create and delete hand over (provider/takeOver.ts)", async () => {
    const replacement = (await host.client.check(state.urn, {}, await declare(here))).inputs;
    expect(replacement).toMatchObject({ uuid: state.inputs.uuid, name: state.inputs.name });
  });
});

describe("Check against the configured backends", () => {
  const volume = (extra: Record<string, unknown>) => registered(here, (name) => new Volume(name, { backend: "lab", sizeGb: 1, ...extra }));
  const group = (extra: Record<string, unknown>) =>
    registered(here, (name) => new ConsistencyGroup(name, { backend: "lab", volumeIds: ["lab/lab-1/cinder-volumes/a"], ...extra }));

  it("refuses an unknown backend, naming the configured ones", async () => {
    const expected = [{ property: "backend", reason: "must be a configured backend: lab, other" }];
    expect((await host.client.check(urnAt("Volume", here), {}, await volume({ backend: "prod" }))).failures).toEqual(expected);
    const groupFailures = (await host.client.check(urnAt("ConsistencyGroup", here), {}, await group({ backend: "prod" }))).failures;
    expect(groupFailures).toEqual(expect.arrayContaining(expected));
  });

  it("refuses a host the backend does not have, naming its hosts", async () => {
    expect((await host.client.check(urnAt("Volume", here), {}, await volume({ host: "lab-9" }))).failures).toEqual([
      { property: "host", reason: "must be a host of backend 'lab': lab-1, lab-2" },
    ]);
    expect((await host.client.check(urnAt("Volume", here), {}, await volume({ backend: "other", host: "other-1" }))).failures).toEqual([]);
  });
});

describe("an adopted volume", () => {
  it("is replaced delete-first (its name is the LV's), so the engine's delete of the old one comes first: a retained resource's delete deletes nothing (pulumi/pulumi pkg/resource/deploy/step.go, DeleteStep.Apply)", async () => {
    const declare = (extra: Record<string, unknown>) =>
      registered(here, (name) => new Volume(name, { backend: "lab", sizeGb: 1, name: "legacy", adopt: true, ...extra }));
    const state = await created("Volume", here, await declare({}));
    const outputs = { ...state.outputs, adopt: true };
    expect((await planned({ ...state, outputs }, state.urn, await declare({ thin: false }))).diff).toEqual({
      changes: "some",
      replaces: ["thin"],
      deleteBeforeReplace: true,
    });
    expect((await planned({ ...state, outputs }, urnAt("Volume", { ...here, stack: "prod" }), await declare({}))).diff).toEqual(NO_CHANGE);
  });
});

describe("resources identified by their inputs", () => {
  const attachment = (place: Place, connector: Record<string, unknown>, protocol = "iscsi") =>
    registered(
      place,
      (name) =>
        new VolumeAttachment(name, { volumeId: "lab/lab-1/cinder-volumes/data", protocol: protocol as "iscsi", connector: { host: "web-1", ...connector } }),
    );
  const image = (place: Place, extra: Record<string, unknown>) =>
    registered(
      place,
      (name) => new VolumeImage(name, { volumeId: "lab/lab-1/cinder-volumes/data", target: { hostPath: "/srv/a.qcow2" }, format: "qcow2", ...extra }),
    );
  const iqn = "iqn.2026-01.org.example:web-1";
  const attached = (inputs: Properties): State => ({
    urn: urnAt("VolumeAttachment", here),
    inputs,
    outputs: { ...inputs, connectionInfo: { driver_volume_type: "iscsi", data: {} }, authSecret: "s" },
  });
  const imaged = (inputs: Properties): State => ({
    urn: urnAt("VolumeImage", here),
    inputs,
    outputs: { ...inputs, path: "/srv/a.qcow2", sizeBytes: 1, virtualSizeBytes: 1, sha256: "0".repeat(64) },
  });

  it.each<[string, Place]>([
    ["stack", { ...here, stack: "prod" }],
    ["project", { ...here, project: "shop2" }],
    ["resource (with aliases)", { ...here, name: "orders" }],
  ])("a VolumeAttachment and a VolumeImage stay when the %s is renamed", async (_case, place) => {
    const before = attached((await host.client.check(urnAt("VolumeAttachment", here), {}, await attachment(here, { initiator: iqn }))).inputs);
    expect((await planned(before, urnAt("VolumeAttachment", place), await attachment(place, { initiator: iqn }))).diff).toEqual(NO_CHANGE);
    const file = imaged((await host.client.check(urnAt("VolumeImage", here), {}, await image(here, {}))).inputs);
    expect((await planned(file, urnAt("VolumeImage", place), await image(place, {}))).diff).toEqual(NO_CHANGE);
  });

  it("a VolumeAttachment is replaced create-first for another initiator, delete-first for the same initiator or another protocol of the same volume", async () => {
    const before = attached((await host.client.check(urnAt("VolumeAttachment", here), {}, await attachment(here, { initiator: iqn }))).inputs);
    const replaced = async (connector: Record<string, unknown>, protocol?: string) =>
      (await planned(before, before.urn, await attachment(here, connector, protocol))).diff;
    expect(await replaced({ initiator: "iqn.2026-01.org.example:web-2" })).toMatchObject({ replaces: ["connector"], deleteBeforeReplace: false });
    expect(await replaced({ initiator: iqn, ip: "192.0.2.9" })).toMatchObject({ replaces: ["connector"], deleteBeforeReplace: true });
    expect(await replaced({ nqn: "nqn.2014-08.org.nvmexpress:uuid:1" }, "nvme-tcp")).toMatchObject({ deleteBeforeReplace: true });
  });

  it("a VolumeImage is replaced create-first when its target moves, delete-first at the same path", async () => {
    const before = imaged((await host.client.check(urnAt("VolumeImage", here), {}, await image(here, {}))).inputs);
    expect((await planned(before, before.urn, await image(here, { target: { hostPath: "/srv/b.qcow2" } }))).diff).toMatchObject({
      replaces: ["target"],
      deleteBeforeReplace: false,
    });
    expect((await planned(before, before.urn, await image(here, { format: "raw" }))).diff).toMatchObject({ replaces: ["format"], deleteBeforeReplace: true });
  });
});
