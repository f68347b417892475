import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { providers, resourceUuid } from "../../../provider";
import { useTestBackends } from "../../fixtures/provider/backends";

useTestBackends();

const PROJECT = "cinderblock-quickstart";
const STACK = "dev";
const program = join(__dirname, "..", "..", "..", "examples", "quickstart", "index.ts");
const golden = (kind: string) => readFileSync(join(__dirname, "..", "..", "fixtures", "provider", `shim-${kind}.js.txt`), "utf8");

interface Registered {
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
}

/** Outputs a backend would add, so that wiring through outputs (snapshot.sizeGb) resolves. */
function fakeOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const place = { host: "lab-1", volumeGroup: "cinder-volumes", lvName: name, createdAt: "2026-01-01T00:00:00Z" };
  if (type.endsWith(":Snapshot")) return { ...inputs, ...place, sizeGb: 1, sourceVolumeId: inputs.volumeId };
  return { ...inputs, ...place, thin: true, labels: inputs.labels ?? {}, sizeBytes: Number(inputs.sizeGb) * 2 ** 30, devicePath: `/dev/mapper/cbgate-${name}` };
}

/** Runs the quickstart program under mocks, with stack config `config`, and returns what it registered and exported. */
async function runQuickstart(config: Record<string, string> = {}): Promise<{ resources: Registered[]; exports: Record<string, unknown> }> {
  const resources: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const id = `lab/lab-1/cinder-volumes/${args.name}`;
        resources.push({ type: args.type, name: args.name, id, inputs: args.inputs as Record<string, unknown> });
        return { id, state: fakeOutputs(args.type, args.name, args.inputs as Record<string, unknown>) };
      },
      call: () => ({}),
    },
    PROJECT,
    STACK,
    false,
  );
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value])));
  let exports: Record<string, unknown> = {};
  jest.isolateModules(() => {
    // The program imports the package by name; here that is this repository's SDK sources.
    jest.doMock("pulumi-cinderblock", () => jest.requireActual("../../../sdk"), { virtual: true });
    exports = require(program) as Record<string, unknown>;
  });
  const resolved = Object.fromEntries(
    await Promise.all(Object.entries(exports).map(async ([key, value]) => [key, await resolve(pulumi.output(value))] as const)),
  );
  return { resources, exports: resolved };
}

function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply((value) => done(value)));
}

function byName(resources: Registered[], name: string): Registered {
  const found = resources.find((resource) => resource.name === name);
  if (!found) throw new Error(`the program registered no resource named ${name}`);
  return found;
}

describe("examples/quickstart under mocks", () => {
  let run: Awaited<ReturnType<typeof runQuickstart>>;
  beforeAll(async () => {
    run = await runQuickstart();
  });

  it("declares a volume, a snapshot of it and a volume from the snapshot, with cinderblock's dynamic type tokens", () => {
    expect(run.resources.map((resource) => [resource.name, resource.type])).toEqual([
      ["data", "pulumi-nodejs:dynamic/cinderblock:Volume"],
      ["data-snapshot", "pulumi-nodejs:dynamic/cinderblock:Snapshot"],
      ["restored", "pulumi-nodejs:dynamic/cinderblock:Volume"],
    ]);
  });

  it("wires the snapshot to the first volume and the second volume to the snapshot", () => {
    const [data, snapshot, restored] = ["data", "data-snapshot", "restored"].map((name) => byName(run.resources, name));
    expect(snapshot!.inputs.volumeId).toBe(data!.id);
    expect(restored!.inputs.sourceSnapshotId).toBe(snapshot!.id);
    expect(restored!.inputs.sizeGb).toBe(1);
    expect(restored!.inputs.backend).toBe("lab");
  });

  it("sends each resource's identity seed (where it sits) and name stem, from which check derives its uuid and default name", async () => {
    for (const resource of run.resources) {
      const kind = resource.type.endsWith(":Volume") ? "Volume" : "Snapshot";
      const seed = resourceUuid({ project: PROJECT, stack: STACK, kind, name: resource.name });
      expect(resource.inputs.identity).toEqual({ seed, autoName: resource.name });
      expect(resource.inputs).not.toHaveProperty("uuid");
      const { inputs } = await providers[kind].check({}, resource.inputs);
      expect(inputs?.uuid).toMatch(/^[0-9a-f]{8}-/);
      expect(inputs?.uuid).not.toBe(seed);
      expect(inputs?.name).toBe(`${resource.name}-${String(inputs?.uuid).slice(0, 8)}`);
    }
  });

  it("stores the golden shim as __provider, and no secrets", () => {
    for (const resource of run.resources) {
      const kind = resource.type.endsWith(":Volume") ? "Volume" : "Snapshot";
      expect(resource.inputs.__provider).toBe(golden(kind));
      expect(JSON.stringify(resource.inputs)).not.toContain(specialSigKey);
    }
  });

  it("passes the provider's own check", async () => {
    for (const resource of run.resources) {
      const kind = resource.type.endsWith(":Volume") ? "Volume" : "Snapshot";
      expect(await providers[kind].check({}, resource.inputs)).toMatchObject({ failures: [] });
    }
  });

  it("exports the volumes' ids, devices and sizes and the snapshot's id", () => {
    expect(run.exports).toEqual({
      dataVolume: { id: byName(run.resources, "data").id, devicePath: "/dev/mapper/cbgate-data", sizeGb: 1, thin: true, host: "lab-1" },
      snapshotId: byName(run.resources, "data-snapshot").id,
      restoredVolume: {
        id: byName(run.resources, "restored").id,
        devicePath: "/dev/mapper/cbgate-restored",
        sizeGb: 1,
        sourceSnapshotId: byName(run.resources, "data-snapshot").id,
      },
    });
  });

  it("takes the backend and the data volume's size from stack config (the extend step)", async () => {
    const extended = await runQuickstart({ backend: "other", sizeGb: "2" });
    expect(byName(extended.resources, "data").inputs).toMatchObject({ backend: "other", sizeGb: 2 });
    expect(byName(extended.resources, "restored").inputs).toMatchObject({ backend: "other", sizeGb: 1 });
  });
});
