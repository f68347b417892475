import { Backends, parseBackends } from "../../drivers";
import { gateName } from "../../drivers/lvm/model/names";
import { resourceUuid, type ResourceKind } from "../../provider/identity";
import { createProgramDir, ProviderCallError, serializedProvider, spawnDynamicHost, urnOf, type Properties, type ProviderProcess } from "../../engine";
import { requireFreshBuild } from "../fixtures/provider/lab";
import { byHand, dev, fillRandom, removeByHand, sha256, tagsOf, VG } from "./manageSupport";
import { hostDmTable, hostLv, labConfig, labConfigPath, unique } from "./support";

/**
 * `adopt: true` through the dynamic provider, as the engine runs it (the dynamic-provider host
 * in a program directory). Create adopts an LV made by hand after checking it is what the
 * program declares; a mismatch is refused in the program's terms, changing nothing. Releasing
 * is Pulumi's `retainOnDelete`: the engine then never calls Delete, so what is left is an LV
 * still tagged, with its data, which `cinderblock unmanage` releases fully.
 */
const PROJECT = "cbadopt";
const STACK = unique("adopt");
const thick = unique("dyn-thick");
const snap = unique("dyn-snap");
const DATA_MIB = 4;

let program: Awaited<ReturnType<typeof createProgramDir>>;
let host: ProviderProcess;
const shim: Partial<Record<ResourceKind, string>> = {};
let dataBefore = "";

const idOf = (lv: string): string => `lab/lab-1/${VG()}/${lv}`;

/** Inputs as the SDK sends them for a resource named `name`, with the serialized shim. */
function declare(kind: ResourceKind, name: string, inputs: Properties): { urn: string; inputs: Properties } {
  const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind, name });
  return { urn: urnOf({ stack: STACK, project: PROJECT, kind, name, style: "dynamic" }), inputs: { ...inputs, uuid, __provider: shim[kind] } };
}

async function checkAndCreate(declared: { urn: string; inputs: Properties }): Promise<{ id: string; properties: Properties; inputs: Properties }> {
  const checked = await host.client.check(declared.urn, {}, declared.inputs);
  expect(checked.failures).toEqual([]);
  return { ...(await host.client.create(declared.urn, checked.inputs)), inputs: checked.inputs };
}

async function withDriver<T>(work: (backends: Backends) => Promise<T>): Promise<T> {
  const backends = new Backends(parseBackends(labConfig()));
  try {
    return await work(backends);
  } finally {
    await backends.close();
  }
}

beforeAll(async () => {
  requireFreshBuild();
  await byHand(`lvcreate -q -y -L 64m -n ${thick} ${VG()}`);
  await fillRandom(thick, DATA_MIB);
  dataBefore = await sha256(dev(thick), DATA_MIB);
  program = await createProgramDir();
  host = await spawnDynamicHost({ cwd: program.dir, project: PROJECT, env: { CINDERBLOCK_CONFIG: undefined } });
  shim.Volume = await serializedProvider("Volume");
  shim.Snapshot = await serializedProvider("Snapshot");
  await host.client.configure({ args: { "cinderblock:configFile": labConfigPath() } });
});

afterAll(async () => {
  await host?.close();
  await program?.remove();
  await withDriver(async (backends) => {
    await (await backends.withCapability("lab", "manageSnapshots")).unmanageSnapshot(idOf(snap)).catch(() => undefined);
    await (await backends.withCapability("lab", "manage")).unmanage(idOf(thick)).catch(() => undefined);
  });
  await removeByHand(snap, thick);
});

