import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { createProgramDir, ProviderCallError, serializedProvider, spawnDynamicHost, urnOf, type Properties, type ProviderProcess } from "../../../engine";
import { Volume } from "../../../sdk";
import { testBackends } from "../../fixtures/provider/backends";
import { requireFreshBuild } from "../../fixtures/provider/lab";

/**
 * The package was called `cinderblock` before it became `pulumi-cinderblock`, and every
 * resource created then stores a `__provider` that requires `cinderblock/provider`. This drives
 * @pulumi/pulumi's dynamic-provider host over gRPC as the engine does on the first `pulumi up`
 * after the upgrade: Check with the old inputs as olds and the program's new inputs (new
 * `__provider`), then Diff against the old outputs (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go). The host's Diff never compares `__provider` itself
 * (sdk/nodejs/cmd/dynamic-provider/index.ts: "we do not take any special action if the provider
 * has changed"); it asks the new provider, whose Diff ignores `__provider`. Refresh and delete
 * load the provider from the stored outputs, which keep the old text until the resource is next
 * updated: the program's `node_modules/cinderblock` alias (README, "Renamed from cinderblock")
 * is what resolves it. test/lab/provider.test.ts reads and deletes a volume through that text
 * on the lab.
 */

const PROJECT = "shop";
/** Serializing the provider and starting a host take seconds on a busy 2-core machine. */
const HOST_START_MS = 30_000;
const ID = "lab/lab-1/cinder-volumes/data";
const urn = urnOf({ project: PROJECT, stack: "dev", name: "data", kind: "Volume", style: "dynamic" });

/** The `__provider` a Volume stored before the rename: the shim serialized by release 0.1.0. */
const beforeRename = readFileSync(join(__dirname, "..", "..", "fixtures", "provider", "legacy", "shim-Volume.before-rename.js.txt"), "utf8");

/** What a create adds to the checked inputs as outputs. */
const createdOutputs = (inputs: Properties): Properties => ({
  thin: true,
  host: "lab-1",
  labels: {},
  volumeGroup: "cinder-volumes",
  lvName: inputs.name,
  devicePath: "/dev/mapper/cbgate-cinder--volumes-data",
  sizeBytes: 2 ** 30,
  createdAt: "2026-01-01T00:00:00Z",
});

/** The inputs the SDK registers for `new Volume("data", ...)`, `__provider` included. */
async function registered(): Promise<Properties> {
  let inputs: Properties = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs = args.inputs as Properties;
        return { id: ID, state: args.inputs };
      },
      call: () => ({}),
    },
    PROJECT,
    "dev",
    false,
  );
  const volume = new Volume("data", { backend: "lab", sizeGb: 1 });
  await new Promise<void>((done) => volume.urn.apply(() => done()));
  return inputs;
}

async function startHost(options: { legacyAlias: boolean }): Promise<{ host: ProviderProcess; close: () => Promise<void> }> {
  const program = await createProgramDir(options);
  const host = await spawnDynamicHost({ cwd: program.dir, project: PROJECT, env: { CINDERBLOCK_CONFIG: "/nonexistent/backends.json" } });
  await host.client.configure({ args: { "cinderblock:backends": JSON.stringify(testBackends) } });
  return { host, close: async () => (await host.close(), await program.remove()) };
}

describe("a Volume created before the rename (its __provider requires cinderblock/provider)", () => {
  let withAlias: Awaited<ReturnType<typeof startHost>>;
  let news: Properties;

  beforeAll(async () => {
    requireFreshBuild();
    news = await registered();
    withAlias = await startHost({ legacyAlias: true });
  }, HOST_START_MS);

  afterAll(async () => {
    await withAlias?.close();
  });

  it("is the old serialization: the same text but for the package name", async () => {
    expect(beforeRename).toContain('implementation: "cinderblock/provider"');
    expect(beforeRename.replace('"cinderblock/provider"', '"pulumi-cinderblock/provider"')).toBe(await serializedProvider("Volume"));
    expect(news.__provider).toBe(await serializedProvider("Volume"));
  });

  it("checks, then diffs against the renamed package's provider with no update and no replacement", async () => {
    const { client } = withAlias.host;
    // The state the old release left: its create's checked inputs, and outputs extending them.
    const oldChecked = await client.check(urn, {}, { ...news, __provider: beforeRename });
    expect(oldChecked.failures).toEqual([]);
    expect(oldChecked.inputs.__provider).toBe(beforeRename);
    const { identity: _seed, ...kept } = oldChecked.inputs;
    const old = { inputs: oldChecked.inputs, outputs: { ...kept, ...createdOutputs(oldChecked.inputs) } };

    const checked = await client.check(urn, old.inputs, news);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ uuid: old.inputs.uuid, name: old.inputs.name, __provider: news.__provider });
    expect(await client.diff(ID, urn, old.outputs, checked.inputs, old.inputs)).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false });
  });

  it(
    "does not load in a program without the cinderblock alias, and the error names the missing module",
    async () => {
      const withoutAlias = await startHost({ legacyAlias: false });
      try {
        const failure = await withoutAlias.host.client.check(urn, {}, { ...news, __provider: beforeRename }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ProviderCallError);
        expect((failure as ProviderCallError).details).toMatch(/Cannot find module 'cinderblock\/provider'/);
      } finally {
        await withoutAlias.close();
      }
    },
    HOST_START_MS,
  );
});
