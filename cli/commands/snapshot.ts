import { noPositionals, idPositional, parse } from "../args";
import { withBackends } from "../backends";
import { snapshotJson, snapshotRow } from "../present";
import { printJson, printTable } from "../render";
import { requestUuid } from "../requestUuid";
import { UsageError } from "../usage";

export const snapshotUsage = `cinderblock snapshot create VOLUME_ID [--name X] [--description D] [--uuid U]   (--name without --uuid: retrying the same command converges)
cinderblock snapshot list [--backend B]
cinderblock snapshot delete ID
  (each takes --json and --config PATH)`;

export async function snapshotCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "create": {
      const { values, positionals } = parse(rest, { name: { type: "string" }, description: { type: "string" }, uuid: { type: "string" } });
      const volumeId = idPositional(positionals, "a volume id");
      return withBackends(values.config, async (backends) => {
        const request = { volumeId, name: values.name, description: values.description };
        const snapshot = await (
          await backends.driverForId(volumeId)
        ).createSnapshot({ ...request, uuid: requestUuid(values.uuid, "snapshot create", request) });
        if (values.json) printJson(snapshotJson(snapshot));
        else printTable([snapshotRow(snapshot)], ["id", "volume", "size", "type"]);
      });
    }
    case "list": {
      const { values, positionals } = parse(rest, { backend: { type: "string" } });
      noPositionals(positionals);
      return withBackends(values.config, async (backends) => {
        const names = values.backend ? [values.backend] : backends.names;
        const snapshots = (await Promise.all(names.map(async (name) => (await backends.driver(name)).listSnapshots()))).flat();
        if (values.json) printJson(snapshots.map(snapshotJson));
        else printTable(snapshots.map(snapshotRow), ["id", "volume", "size", "type"]);
      });
    }
    case "delete": {
      const { values, positionals } = parse(rest, {});
      const id = idPositional(positionals, "a snapshot id");
      return withBackends(values.config, async (backends) => {
        await (await backends.driverForId(id)).deleteSnapshot(id);
        if (values.json) printJson({ id, deleted: true });
        else process.stdout.write(`deleted ${id}\n`);
      });
    }
    default:
      throw new UsageError(action ? `unknown snapshot action '${action}'` : "snapshot needs an action");
  }
}
