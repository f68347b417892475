import { randomUUID } from "node:crypto";
import { backendOf, GroupNotFound, type Backends, type DriverWith, type Group, type GroupSnapshot, type MemberResult } from "../../drivers";
import { noPositionals, idPositional, parse } from "../args";
import { withBackends } from "../backends";
import { printJson, printTable } from "../render";
import { UsageError } from "../usage";

export const groupUsage = `cinderblock group create VOLUME_ID... [--name X] [--uuid U]
cinderblock group create --from-group-snapshot ID | --from-group ID [--name X] [--uuid U]
cinderblock group list [--backend B]
cinderblock group show ID
cinderblock group add ID VOLUME_ID...
cinderblock group remove ID VOLUME_ID...
cinderblock group delete ID [--delete-volumes]
cinderblock group snapshot ID [--name X] [--uuid U]     crash-consistent snapshot of every member
cinderblock group snapshots [--backend B]
cinderblock group delete-snapshot GROUP_SNAPSHOT_ID
  (each takes --json and --config PATH)`;

const groups = (backends: Backends, id: string): Promise<DriverWith<"groups">> => backends.withCapability(backendOf(id), "groups");

function groupJson(group: Group) {
  return { id: group.id, name: group.name, uuid: group.uuid, backend: group.backend, host: group.host, vg: group.volumeGroup, volumeIds: group.volumeIds };
}

function groupSnapshotJson(set: GroupSnapshot) {
  return {
    id: set.id,
    name: set.name,
    uuid: set.uuid,
    groupId: set.groupId,
    host: set.host,
    createdAt: set.createdAt,
    ioPauseMs: set.ioPauseMs,
    snapshots: set.snapshots.map((snapshot) => ({ volumeId: snapshot.volumeId, snapshotId: snapshot.id })),
  };
}

function printGroup(group: Group, json: boolean | undefined): void {
  if (json) printJson(groupJson(group));
  else
    printTable(
      group.volumeIds.map((volumeId) => ({ group: group.id, member: volumeId })),
      ["group", "member"],
    );
}

function printGroupSnapshot(set: GroupSnapshot, json: boolean | undefined): void {
  if (json) printJson(groupSnapshotJson(set));
  else {
    printTable(
      set.snapshots.map((snapshot) => ({ volume: snapshot.volumeId, snapshot: snapshot.id })),
      ["volume", "snapshot"],
    );
    if (set.ioPauseMs !== undefined) process.stdout.write(`members' I/O paused for ${set.ioPauseMs} ms\n`);
  }
}

/** Per-member results; the command fails (exit 1) when any member failed. */
function printResults(results: ReadonlyArray<MemberResult<unknown>>, json: boolean | undefined): number {
  if (json) printJson(results.map((result) => (result.ok ? { id: result.id, ok: true } : { id: result.id, ok: false, error: result.error.message })));
  else
    printTable(
      results.map((result) => ({ member: result.id, result: result.ok ? "ok" : result.error.message })),
      ["member", "result"],
    );
  return results.every((result) => result.ok) ? 0 : 1;
}