describe("adopt: true through the dynamic provider", () => {
  let volume: { id: string; properties: Properties; inputs: Properties };

  it("refuses an LV that differs from the program, saying what differs in the program's terms, changing nothing", async () => {
    const declared = declare("Volume", "legacy", { backend: "lab", name: thick, sizeGb: 2, thin: true, adopt: true });
    const checked = await host.client.check(declared.urn, {}, declared.inputs);
    const error = await host.client.create(declared.urn, checked.inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderCallError);
    expect((error as ProviderCallError).details).toBe(
      `cannot adopt LV ${thick} (${idOf(thick)}): it differs from the program: sizeGb: the LV is 1 GiB (rounded up), the program declares 2; ` +
        "thin: the LV is thick, the program declares thin: true. Nothing was changed; declare what the LV is, or drop adopt to create a new one",
    );
    expect(await tagsOf(thick)).toEqual([]);
    expect(await hostDmTable(gateName(VG(), thick))).toBeUndefined();
  });

  it("adopts an LV that matches: tags and a gate, its data untouched, outputs as for any volume", async () => {
    const declared = declare("Volume", "legacy", { backend: "lab", name: thick, sizeGb: 1, thin: false, adopt: true });
    volume = await checkAndCreate(declared);
    expect(volume.id).toBe(idOf(thick));
    expect(volume.properties).toMatchObject({ adopt: true, sizeGb: 1, thin: false, host: "lab-1", lvName: thick, uuid: declared.inputs.uuid });
    expect(await tagsOf(thick)).toEqual(["cb.kind=volume", `cb.uuid=${String(declared.inputs.uuid)}`, "cinderblock"]);
    expect(await hostDmTable(gateName(VG(), thick))).toBeDefined();
    expect(await sha256(dev(thick), DATA_MIB)).toBe(dataBefore);
  });

  it("treats a change of adopt as no change at all", async () => {
    const { adopt: _adopt, ...withoutAdopt } = volume.inputs;
    expect(
      await host.client.diff(
        volume.id,
        urnOf({ stack: STACK, project: PROJECT, kind: "Volume", name: "legacy", style: "dynamic" }),
        volume.properties,
        withoutAdopt,
      ),
    ).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("grows the adopted volume like any other", async () => {
    const news = { ...volume.inputs, sizeGb: 2 };
    const { properties } = await host.client.update(volume.id, declare("Volume", "legacy", {}).urn, volume.properties, news);
    expect(properties).toMatchObject({ sizeGb: 2, adopt: true });
    expect((await hostLv(thick))?.sizeBytes).toBe(2 * 2 ** 30);
    volume = { ...volume, properties, inputs: news };
  });

  it("adopts a snapshot of it only as a snapshot of the volume the program names", async () => {
    await byHand(`lvcreate -q -y -s -L 2g -n ${snap} ${VG()}/${thick}`);
    const wrong = declare("Snapshot", "legacy-snap", { volumeId: idOf("another-volume"), name: snap, adopt: true });
    const error = await host.client.create(wrong.urn, (await host.client.check(wrong.urn, {}, wrong.inputs)).inputs).catch((e: unknown) => e);
    expect((error as ProviderCallError).details).toContain(`volumeId: the LV is a snapshot of ${idOf(thick)}, the program declares ${idOf("another-volume")}`);
    expect(await tagsOf(snap)).toEqual([]);
    const snapshot = await checkAndCreate(declare("Snapshot", "legacy-snap", { volumeId: volume.id, name: snap, adopt: true }));
    expect(snapshot.properties).toMatchObject({ volumeId: volume.id, sourceVolumeId: volume.id, adopt: true, lvName: snap });
  });

  it("leaves a released volume (retainOnDelete: no Delete) on the host with its data, and unmanage then removes only cinderblock's tags and gate", async () => {
    // The engine skips Delete for retained resources: nothing is called here either.
    expect(await sha256(dev(thick), DATA_MIB)).toBe(dataBefore);
    await withDriver(async (backends) => {
      await (await backends.withCapability("lab", "manageSnapshots")).unmanageSnapshot(idOf(snap));
      await (await backends.withCapability("lab", "manage")).unmanage(volume.id);
    });
    expect(await tagsOf(thick)).toEqual([]);
    expect(await tagsOf(snap)).toEqual([]);
    expect(await hostDmTable(gateName(VG(), thick))).toBeUndefined();
    expect(await sha256(dev(thick), DATA_MIB)).toBe(dataBefore);
    // Refresh of a released volume reads it as gone: Pulumi forgets it; the LV stays.
    expect((await host.client.read(volume.id, declare("Volume", "legacy", {}).urn, volume.properties)).id).toBe("");
    expect(await hostLv(thick)).toBeDefined();
  });
});
