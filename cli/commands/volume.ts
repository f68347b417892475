import { VolumeNotFound, type VolumeSpec } from "../../drivers";
import { idFlag, labelsFlag, noPositionals, idPositional, parse, sizeGbFlag } from "../args";
import { printable } from "../../drivers";
import { pickBackend, withBackends } from "../backends";
import { volumeJson, volumeRow } from "../present";
import { printJson, printTable } from "../render";
import { requestUuid } from "../requestUuid";
import { UsageError } from "../usage";

export const volumeUsage = `cinderblock volume create --backend B --size-gb N [--thin|--thick] [--name X] [--host H]
                          [--from-snapshot ID | --from-volume ID] [--description D] [--label k=v]... [--uuid U]
  (with --name and no --uuid, the uuid is derived from the whole request: the same command run
   again after a failure finishes what the first run left; any other request with that name is refused)
cinderblock volume list [--backend B]
cinderblock volume show ID
cinderblock volume extend ID --size-gb N
cinderblock volume delete ID
  (each takes --json and --config PATH)`;

export async function volumeCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "create":
      return create(rest);
    case "list": {
      const { values, positionals } = parse(rest, { backend: { type: "string" } });
      noPositionals(positionals);
      return withBackends(values.config, async (backends) => {
        const names = values.backend ? [values.backend] : backends.names;
        const volumes = (await Promise.all(names.map(async (name) => (await backends.driver(name)).listVolumes()))).flat();
        if (values.json) printJson(volumes.map(volumeJson));
        else printTable(volumes.map(volumeRow), ["id", "size", "type", "device"]);
      });
    }
    case "show": {
      const { values, positionals } = parse(rest, {});
      const id = idPositional(positionals, "a volume id");
      return withBackends(values.config, async (backends) => {
        const volume = await (await backends.driverForId(id)).findVolume(id);
        if (!volume) throw new VolumeNotFound(id);
        printVolume(volume, values.json);
      });
    }
    case "extend": {
      const { values, positionals } = parse(rest, { "size-gb": { type: "string" } });
      const id = idPositional(positionals, "a volume id");
      const size = sizeGbFlag(values["size-gb"]);
      return withBackends(values.config, async (backends) => printVolume(await (await backends.driverForId(id)).extendVolume(id, size), values.json));
    }
    case "delete": {
      const { values, positionals } = parse(rest, {});
      const id = idPositional(positionals, "a volume id");
      return withBackends(values.config, async (backends) => {
        await (await backends.driverForId(id)).deleteVolume(id);
        if (values.json) printJson({ id, deleted: true });
        else process.stdout.write(`deleted ${id}\n`);
      });
    }
    default:
      throw new UsageError(action ? `unknown volume action '${action}'` : "volume needs an action");
  }
}

async function create(rest: string[]): Promise<void> {
  const { values, positionals } = parse(rest, {
    backend: { type: "string" },
    "size-gb": { type: "string" },
    thin: { type: "boolean" },
    thick: { type: "boolean" },
    name: { type: "string" },
    host: { type: "string" },
    "from-snapshot": { type: "string" },
    "from-volume": { type: "string" },
    description: { type: "string" },
    label: { type: "string", multiple: true },
    uuid: { type: "string" },
  });
  noPositionals(positionals);
  if (values.thin && values.thick) throw new UsageError("choose one of --thin and --thick");
  if (values["from-snapshot"] && values["from-volume"]) throw new UsageError("choose one of --from-snapshot and --from-volume");
  const request: Omit<VolumeSpec, "uuid"> = {
    name: values.name,
    sizeGib: sizeGbFlag(values["size-gb"]),
    provisioning: values.thin ? "thin" : values.thick ? "thick" : undefined,
    host: values.host,
    description: values.description,
    labels: labelsFlag(values.label),
  };
  const source = idFlag(values["from-snapshot"], "--from-snapshot") ?? idFlag(values["from-volume"], "--from-volume");
  await withBackends(values.config, async (backends) => {
    const backend = source ? (values.backend ?? source.split("/")[0] ?? "") : pickBackend(backends, values.backend);
    if (source && values.backend && source.split("/")[0] !== values.backend) {
      throw new UsageError(
        `--from-${values["from-snapshot"] ? "snapshot" : "volume"} ${printable(source)} belongs to backend '${printable(source.split("/")[0] ?? "")}', not --backend '${printable(values.backend)}'`,
      );
    }
    const driver = await backends.driver(backend);
    const spec: VolumeSpec = { ...request, uuid: requestUuid(values.uuid, "volume create", { ...request, backend, source }) };
    const volume = values["from-snapshot"]
      ? await driver.createVolumeFromSnapshot(spec, values["from-snapshot"])
      : values["from-volume"]
        ? await driver.createClonedVolume(spec, values["from-volume"])
        : await driver.createVolume(spec);
    printVolume(volume, values.json);
  });
}

function printVolume(volume: Parameters<typeof volumeJson>[0], json: boolean | undefined): void {
  if (json) printJson(volumeJson(volume));
  else {
    const shown = volumeJson(volume);
    for (const [key, value] of Object.entries(shown)) {
      if (value !== undefined) process.stdout.write(`${key.padEnd(11)} ${typeof value === "object" ? JSON.stringify(value) : String(value)}\n`);
    }
  }
}
