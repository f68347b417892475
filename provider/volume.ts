import type * as pulumi from "@pulumi/pulumi";
import { adoptVolume, withAdopt } from "./adopt";
import { VolumeNotFound, type Volume, type VolumeSpec } from "../drivers";
import { configureFromStack, driverForId, driverOf } from "./config";
import type { ResourceHandlers } from "./handlers";
import { keepIdentity, replacementReusesIdentity } from "./keepIdentity";
import { unknownBackendOrHost } from "./knownBackends";
import { createNotingTakeOver, leaveToTakeOver } from "./takeOver";
import { createFromImage, withImage } from "./volumeFromImage";
import { volumeInputSchema, type VolumeInputs, type VolumeOutputs } from "./schemas";
import { differs, parseInputs, validate, type RawProperties } from "./validation";

/** Changing any of these makes a different LV: replace it. */
const REPLACE_KEYS = ["backend", "name", "thin", "host", "sourceSnapshotId", "sourceVolumeId", "image", "uuid"] as const;
/** Left unset, these take the backend's choice, which the outputs then record. */
const DEFAULTED_KEYS: ReadonlySet<string> = new Set(["thin", "host"]);

/** Outputs of a volume as the driver reports it: the same whether created, updated or read. */
export function outputsOf(volume: Volume): VolumeOutputs {
  const sourceId = volume.source?.id;
  return {
    backend: volume.backend,
    name: volume.name,
    sizeGb: volume.sizeGib,
    thin: volume.provisioning === "thin",
    host: volume.host,
    ...(volume.source?.kind === "snapshot" && { sourceSnapshotId: sourceId }),
    ...(volume.source?.kind === "volume" && { sourceVolumeId: sourceId }),
    ...(volume.description !== undefined && { description: volume.description }),
    labels: volume.labels,
    uuid: volume.uuid,
    volumeGroup: volume.volumeGroup,
    lvName: volume.lvName,
    devicePath: volume.devicePath,
    sizeBytes: volume.sizeBytes,
    deviceSizeBytes: volume.deviceSizeBytes,
    createdAt: volume.createdAt,
  };
}

/** The inputs that describe an existing volume exactly: what refresh and import record. */
export function inputsOf(outputs: VolumeOutputs): VolumeInputs {
  const { volumeGroup: _vg, lvName: _lv, devicePath: _device, sizeBytes: _bytes, deviceSizeBytes: _exposed, createdAt: _created, ...inputs } = outputs;
  return inputs;
}

function specOf(inputs: VolumeInputs): VolumeSpec {
  return {
    uuid: inputs.uuid,
    name: inputs.name,
    sizeGib: inputs.sizeGb,
    provisioning: inputs.thin === undefined ? undefined : inputs.thin ? "thin" : "thick",
    host: inputs.host,
    description: inputs.description,
    labels: inputs.labels,
  };
}

/** Metadata the driver rewrites in place; unset labels are no labels. */
function metadataChanged(olds: RawProperties, news: RawProperties): boolean {
  return differs(olds, news, "description") || differs({ labels: olds.labels ?? {} }, { labels: news.labels ?? {} }, "labels");
}

/**
 * A refresh found the device exposing less than the LV (grown outside Pulumi): an update maps
 * it to the whole volume. Not a device that does not exist yet (an import whose adoption waits
 * for its first write), which must not make the first `up` after an import show a change.
 */
function deviceStale(olds: RawProperties): boolean {
  const [exposed, size] = [olds.deviceSizeBytes, olds.sizeBytes];
  return typeof exposed === "number" && typeof size === "number" && exposed > 0 && exposed < size;
}

function replacements(olds: RawProperties, news: RawProperties): string[] {
  return REPLACE_KEYS.filter((key) => differs(olds, news, key, { unsetKeeps: DEFAULTED_KEYS.has(key) }));
}

/**
 * The Volume resource over any driver. `check` and `diff` are pure (the engine runs them one
 * resource at a time while planning); the others talk to the backend through the driver.
 */
