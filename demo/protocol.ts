import { randomBytes } from "node:crypto";
import { nameStem, resourceUuid, type ResourceKind } from "../provider/identity";
import { createProgramDir, serializedProvider, spawnDynamicHost, urnOf, type Properties, type ProviderProcess } from "../engine";
import type { DemoTarget } from "./target";

/** The quickstart's project name (examples/quickstart/Pulumi.yaml); it is part of every uuid. */
const PROJECT = "cinderblock-quickstart";
const EXTENDED_GB = 2;

interface Resource {
  kind: ResourceKind;
  name: string;
  id: string;
  urn: string;
  inputs: Properties;
  outputs: Properties;
}

/** Outputs worth printing: everything but the serialized provider. */
function shown(outputs: Properties): string {
  const { __provider: _provider, ...rest } = outputs;
  return JSON.stringify(rest);
}

/**
 * The quickstart's steps as the engine would run them for `pulumi up` (twice, the second time
 * with a larger size) and `pulumi destroy`, against the real dynamic-provider host. Whatever
 * was created is deleted again, also when a step fails.
 */
export async function runThroughProtocol({ backend, configPath, log }: DemoTarget): Promise<void> {
  const stack = `demo-${randomBytes(3).toString("hex")}`;
  const program = await createProgramDir();
  const created: Resource[] = [];
  let host: ProviderProcess | undefined;
  let failure: unknown;
  try {
    host = await spawnDynamicHost({ cwd: program.dir, project: PROJECT, env: { CINDERBLOCK_CONFIG: configPath } });
    const client = host.client;
    const shims: Record<ResourceKind, string> = {
      Volume: await serializedProvider("Volume"),
      Snapshot: await serializedProvider("Snapshot"),
      VolumeImage: await serializedProvider("VolumeImage"),
      VolumeAttachment: await serializedProvider("VolumeAttachment"),
      ConsistencyGroup: await serializedProvider("ConsistencyGroup"),
      GroupSnapshot: await serializedProvider("GroupSnapshot"),
    };
    await client.configure({ args: {} });
    log(`[1/7] Configure: dynamic-provider host pid ${host.pid}, project ${PROJECT}, stack ${stack}, backends from ${configPath}`);

    /** Check, then Create, as the SDK's resource would be (the identity seed check derives uuid and default name from, the shim as __provider). */
    const create = async (step: string, kind: ResourceKind, name: string, args: Properties): Promise<Resource> => {
      const identity = { seed: resourceUuid({ project: PROJECT, stack, kind, name }), autoName: nameStem(name, kind) };
      const urn = urnOf({ stack, project: PROJECT, kind, name, style: "dynamic" });
      const checked = await client.check(urn, {}, { ...args, identity, __provider: shims[kind] });
      if (checked.failures.length > 0)
        throw new Error(`Check of ${kind} ${name} failed: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
      const { id, properties } = await client.create(urn, checked.inputs);
      const resource = { kind, name, id, urn, inputs: checked.inputs, outputs: properties };
      created.push(resource);
      log(`${step} Create ${kind} '${name}': ${id}`);
      log(`      outputs ${shown(properties)}`);
      return resource;
    };

    // The same resources as examples/quickstart/index.ts: keep the two in step.
    const data = await create("[2/7]", "Volume", "data", { backend, sizeGb: 1, description: "quickstart data volume", labels: { app: "quickstart" } });
    const snapshot = await create("[3/7]", "Snapshot", "data-snapshot", { volumeId: data.id, description: "quickstart snapshot of data" });
    await create("[4/7]", "Volume", "restored", {
      backend,
      sizeGb: snapshot.outputs.sizeGb,
      sourceSnapshotId: snapshot.id,
      labels: { app: "quickstart", "restored-from": "data-snapshot" },
    });

    const news = { ...data.inputs, sizeGb: EXTENDED_GB };
    const checked = await client.check(data.urn, data.inputs, news);
    if (checked.failures.length > 0) throw new Error(`Check of the extend failed: ${JSON.stringify(checked.failures)}`);
    const diff = await client.diff(data.id, data.urn, data.outputs, checked.inputs);
    log(
      `[5/7] Extend 'data' to ${EXTENDED_GB} GiB: Diff says ${diff.changes === "some" && diff.replaces.length === 0 ? "update in place" : JSON.stringify(diff)}`,
    );
    const { properties } = await client.update(data.id, data.urn, data.outputs, checked.inputs);
    data.inputs = checked.inputs;
    data.outputs = properties;
    log(`      Update done: sizeGb ${String(properties.sizeGb)}, sizeBytes ${String(properties.sizeBytes)}`);

    const read = await client.read(data.id, data.urn, data.outputs, data.inputs);
    log(
      `[6/7] Read 'data' (refresh): live sizeGb ${String(read.properties.sizeGb)} on ${String(read.properties.host)}, device ${String(read.properties.devicePath)}`,
    );
  } catch (error) {
    failure = error;
  }
  const left = host ? await deleteAll(host, created, log) : [];
  await host?.close();
  await program.remove();
  if (failure) throw failure;
  if (left.length > 0) throw new Error(`the demo could not delete ${left.join("; ")}`);
}

/**
 * Deletes in reverse order of creation (dependents first), as `pulumi destroy` does. Returns
 * what could not be deleted, having logged it with the reason.
 */
async function deleteAll(host: ProviderProcess, created: Resource[], log: DemoTarget["log"]): Promise<string[]> {
  const left: string[] = [];
  for (const resource of [...created].reverse()) {
    try {
      await host.client.delete(resource.id, resource.urn, resource.outputs);
      log(`[7/7] Delete ${resource.kind} '${resource.name}': ${resource.id}`);
    } catch (error) {
      log(`[7/7] Could not delete ${resource.kind} '${resource.name}' (${resource.id}): ${(error as Error).message}`);
      left.push(resource.id);
    }
  }
  return left;
}
