import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { join } from "node:path";
import { Backends, parseBackends } from "../../drivers";
import { resourceUuid } from "../../provider/identity";
import { ProviderCallError, spawnNativePlugin, urnOf, type Properties, type ProviderProcess } from "../../engine";
import { requireFreshBuild } from "../fixtures/provider/lab";
import { byHand, dev, fillRandom, POOL, removeByHand, sha256, tagsOf, VG } from "./manageSupport";
import { hostDmTable, labConfig, labConfigPath, onHostOk, unique } from "./support";
import { gateName } from "../../drivers/lvm/model/names";

/**
 * `pulumi import` through the native plugin, as the engine runs it (pulumi/pulumi
 * pkg/resource/deploy/step.go, ImportStep.Apply): Read with the id alone, whose inputs become
 * the state's; Check of them (olds and news alike) for warnings; then the first `pulumi up`
 * of the generated program: Check with the imported inputs as olds and the program's as news,
 * and Diff against the imported outputs, which must be empty. The imported LVs were made by
 * hand. Read, import's and refresh's alike, changes nothing on the host (no tags, no gate, no
 * pool); the resource's first write (Update), or the create of a dependent (a snapshot of it),
 * completes the adoption, never touching the data.
 */
const PROJECT = "cbimport";
const STACK = unique("imp");
const thick = unique("imp-thick");
const snap = unique("imp-snap");
const used = unique("imp-used");
const DATA_MIB = 4;

const run = promisify(execFile);
const urn = (kind: "Volume" | "Snapshot", name: string) => urnOf({ stack: STACK, project: PROJECT, kind, name, style: "native" });
const idOf = (lv: string): string => `lab/lab-1/${VG()}/${lv}`;

let plugin: ProviderProcess;
const before: Record<string, string> = {};

/** Everything a Read could change on the host: every LV with its tags, and every device-mapper table. */
const hostState = (): Promise<string> => onHostOk(`lvs -a --noheadings -o lv_name,lv_tags ${VG()}; dmsetup table | sort`);

/** The schema's input properties of a resource: what `pulumi import`'s generated code declares (pkg/importer/hcl2.go). */
function programInputs(token: string, imported: Properties): Properties {
  const schema = JSON.parse(readFileSync(join(__dirname, "../../schema.json"), "utf8")) as { resources: Record<string, { inputProperties: object }> };
  const declared = Object.keys(schema.resources[token]?.inputProperties ?? {});
  return Object.fromEntries(Object.entries(imported).filter(([key, value]) => declared.includes(key) && value !== undefined && value !== null));
}

beforeAll(async () => {
  requireFreshBuild();
  await byHand(`lvcreate -q -y -L 64m -n ${thick} --addtag owner=ops ${VG()}`);
  await fillRandom(thick, DATA_MIB);
  await byHand(`lvcreate -q -y -s -L 64m -n ${snap} ${VG()}/${thick}`, `lvcreate -q -y -L 64m -n ${used} ${VG()}`);
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
    await (await backends.withCapability("lab", "manage")).unmanage(idOf(used)).catch(() => undefined);
  } finally {
    await backends.close();
  }
  await removeByHand(snap, thick, used);
});

/** What the engine does after Read: Check the required inputs (old inputs: Read's), then Diff against Read's outputs. */
async function checkAndDiff(
  resourceUrn: string,
  id: string,
  read: { properties: Properties; inputs?: Properties | undefined },
  required: string[],
): Promise<string> {
  const inputs = read.inputs ?? {};
  const news = Object.fromEntries(required.map((key) => [key, inputs[key]]));
  const checked = await plugin.client.check(resourceUrn, inputs, news);
  expect(checked.failures).toEqual([]);
  return (await plugin.client.diff(id, resourceUrn, read.properties, checked.inputs)).changes;
}

