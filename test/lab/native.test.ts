import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resourceUuid } from "../../provider/identity";
import { packageRoot, ProviderCallError, spawnNativePlugin, urnOf, type Properties, type ProviderProcess } from "../../engine";
import { GIB, labDocumentWithInlineKeys, lvOnHost, requireFreshBuild, secret } from "../fixtures/provider/lab";
import { gateName } from "../../drivers/lvm/model/names";
import { hostDmTable, labConfig, labConfigPath, onHostOk, unique } from "./support";

/**
 * The native plugin (bin/pulumi-resource-cinderblock) driven over gRPC as the engine drives it:
 * package tokens, wrapped secrets, provider arguments at Configure, and Read from an id alone
 * (`pulumi import`). Every step is checked on the lab host with LVM's own `lvs`.
 */
const PROJECT = "cbtest";
const STACK = unique("native");

const urn = (kind: "Volume" | "Snapshot", name: string) => urnOf({ stack: STACK, project: PROJECT, kind, name, style: "native" });
const lvNameOf = (id: string): string => id.split("/")[3] ?? "";

let plugin: ProviderProcess;
const created: Array<{ id: string; urn: string; properties: Properties }> = [];

async function create(
  kind: "Volume" | "Snapshot",
  name: string,
  inputs: Properties,
): Promise<{ id: string; urn: string; inputs: Properties; outputs: Properties }> {
  const resourceUrn = urn(kind, name);
  const checked = await plugin.client.check(resourceUrn, {}, inputs);
  expect(checked.failures).toEqual([]);
  const { id, properties } = await plugin.client.create(resourceUrn, checked.inputs);
  created.push({ id, urn: resourceUrn, properties });
  return { id, urn: resourceUrn, inputs: checked.inputs, outputs: properties };
}

async function remove(id: string, resourceUrn: string, properties: Properties): Promise<void> {
  await plugin.client.delete(id, resourceUrn, properties);
  created.splice(
    created.findIndex((entry) => entry.id === id),
    1,
  );
}

beforeAll(async () => {
  requireFreshBuild();
  plugin = await spawnNativePlugin({ env: { CINDERBLOCK_CONFIG: "/nonexistent/backends.json" } });
});

afterAll(async () => {
  for (const { id, urn: resourceUrn, properties } of created.reverse()) await plugin.client.delete(id, resourceUrn, properties).catch(() => undefined);
  await plugin?.close();
});