export async function groupCommand(args: string[]): Promise<void | number> {
  const [action, ...rest] = args;
  switch (action) {
    case "create":
      return create(rest);
    case "list":
    case "snapshots": {
      const { values, positionals } = parse(rest, { backend: { type: "string" } });
      noPositionals(positionals);
      return withBackends(values.config, async (backends) => {
        const names = values.backend ? [values.backend] : backends.names;
        const drivers = await Promise.all(names.map((name) => backends.withCapability(name, "groups")));
        if (action === "list") {
          const found = (await Promise.all(drivers.map((driver) => driver.listGroups()))).flat();
          if (values.json) printJson(found.map(groupJson));
          else
            printTable(
              found.map((group) => ({ id: group.id, members: group.volumeIds.length })),
              ["id", "members"],
            );
        } else {
          const sets = (await Promise.all(drivers.map((driver) => driver.listGroupSnapshots()))).flat();
          if (values.json) printJson(sets.map(groupSnapshotJson));
          else
            printTable(
              sets.map((set) => ({ id: set.id, group: set.groupId, members: set.snapshots.length, created: set.createdAt })),
              ["id", "group", "members", "created"],
            );
        }
      });
    }
    case "show": {
      const { values, positionals } = parse(rest, {});
      const id = idPositional(positionals, "a group id");
      return withBackends(values.config, async (backends) => {
        const group = await (await groups(backends, id)).findGroup(id);
        if (!group) throw new GroupNotFound(id);
        printGroup(group, values.json);
      });
    }
    case "add":
    case "remove": {
      const { values, positionals } = parse(rest, {});
      const [id, ...volumeIds] = positionals;
      if (!id || volumeIds.length === 0) throw new UsageError(`group ${action} needs a group id and at least one volume id`);
      return withBackends(values.config, async (backends) => {
        const driver = await groups(backends, id);
        printGroup(await driver.updateGroup(id, action === "add" ? volumeIds : [], action === "remove" ? volumeIds : []), values.json);
      });
    }
    case "delete": {
      const { values, positionals } = parse(rest, { "delete-volumes": { type: "boolean" } });
      const id = idPositional(positionals, "a group id");
      return withBackends(values.config, async (backends) =>
        printResults(await (await groups(backends, id)).deleteGroup(id, values["delete-volumes"] === true), values.json),
      );
    }
    case "snapshot": {
      const { values, positionals } = parse(rest, { name: { type: "string" }, uuid: { type: "string" } });
      const groupId = idPositional(positionals, "a group id");
      return withBackends(values.config, async (backends) => {
        const set = await (await groups(backends, groupId)).createGroupSnapshot({ uuid: values.uuid ?? randomUUID(), groupId, name: values.name });
        printGroupSnapshot(set, values.json);
      });
    }
    case "delete-snapshot": {
      const { values, positionals } = parse(rest, {});
      const id = idPositional(positionals, "a group snapshot id");
      return withBackends(values.config, async (backends) => printResults(await (await groups(backends, id)).deleteGroupSnapshot(id), values.json));
    }
    default:
      throw new UsageError(action ? `unknown group action '${action}'` : "group needs an action");
  }
}

async function create(rest: string[]): Promise<number> {
  const { values, positionals } = parse(rest, {
    name: { type: "string" },
    uuid: { type: "string" },
    "from-group-snapshot": { type: "string" },
    "from-group": { type: "string" },
  });
  const source = values["from-group-snapshot"] ?? values["from-group"];
  if (values["from-group-snapshot"] && values["from-group"]) throw new UsageError("choose one of --from-group-snapshot and --from-group");
  if (source && positionals.length > 0) throw new UsageError("a group made from a source gets new volumes; give no volume ids");
  if (!source && positionals.length === 0) throw new UsageError("group create needs volume ids, --from-group-snapshot or --from-group");
  const spec = { uuid: values.uuid ?? randomUUID(), name: values.name };
  return withBackends(values.config, async (backends) => {
    if (!source) {
      printGroup(await (await groups(backends, positionals[0] ?? "")).createGroup({ ...spec, volumeIds: positionals }), values.json);
      return 0;
    }
    const driver = await groups(backends, source);
    const made = await driver.createGroupFromSource(spec, values["from-group-snapshot"] ? { groupSnapshotId: source } : { groupId: source });
    if (values.json) {
      printJson({
        group: groupJson(made.group),
        volumes: made.volumes.map((result) =>
          result.ok ? { source: result.id, ok: true, volumeId: result.value.id } : { source: result.id, ok: false, error: result.error.message },
        ),
      });
    } else {
      printTable(
        made.volumes.map((result) => ({ source: result.id, volume: result.ok ? result.value.id : `failed: ${result.error.message}` })),
        ["source", "volume"],
      );
      process.stdout.write(`group ${made.group.id}\n`);
    }
    return made.volumes.every((result) => result.ok) ? 0 : 1;
  });
}