describe("pulumi import through the native plugin", () => {
  it("is fed by `cinderblock import-file`: the hand-made LVs by package token, named after the LV, by id", async () => {
    const { stdout } = await run(process.execPath, [join(__dirname, "../../bin/cinderblock.js"), "import-file", "--backend", "lab"], {
      env: { ...process.env, CINDERBLOCK_CONFIG: labConfigPath() },
    });
    const file = JSON.parse(stdout) as { resources: Array<{ type: string; name: string; id: string }> };
    const ours = file.resources.filter((entry) => [idOf(thick), idOf(snap)].includes(entry.id));
    // Each entry is what the tests below import, as `pulumi import --file` would, one Read per entry.
    expect(ours).toEqual([
      { type: "cinderblock:index:Volume", name: thick, id: idOf(thick) },
      { type: "cinderblock:index:Snapshot", name: snap, id: idOf(snap) },
    ]);
  });

  it("imports a hand-made LV without changing the host, under the uuid of the resource's URN; the generated program's first up changes nothing", async () => {
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: thick });
    const host = await hostState();
    const read = await plugin.client.read(idOf(thick), urn("Volume", thick));
    expect(await hostState()).toBe(host);
    expect(read.id).toBe(idOf(thick));
    expect(read.inputs).toEqual({ backend: "lab", name: thick, sizeGb: 1, thin: false, host: "lab-1", labels: {}, adopt: true, uuid });
    expect(read.properties).toMatchObject({
      lvName: thick,
      devicePath: `/dev/mapper/${gateName(VG(), thick)}`,
      sizeBytes: 64 * 2 ** 20,
      deviceSizeBytes: 0,
      adopt: true,
    });
    expect(await tagsOf(thick)).toEqual(["owner=ops"]);
    expect(await checkAndDiff(urn("Volume", thick), read.id, read, ["backend", "sizeGb"])).toBe("none");
    // The generated program (test/fixtures/import/program.ts) declares the imported inputs the schema lists: no uuid.
    const news = programInputs("cinderblock:index:Volume", read.inputs!);
    expect(news).not.toHaveProperty("uuid");
    const program = await plugin.client.check(urn("Volume", thick), read.inputs!, news);
    expect(program.failures).toEqual([]);
    expect(await plugin.client.diff(read.id, urn("Volume", thick), read.properties, program.inputs)).toMatchObject({ changes: "none", replaces: [] });
    // A refresh reads it the same way, still without writing.
    const refreshed = await plugin.client.read(read.id, urn("Volume", thick), read.properties, read.inputs);
    expect(refreshed.properties).toEqual(read.properties);
    expect(await hostState()).toBe(host);
    expect(await sha256(dev(thick), DATA_MIB)).toBe(before[thick]);
  });

  it("completes the adoption at the resource's first write (an Update): tags and gate, data untouched", async () => {
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: thick });
    const read = await plugin.client.read(idOf(thick), urn("Volume", thick));
    const news = { ...read.inputs!, description: "imported" };
    const { properties } = await plugin.client.update(read.id, urn("Volume", thick), read.properties, news);
    expect(properties).toMatchObject({ uuid, description: "imported", adopt: true });
    expect(await tagsOf(thick)).toEqual(expect.arrayContaining(["cb.kind=volume", `cb.uuid=${uuid}`, "cinderblock", "owner=ops"]));
    expect(await hostDmTable(gateName(VG(), thick))).toBeDefined();
    expect(await sha256(dev(thick), DATA_MIB)).toBe(before[thick]);
  });

  it("refuses a second owner: a program adopting the imported LV, and an imported resource whose LV another resource owns", async () => {
    const owner = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: thick });
    const intruderUrn = urn("Volume", "intruder");
    const checked = await plugin.client.check(intruderUrn, {}, { backend: "lab", name: thick, sizeGb: 1, adopt: true });
    const refused = await plugin.client.create(intruderUrn, checked.inputs).catch((error: unknown) => error);
    expect((refused as ProviderCallError).details).toContain(`already managed by cinderblock as volume ${owner}`);
    // The state of an import whose LV another stack adopted before this one's first write.
    const read = await plugin.client.read(idOf(thick), urn("Volume", thick));
    const stale = { ...read.properties, uuid: "00000000-0000-5000-8000-000000000000" };
    const conflict = await plugin.client.read(read.id, urn("Volume", "pending"), stale, { ...read.inputs!, uuid: stale.uuid }).catch((error: unknown) => error);
    expect((conflict as ProviderCallError).details).toMatch(new RegExp(`managed by cinderblock as another volume \\(uuid ${owner}\\), not by this resource`));
  });

  it("imports the LV's thick snapshot as a Snapshot of the imported volume, without changing the host", async () => {
    const host = await hostState();
    const read = await plugin.client.read(idOf(snap), urn("Snapshot", snap));
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Snapshot", name: snap });
    expect(read.inputs).toEqual({ volumeId: idOf(thick), name: snap, adopt: true, uuid });
    expect(await hostState()).toBe(host);
    expect(await checkAndDiff(urn("Snapshot", snap), read.id, read, ["volumeId"])).toBe("none");
    const program = await plugin.client.check(urn("Snapshot", snap), read.inputs!, programInputs("cinderblock:index:Snapshot", read.inputs!));
    expect(await plugin.client.diff(read.id, urn("Snapshot", snap), read.properties, program.inputs)).toMatchObject({ changes: "none", replaces: [] });
    expect(await sha256(dev(snap), DATA_MIB)).toBe(before[snap]);
  });

  it("adopts an imported volume at its dependent's create (a snapshot of it) before the volume's own first write, under the imported uuid", async () => {
    const volumeUrn = urn("Volume", used);
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: used });
    const read = await plugin.client.read(idOf(used), volumeUrn);
    const snapshotUrn = urn("Snapshot", `${used}-snap`);
    const declared = await plugin.client.check(snapshotUrn, {}, { volumeId: read.id });
    // Before the engine has shown the plugin the imported volume's state, nothing claims the LV: refused with what to do, host unchanged.
    const host = await hostState();
    const refused = await plugin.client.create(snapshotUrn, declared.inputs).catch((error: unknown) => error);
    expect((refused as ProviderCallError).details).toContain(`volume ${idOf(used)} is not cinderblock's yet: its LV has no cinderblock tags`);
    expect((refused as ProviderCallError).details).toContain(
      "Nothing was changed. Declare the imported Volume in the same program through `pulumi-cinderblock/native`",
    );
    expect(await hostState()).toBe(host);
    // The first `pulumi up` after the import: the volume's Check and Diff (no changes), then the new snapshot's Create.
    expect(await checkAndDiff(volumeUrn, read.id, read, ["backend", "sizeGb"])).toBe("none");
    const snapshot = await plugin.client.create(snapshotUrn, declared.inputs);
    expect(snapshot.properties).toMatchObject({ volumeId: read.id, sourceVolumeId: read.id });
    expect(await tagsOf(used)).toEqual(expect.arrayContaining(["cb.kind=volume", `cb.uuid=${uuid}`, "cinderblock"]));
    expect(await hostDmTable(gateName(VG(), used))).toBeDefined();
    // The next up: the volume, still with its imported state, shows no changes.
    const program = await plugin.client.check(volumeUrn, read.inputs!, programInputs("cinderblock:index:Volume", read.inputs!));
    expect(await plugin.client.diff(read.id, volumeUrn, read.properties, program.inputs)).toMatchObject({ changes: "none", replaces: [] });
    await plugin.client.delete(snapshot.id, snapshotUrn, snapshot.properties);
  });

  it("reads an already-imported LV as it is, without adopting it again", async () => {
    const tags = await tagsOf(thick);
    const read = await plugin.client.read(idOf(thick), urn("Volume", "same-lv-another-name"));
    expect(read.inputs?.uuid).toBe(resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: thick }));
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