describe("the native plugin", () => {
  const { text, privateKey } = labDocumentWithInlineKeys();

  it("reports package.json's version and serves schema.json", async () => {
    const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string };
    expect(await plugin.client.getPluginInfo()).toEqual({ version: manifest.version });
    expect(await plugin.client.getSchema()).toBe(readFileSync(join(packageRoot, "schema.json"), "utf8"));
  });

  it("takes its backends from the Configure request's arguments, secrets still wrapped, and accepts secrets", async () => {
    expect(await plugin.client.configure({ args: { backends: secret(text) }, variables: { "cinderblock:config:backends": "{}" } })).toEqual({
      acceptSecrets: true,
    });
  });

  describe("a volume's lifecycle", () => {
    let volume: Awaited<ReturnType<typeof create>>;

    it("fills in the uuid and default name from the URN at Check, then creates the LV", async () => {
      // On the host the checks below read (the scheduler would pick by free space, which other files' volumes change).
      volume = await create("Volume", "vol", { backend: "lab", host: "lab-1", sizeGb: 1, description: secret("native test") });
      const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: "vol" });
      expect(volume.inputs).toMatchObject({ uuid, name: `vol-${uuid.slice(0, 8)}`, description: secret("native test") });
      expect(volume.outputs).toMatchObject({ uuid, sizeGb: 1, host: "lab-1", description: secret("native test") });
      expect((await lvOnHost(lvNameOf(volume.id)))?.sizeBytes).toBe(GIB);
      expect(JSON.stringify(volume.outputs)).not.toContain(privateKey.split("\n")[1]);
    });

    it("extends it on Update after a Diff that asks for one", async () => {
      const news = { ...volume.inputs, sizeGb: 2 };
      expect(await plugin.client.diff(volume.id, volume.urn, volume.outputs, news)).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false });
      const { properties } = await plugin.client.update(volume.id, volume.urn, volume.outputs, news);
      expect(properties).toMatchObject({ sizeGb: 2, sizeBytes: 2 * GIB, description: secret("native test") });
      expect((await lvOnHost(lvNameOf(volume.id)))?.sizeBytes).toBe(2 * GIB);
      volume = { ...volume, inputs: news, outputs: properties };
    });

    it("after an lvextend by hand, a refresh reports the new size and the stale device without fixing it; the next update maps the device to the whole volume", async () => {
      const vg = labConfig().backends.lab.volumeGroup;
      const gate = gateName(vg, lvNameOf(volume.id));
      await onHostOk(`lvextend -q -L +1g ${vg}/${lvNameOf(volume.id)}`);
      const before = await hostDmTable(gate);
      const refreshed = await plugin.client.read(volume.id, volume.urn, volume.outputs, volume.inputs);
      expect(refreshed.properties).toMatchObject({ sizeGb: 3, sizeBytes: 3 * GIB, deviceSizeBytes: 2 * GIB });
      expect(await hostDmTable(gate)).toBe(before);
      // The program follows the new size: the stale device alone makes the update.
      const news = { ...volume.inputs, sizeGb: 3 };
      expect(await plugin.client.diff(volume.id, volume.urn, refreshed.properties, news)).toMatchObject({ changes: "some", replaces: [] });
      const { properties } = await plugin.client.update(volume.id, volume.urn, refreshed.properties, news);
      expect(properties).toMatchObject({ sizeGb: 3, sizeBytes: 3 * GIB, deviceSizeBytes: 3 * GIB });
      expect(await hostDmTable(gate)).toMatch(new RegExp(`^0 ${(3 * GIB) / 512} linear `));
      expect(await plugin.client.diff(volume.id, volume.urn, properties, news)).toMatchObject({ changes: "none" });
      volume = { ...volume, inputs: news, outputs: properties };
    });

    it("reads a volume from its id alone (`pulumi import`), with inputs whose next Diff is empty", async () => {
      const importUrn = urn("Volume", "adopted");
      const read = await plugin.client.read(volume.id, importUrn);
      expect(read.id).toBe(volume.id);
      expect(read.properties).toMatchObject({ backend: "lab", sizeGb: 3, uuid: volume.inputs.uuid, lvName: lvNameOf(volume.id), description: "native test" });
      expect(read.inputs).toEqual({
        backend: "lab",
        name: volume.inputs.name,
        sizeGb: 3,
        thin: true,
        host: "lab-1",
        description: "native test",
        labels: {},
        uuid: volume.inputs.uuid,
      });
      // What `pulumi import` then does: check the read inputs as the program's, and diff.
      const checked = await plugin.client.check(importUrn, read.inputs!, read.inputs!);
      expect(checked).toEqual({ inputs: read.inputs, failures: [] });
      expect(await plugin.client.diff(read.id, importUrn, read.properties, checked.inputs)).toEqual({
        changes: "none",
        replaces: [],
        deleteBeforeReplace: false,
      });
    });

    describe("with a snapshot", () => {
      let snapshot: Awaited<ReturnType<typeof create>>;

      it("takes a snapshot of the volume under the package token", async () => {
        snapshot = await create("Snapshot", "snap", { volumeId: volume.id });
        expect(snapshot.outputs).toMatchObject({ volumeId: volume.id, sourceVolumeId: volume.id, sizeGb: 3 });
        expect((await lvOnHost(lvNameOf(snapshot.id)))?.origin).toBe(lvNameOf(volume.id));
        const imported = await plugin.client.read(snapshot.id, urn("Snapshot", "adopted-snap"));
        expect(imported.inputs).toEqual({ volumeId: volume.id, name: snapshot.inputs.name, uuid: snapshot.inputs.uuid });
      });

      it("refuses to delete the volume, naming the snapshot", async () => {
        const error = await plugin.client.delete(volume.id, volume.urn, volume.outputs).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderCallError);
        expect((error as ProviderCallError).details).toContain(snapshot.id);
        expect(await lvOnHost(lvNameOf(volume.id))).toBeDefined();
      });

      it("clones the volume (sourceVolumeId) on its host", async () => {
        const clone = await create("Volume", "clone", { backend: "lab", sizeGb: 3, sourceVolumeId: volume.id });
        expect(clone.outputs).toMatchObject({ sourceVolumeId: volume.id, sizeGb: 3 });
        expect((await lvOnHost(lvNameOf(clone.id)))?.sizeBytes).toBe(3 * GIB);
        await remove(clone.id, clone.urn, clone.outputs);
        expect(await lvOnHost(lvNameOf(clone.id))).toBeUndefined();
      });

      it("deletes the snapshot", async () => {
        await remove(snapshot.id, snapshot.urn, snapshot.outputs);
        expect(await lvOnHost(lvNameOf(snapshot.id))).toBeUndefined();
        expect((await plugin.client.read(snapshot.id, snapshot.urn, snapshot.outputs)).id).toBe("");
      });
    });

    it("deletes the volume; Read then reports it gone", async () => {
      await remove(volume.id, volume.urn, volume.outputs);
      expect(await lvOnHost(lvNameOf(volume.id))).toBeUndefined();
      expect(await plugin.client.read(volume.id, volume.urn)).toMatchObject({ id: "" });
    });
  });
});

describe("the native plugin without provider arguments", () => {
  let fallback: ProviderProcess;
  beforeAll(async () => {
    fallback = await spawnNativePlugin({ env: { CINDERBLOCK_CONFIG: labConfigPath() } });
    await fallback.client.configure({});
  });
  afterAll(() => fallback?.close());

  it("falls back to CINDERBLOCK_CONFIG", async () => {
    const read = await fallback.client.read("lab/lab-1/cinder-volumes/no-such-volume-here", urn("Volume", "missing"));
    expect(read).toMatchObject({ id: "" });
  });

  it("reports configuration errors with what to set", async () => {
    const broken = await spawnNativePlugin({ env: { CINDERBLOCK_CONFIG: "/nonexistent/backends.json" } });
    try {
      await broken.client.configure({});
      const error = await broken.client.read("lab/lab-1/cinder-volumes/x", urn("Volume", "x")).catch((e: unknown) => e);
      expect((error as ProviderCallError).details).toMatch(/no backends configured: \/nonexistent\/backends\.json does not exist.*cinderblock:backends/);
    } finally {
      await broken.close();
    }
  });
});