export const volumeProvider = {
  configure: configureFromStack,

  async check(olds: RawProperties, given: RawProperties): Promise<pulumi.dynamic.CheckResult<VolumeInputs>> {
    const news = keepIdentity(olds, given, REPLACE_KEYS);
    const { value, failures } = validate(volumeInputSchema, news);
    failures.push(...(await unknownBackendOrHost(news)));
    const [oldSize, newSize] = [olds.sizeGb, news.sizeGb];
    // Volumes only grow; refusing here fails `pulumi preview` instead of the update. A shrink
    // that comes with a replacement is fine: the new volume starts at the new size.
    if (typeof oldSize === "number" && typeof newSize === "number" && newSize < oldSize && replacements(olds, news).length === 0) {
      failures.push({
        property: "sizeGb",
        reason: `volumes cannot shrink: this one is ${oldSize} GiB, so sizeGb must be at least ${oldSize}; to get a smaller volume, create a new one and copy the data`,
      });
    }
    // With unknown values (preview) the inputs go back as they came: the engine, not the
    // handlers, holds them until they are known and check runs again.
    return { inputs: failures.length === 0 && value ? value : (news as VolumeInputs), failures };
  },

  async diff(_id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult> {
    const replaces = replacements(olds, news);
    const updates = differs(olds, news, "sizeGb") || metadataChanged(olds, news) || deviceStale(olds);
    if (replaces.length === 0) return { changes: updates };
    return { changes: true, replaces, deleteBeforeReplace: replacementReusesIdentity(olds, news) };
  },

  async create(raw: RawProperties): Promise<pulumi.dynamic.CreateResult<VolumeOutputs>> {
    const inputs = parseInputs(volumeInputSchema, raw, "Volume");
    if (inputs.adopt) {
      const adopted = await adoptVolume(inputs);
      return { id: adopted.id, outs: withAdopt(outputsOf(adopted), inputs) };
    }
    const driver = await driverOf(inputs.backend);
    const spec = specOf(inputs);
    const exists = async () => (await driver.listVolumes()).some((volume) => volume.uuid === spec.uuid);
    const volume = await createNotingTakeOver(exists, () =>
      inputs.sourceSnapshotId
        ? driver.createVolumeFromSnapshot(spec, inputs.sourceSnapshotId)
        : inputs.sourceVolumeId
          ? driver.createClonedVolume(spec, inputs.sourceVolumeId)
          : inputs.image
            ? createFromImage(inputs.backend, spec, inputs.image, inputs.name)
            : driver.createVolume(spec),
    );
    return { id: volume.id, outs: withImage(withAdopt(outputsOf(volume), inputs), inputs) };
  },

  /** Live values; `inputs` make a resize behind Pulumi's back show up as drift. `{}`: gone. */
  async read(id: string, stored?: RawProperties): Promise<{ id?: string; props?: VolumeOutputs; inputs?: VolumeInputs }> {
    const volume = await (await driverForId(id)).findVolume(id);
    if (!volume) return {};
    const props = withImage(withAdopt(outputsOf(volume), stored), stored);
    return { id: volume.id, props, inputs: inputsOf(props) };
  },

  /** Grows the volume, then rewrites its metadata; returns the full outputs either way. */
  async update(id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.UpdateResult<VolumeOutputs>> {
    const inputs = parseInputs(volumeInputSchema, news, "Volume");
    const driver = await driverForId(id);
    let volume: Volume | undefined;
    // The driver refuses a shrink with its own message (check normally stops it earlier).
    // Extending to the size it has remaps a stale device (deviceStale) and changes nothing else.
    if (inputs.sizeGb !== olds.sizeGb || deviceStale(olds)) volume = await driver.extendVolume(id, inputs.sizeGb);
    if (metadataChanged(olds, inputs)) {
      volume = await driver.updateVolume(id, { description: inputs.description ?? "", labels: inputs.labels ?? {} });
    }
    volume ??= await driver.findVolume(id);
    if (!volume) throw new VolumeNotFound(id, "it was removed outside Pulumi; run `pulumi refresh`");
    return { outs: withImage(withAdopt(outputsOf(volume), inputs), inputs) };
  },

  /** Absent is success; a volume with snapshots fails with the driver's message naming them. */
  async delete(id: string): Promise<void> {
    if (leaveToTakeOver(id, "volume")) return;
    await (await driverForId(id)).deleteVolume(id);
  },
} satisfies ResourceHandlers<VolumeInputs, VolumeOutputs>;