describe("an import on a thin backend whose pool does not exist yet", () => {
  const pool = unique("imp-pool");
  const lone = unique("imp-lone");
  let thinPlugin: ProviderProcess;

  beforeAll(async () => {
    await byHand(`lvcreate -q -y -L 64m -n ${lone} ${VG()}`);
    const document = labConfig();
    const thinLab = { backends: { lab: { ...document.backends.lab, lvmType: "thin", thinPool: pool } } };
    const file = join(mkdtempSync(join(tmpdir(), "cinderblock-import-")), "backends.json");
    writeFileSync(file, JSON.stringify(thinLab), { mode: 0o600 });
    thinPlugin = await spawnNativePlugin({ env: { CINDERBLOCK_CONFIG: file } });
    await thinPlugin.client.configure({});
  });

  afterAll(async () => {
    await thinPlugin?.close();
    await removeByHand(lone, pool);
  });

  it("reads without creating the pool, a tag or a gate; the first write (an Update) sets the host up and adopts the LV", async () => {
    const resourceUrn = urn("Volume", "lone");
    const host = await hostState();
    const read = await thinPlugin.client.read(idOf(lone), resourceUrn);
    expect(read.inputs).toMatchObject({ name: lone, thin: false, adopt: true });
    const refreshed = await thinPlugin.client.read(read.id, resourceUrn, read.properties, read.inputs);
    expect(refreshed.id).toBe(read.id);
    expect(await hostState()).toBe(host);
    expect(host).not.toContain(pool);
    await thinPlugin.client.update(read.id, resourceUrn, read.properties, { ...read.inputs!, labels: { app: "legacy" } });
    expect(await tagsOf(lone)).toEqual(expect.arrayContaining(["cinderblock", "cb.kind=volume", "cb.label.app=legacy"]));
    expect(await hostDmTable(gateName(VG(), lone))).toBeDefined();
    expect(await hostState()).toContain(pool);
  });
});
