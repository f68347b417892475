import { Backends, parseBackends } from "../../drivers";
import { resourceUuid } from "../../provider/identity";
import { ProviderCallError, spawnNativePlugin, urnOf, type Properties, type ProviderProcess } from "../../provider/protocol";
import { requireFreshBuild } from "../fixtures/provider/lab";
import { byHand, dev, fillRandom, POOL, removeByHand, sha256, tagsOf, VG } from "./manageSupport";
import { hostDmTable, labConfig, labConfigPath, unique } from "./support";
import { gateName } from "../../drivers/lvm/names";

/**
 * `pulumi import` through the native plugin, as the engine runs it (pulumi/pulumi
 * developer-docs/architecture/import.md): Read with the id alone; Check with the schema's
 * required inputs taken from what Read returned as the new inputs and Read's inputs as the old;
 * Diff of the result against Read's outputs, which must be empty. The imported LVs were made by
 * hand; importing adopts them (tags, gate) and must not touch their data.
 */
const PROJECT = "cbimport";
const STACK = unique("imp");
const thick = unique("imp-thick");
const snap = unique("imp-snap");
const DATA_MIB = 4;

const urn = (kind: "Volume" | "Snapshot", name: string) => urnOf({ stack: STACK, project: PROJECT, kind, name, style: "native" });
const idOf = (lv: string): string => `lab/lab-1/${VG()}/${lv}`;

let plugin: ProviderProcess;
const before: Record<string, string> = {};

beforeAll(async () => {
  requireFreshBuild();
  await byHand(`lvcreate -q -y -L 64m -n ${thick} --addtag owner=ops ${VG()}`);
  await fillRandom(thick, DATA_MIB);
  await byHand(`lvcreate -q -y -s -L 64m -n ${snap} ${VG()}/${thick}`);
  for (const lv of [thick, snap]) before[lv] = await sha256(dev(lv), DATA_MIB);
  plugin = await spawnNativePlugin({ env: { CINDERBLOCK_CONFIG: labConfigPath() } });
  await plugin.client.configure({});
});

afterAll(async () => {
  await plugin?.close();
  // Release what the imports adopted (as `cinderblock unmanage` would), then remove the hand-made LVs.
  const backends = new Backends(parseBackends(labConfig()));
  try {
    await (await backends.withCapability("lab", "manageSnapshots")).unmanageSnapshot(idOf(snap)).catch(() => undefined);
    await (await backends.withCapability("lab", "manage")).unmanage(idOf(thick)).catch(() => undefined);
  } finally {
    await backends.close();
  }
  await removeByHand(snap, thick);
});

/** What the engine does after Read: Check the required inputs (old inputs: Read's), then Diff against Read's outputs. */
async function checkAndDiff(resourceUrn: string, id: string, read: { properties: Properties; inputs?: Properties | undefined }, required: string[]): Promise<string> {
  const inputs = read.inputs ?? {};
  const news = Object.fromEntries(required.map((key) => [key, inputs[key]]));
  const checked = await plugin.client.check(resourceUrn, inputs, news);
  expect(checked.failures).toEqual([]);
  return (await plugin.client.diff(id, resourceUrn, read.properties, checked.inputs)).changes;
}

describe("pulumi import through the native plugin", () => {
  it("imports a hand-made LV: adopts it under the uuid of the resource's URN, returns inputs and outputs, and the next diff is empty", async () => {
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: "legacy" });
    const read = await plugin.client.read(idOf(thick), urn("Volume", "legacy"));
    expect(read.id).toBe(idOf(thick));
    expect(read.inputs).toEqual({ backend: "lab", name: thick, sizeGb: 1, thin: false, host: "lab-1", labels: {}, uuid });
    expect(read.properties).toMatchObject({ lvName: thick, devicePath: `/dev/mapper/${gateName(VG(), thick)}`, sizeBytes: 64 * 2 ** 20 });
    expect(await tagsOf(thick)).toEqual(["cb.kind=volume", `cb.uuid=${uuid}`, "cinderblock", "owner=ops"]);
    expect(await hostDmTable(gateName(VG(), thick))).toBeDefined();
    expect(await sha256(dev(thick), DATA_MIB)).toBe(before[thick]);
    expect(await checkAndDiff(urn("Volume", "legacy"), read.id, read, ["backend", "sizeGb"])).toBe("none");
    // The program pulumi import then generates declares backend and sizeGb: its first `up` changes nothing.
    const program = await plugin.client.check(urn("Volume", "legacy"), read.inputs!, { backend: "lab", sizeGb: 1 });
    expect(await plugin.client.diff(read.id, urn("Volume", "legacy"), read.properties, program.inputs)).toMatchObject({ changes: "none", replaces: [] });
  });

  it("imports the LV's thick snapshot as a Snapshot of the imported volume", async () => {
    const read = await plugin.client.read(idOf(snap), urn("Snapshot", "legacy-snap"));
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Snapshot", name: "legacy-snap" });
    expect(read.inputs).toEqual({ volumeId: idOf(thick), name: snap, uuid });
    expect(await checkAndDiff(urn("Snapshot", "legacy-snap"), read.id, read, ["volumeId"])).toBe("none");
    expect(await sha256(dev(snap), DATA_MIB)).toBe(before[snap]);
  });

  it("reads an already-imported LV as it is, without adopting it again", async () => {
    const tags = await tagsOf(thick);
    const read = await plugin.client.read(idOf(thick), urn("Volume", "same-lv-another-name"));
    expect(read.inputs?.uuid).toBe(resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: "legacy" }));
    expect(await tagsOf(thick)).toEqual(tags);
  });

  it("refuses an LV that is not safe to adopt with the reason, and a snapshot imported as a volume with what to do", async () => {
    const pool = await plugin.client.read(idOf(POOL()), urn("Volume", "pool")).catch((error: unknown) => error);
    expect(pool).toBeInstanceOf(ProviderCallError);
    expect((pool as ProviderCallError).details).toBe(`cannot import ${idOf(POOL())}: a thin pool: it holds thin volumes and is not one itself`);
    const wrongKind = await plugin.client.read(idOf(snap), urn("Volume", "snap-as-volume")).catch((error: unknown) => error);
    expect((wrongKind as ProviderCallError).details).toMatch(/already managed by cinderblock as snapshot|import it as cinderblock:index:Snapshot/);
  });

  it("reads an LV that does not exist as gone", async () => {
    expect(await plugin.client.read(idOf("no-such-lv-here"), urn("Volume", "missing"))).toMatchObject({ id: "" });
  });
});
