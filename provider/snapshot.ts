import type * as pulumi from "@pulumi/pulumi";
import { adoptSnapshot, withAdopt } from "./adopt";
import { backendOf, type Snapshot } from "../drivers";
import { configureFromStack, driverForId, driverOf } from "./config";
import type { ResourceHandlers } from "./handlers";
import { keepIdentity, replacementReusesIdentity } from "./keepIdentity";
import { createNotingTakeOver, leaveToTakeOver } from "./takeOver";
import { snapshotInputSchema, type SnapshotInputs, type SnapshotOutputs } from "./schemas";
import { differs, parseInputs, validate, type RawProperties } from "./validation";

/**
 * Every input replaces the snapshot: it is a point in time of its volume, and drivers cannot
 * edit a snapshot's metadata (there is no `updateSnapshot`), so there is no update handler.
 */
const REPLACE_KEYS = ["volumeId", "name", "description", "uuid"] as const;

export function outputsOf(snapshot: Snapshot): SnapshotOutputs {
  return {
    volumeId: snapshot.volumeId,
    name: snapshot.name,
    ...(snapshot.description !== undefined && { description: snapshot.description }),
    uuid: snapshot.uuid,
    sizeGb: snapshot.sizeGib,
    sourceVolumeId: snapshot.volumeId,
    host: snapshot.host,
    volumeGroup: snapshot.volumeGroup,
    lvName: snapshot.lvName,
    createdAt: snapshot.createdAt,
  };
}

/** The inputs that describe an existing snapshot exactly: what refresh and import record. */
export function inputsOf(outputs: SnapshotOutputs): SnapshotInputs {
  const { sizeGb: _size, sourceVolumeId: _source, host: _host, volumeGroup: _vg, lvName: _lv, createdAt: _created, ...inputs } = outputs;
  return inputs;
}

async function createSnapshot(inputs: SnapshotInputs): Promise<Snapshot> {
  const driver = await driverOf(backendOf(inputs.volumeId));
  const exists = async () => (await driver.listSnapshots()).some((snapshot) => snapshot.uuid === inputs.uuid);
  return createNotingTakeOver(exists, () => driver.createSnapshot(inputs));
}

/** The Snapshot resource over any driver; `check` and `diff` do no I/O on hosts. */
export const snapshotProvider = {
  configure: configureFromStack,

  async check(olds: RawProperties, given: RawProperties): Promise<pulumi.dynamic.CheckResult<SnapshotInputs>> {
    const news = keepIdentity(olds, given, REPLACE_KEYS);
    const { value, failures } = validate(snapshotInputSchema, news);
    // Unknown values (preview) go back as they came, for the engine to hold.
    return { inputs: value ?? (news as SnapshotInputs), failures };
  },

  async diff(_id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult> {
    const replaces = REPLACE_KEYS.filter((key) => differs(olds, news, key));
    return replaces.length > 0 ? { changes: true, replaces, deleteBeforeReplace: replacementReusesIdentity(olds, news) } : { changes: false };
  },

  async create(raw: RawProperties): Promise<pulumi.dynamic.CreateResult<SnapshotOutputs>> {
    const inputs = parseInputs(snapshotInputSchema, raw, "Snapshot");
    const snapshot = inputs.adopt ? await adoptSnapshot(inputs) : await createSnapshot(inputs);
    return { id: snapshot.id, outs: withAdopt(outputsOf(snapshot), inputs) };
  },

  /** Live values, or `{}` when the snapshot is gone. */
  async read(id: string, stored?: RawProperties): Promise<{ id?: string; props?: SnapshotOutputs; inputs?: SnapshotInputs }> {
    const snapshot = await (await driverForId(id)).findSnapshot(id);
    if (!snapshot) return {};
    const props = withAdopt(outputsOf(snapshot), stored);
    return { id: snapshot.id, props, inputs: inputsOf(props) };
  },

  /** Absent is success. */
  async delete(id: string): Promise<void> {
    if (leaveToTakeOver(id, "snapshot")) return;
    await (await driverForId(id)).deleteSnapshot(id);
  },
} satisfies ResourceHandlers<SnapshotInputs, SnapshotOutputs>;
