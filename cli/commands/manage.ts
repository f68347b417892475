import { randomUUID } from "node:crypto";
import { backendOf, type ExistingRef } from "../../drivers";
import { labelsFlag, idPositional, onePositional, parse } from "../args";
import { pickBackend, withBackends } from "../backends";
import { snapshotJson, snapshotRow, volumeJson, volumeRow } from "../present";
import { printJson, printTable } from "../render";
import { UsageError } from "../usage";

export const manageUsage = `cinderblock manage volume LV --backend B [--host H] [--uuid U] [--name N] [--description D] [--label k=v]...
cinderblock manage snapshot LV --backend B [--host H] [--uuid U] [--name N] [--description D]
  (LV: an LV name, /dev/<vg>/<lv>, or the id \`cinderblock manageable\` lists; --name renames only
   where the backend sets manageRename)
cinderblock unmanage volume|snapshot ID       release it: the LV and its data stay, cinderblock's tags go`;

/** An LV named on the command line: a device path, an id (backend/host/vg/lv), or a plain name. */
export function refOf(lv: string, host: string | undefined): ExistingRef {
  if (lv.startsWith("/")) return { sourcePath: lv, host };
  if (lv.split("/").length === 4) return { sourceId: lv, host };
  return { sourceName: lv, host };
}

const KIND_FLAGS = {
  backend: { type: "string" },
  host: { type: "string" },
  uuid: { type: "string" },
  name: { type: "string" },
  description: { type: "string" },
  label: { type: "string", multiple: true },
} as const;

export async function manageCommand(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind !== "volume" && kind !== "snapshot")
    throw new UsageError(kind ? `unknown manage kind '${kind}' (volume or snapshot)` : "manage needs volume or snapshot");
  const { values, positionals } = parse(rest, KIND_FLAGS);
  if (kind === "snapshot" && values.label) throw new UsageError("snapshots have no labels");
  const ref = refOf(onePositional(positionals, "an LV"), values.host);
  const spec = { uuid: values.uuid ?? randomUUID(), name: values.name, description: values.description };
  await withBackends(values.config, async (backends) => {
    const backend = ref.sourceId ? backendOf(ref.sourceId) : pickBackend(backends, values.backend);
    if (kind === "volume") {
      const volume = await (await backends.withCapability(backend, "manage")).manageExisting({ ...spec, labels: labelsFlag(values.label) }, ref);
      if (values.json) printJson(volumeJson(volume));
      else printTable([volumeRow(volume)], ["id", "size", "type", "device"]);
    } else {
      const snapshot = await (await backends.withCapability(backend, "manageSnapshots")).manageExistingSnapshot(spec, ref);
      if (values.json) printJson(snapshotJson(snapshot));
      else printTable([snapshotRow(snapshot)], ["id", "volume", "size", "type"]);
    }
  });
}

export async function unmanageCommand(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  if (kind !== "volume" && kind !== "snapshot")
    throw new UsageError(kind ? `unknown unmanage kind '${kind}' (volume or snapshot)` : "unmanage needs volume or snapshot");
  const { values, positionals } = parse(rest, {});
  const id = idPositional(positionals, `a ${kind} id`);
  await withBackends(values.config, async (backends) => {
    if (kind === "volume") await (await backends.withCapability(backendOf(id), "manage")).unmanage(id);
    else await (await backends.withCapability(backendOf(id), "manageSnapshots")).unmanageSnapshot(id);
    if (values.json) printJson({ id, released: true });
    else process.stdout.write(`released ${id}: the LV and its data stay; cinderblock no longer manages it\n`);
  });
}
