import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { z } from "zod";
import { backendOf, VolumeBackendAPIException, type DriverWith, type Group, type MemberResult } from "../drivers";
import { backends, configureFromStack } from "./config";
import type { ResourceHandlers } from "./handlers";
import { keepIdentity, replacementReusesIdentity } from "./keepIdentity";
import { unknownBackendOrHost } from "./knownBackends";
import { createNotingTakeOver, leaveToTakeOver } from "./takeOver";
import { identitySeed, lvName, objectId, uuid } from "./schemas";
import { differs, parseInputs, validate, type RawProperties } from "./validation";

/**
 * ConsistencyGroup: volumes on one host whose group snapshots are crash-consistent. Its members
 * are either given (`volumeIds`, changed in place) or made by the group from a source (a group
 * snapshot or another group), in which case the group owns them: deleting it deletes them.
 */

const SOURCE_KEYS = ["volumeIds", "sourceGroupSnapshotId", "sourceGroupId"] as const;

export const consistencyGroupInputSchema = z
  .object({
    backend: z.string().min(1, "must name a configured backend"),
    name: lvName,
    volumeIds: z.array(objectId("volume")).min(1, "must list at least one volume (a group exists only through its volumes)").optional(),
    sourceGroupSnapshotId: objectId("group snapshot").optional(),
    sourceGroupId: objectId("group").optional(),
    uuid,
    identity: identitySeed.optional(),
  })
  .strict()
  .superRefine((group, ctx) => {
    const given = SOURCE_KEYS.filter((key) => group[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: "custom",
        path: [given[1] ?? "volumeIds"],
        message: "set exactly one of volumeIds (the members), sourceGroupSnapshotId and sourceGroupId (members made from a source)",
        params: { dependsOn: [...SOURCE_KEYS] },
      });
    }
    const ids = [...(group.volumeIds ?? []), group.sourceGroupSnapshotId, group.sourceGroupId].filter(
      (id): id is string => id !== undefined && id.split("/").length === 4,
    );
    for (const id of ids) {
      if (id.split("/")[0] !== group.backend) {
        ctx.addIssue({
          code: "custom",
          path: ["backend"],
          message: `must be the backend of ${id} (a group's members are on its backend)`,
          params: { dependsOn: [...SOURCE_KEYS] },
        });
      }
    }
    const hosts = new Set((group.volumeIds ?? []).filter((id) => id.split("/").length === 4).map((id) => id.split("/")[1]));
    if (hosts.size > 1) {
      ctx.addIssue({
        code: "custom",
        path: ["volumeIds"],
        message: `must all be on one host (they are on ${[...hosts].join(", ")}): a group snapshot pauses the members' I/O with one host's device-mapper`,
      });
    }
  });

export type ConsistencyGroupInputs = z.output<typeof consistencyGroupInputSchema>;

export type ConsistencyGroupOutputs = ConsistencyGroupInputs & {
  host: string;
  volumeGroup: string;
  /** The member volumes' ids as the backend reports them, sorted. */
  members: string[];
};

/** A different group: replace it. `volumeIds` changes in place. */
const REPLACE_KEYS = ["backend", "name", "uuid", "sourceGroupSnapshotId", "sourceGroupId"] as const;

async function groupsDriver(backend: string): Promise<DriverWith<"groups">> {
  return (await backends()).withCapability(backend, "groups");
}

function outputsOf(group: Group, inputs: ConsistencyGroupInputs): ConsistencyGroupOutputs {
  const fromSource = inputs.sourceGroupSnapshotId !== undefined || inputs.sourceGroupId !== undefined;
  return {
    backend: group.backend,
    name: group.name,
    uuid: group.uuid,
    ...(inputs.sourceGroupSnapshotId !== undefined && { sourceGroupSnapshotId: inputs.sourceGroupSnapshotId }),
    ...(inputs.sourceGroupId !== undefined && { sourceGroupId: inputs.sourceGroupId }),
    ...(!fromSource && { volumeIds: [...group.volumeIds] }),
    host: group.host,
    volumeGroup: group.volumeGroup,
    members: [...group.volumeIds],
  };
}

/** Failed members as one error (their successes are kept: a retry, with the same uuid, finishes the job). */
function requireAllOk(results: ReadonlyArray<MemberResult<unknown>>, doing: string): void {
  const failed = results.flatMap((result) => (result.ok ? [] : [`${result.id}: ${result.error.message}`]));
  if (failed.length > 0) throw new VolumeBackendAPIException(`${doing}: ${failed.length} of ${results.length} member(s) failed: ${failed.join("; ")}`);
}

const sorted = (ids: unknown): unknown => (Array.isArray(ids) ? [...ids].sort() : ids);

/** Whether the new group is given a volume that is a member of the old one (an unknown list may be). */
function sharesMembers(olds: RawProperties, news: RawProperties): boolean {
  const before = Array.isArray(olds.members) ? (olds.members as unknown[]) : Array.isArray(olds.volumeIds) ? (olds.volumeIds as unknown[]) : [];
  if (news.volumeIds === undefined) return false;
  return !Array.isArray(news.volumeIds) || news.volumeIds.some((id) => id === unknownValue || before.includes(id));
}

export const consistencyGroupProvider = {
  configure: configureFromStack,

  async check(olds: RawProperties, given: RawProperties): Promise<pulumi.dynamic.CheckResult<ConsistencyGroupInputs>> {
    const news = keepIdentity(olds, given, REPLACE_KEYS);
    const { value, failures } = validate(consistencyGroupInputSchema, news);
    failures.push(...(await unknownBackendOrHost({ backend: news.backend })));
    return { inputs: value ?? (news as ConsistencyGroupInputs), failures };
  },

  /**
   * Members compare as a set: reordering them changes nothing. A replacement is deleted first
   * when it would take the old group's name or uuid, or one of its given members (a volume is
   * in one group at a time).
   */
  async diff(_id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult> {
    const replaces = REPLACE_KEYS.filter((key) => differs(olds, news, key));
    if (replaces.length > 0) return { changes: true, replaces, deleteBeforeReplace: replacementReusesIdentity(olds, news) || sharesMembers(olds, news) };
    return { changes: differs({ volumeIds: sorted(olds.volumeIds) }, { volumeIds: sorted(news.volumeIds) }, "volumeIds") };
  },

  async create(raw: RawProperties): Promise<pulumi.dynamic.CreateResult<ConsistencyGroupOutputs>> {
    const inputs = parseInputs(consistencyGroupInputSchema, raw, "ConsistencyGroup");
    const driver = await groupsDriver(inputs.backend);
    const spec = { uuid: inputs.uuid, name: inputs.name };
    const exists = async () => (await driver.listGroups()).some((group) => group.uuid === inputs.uuid);
    const { volumeIds } = inputs;
    if (volumeIds) {
      const group = await createNotingTakeOver(exists, () => driver.createGroup({ ...spec, volumeIds }));
      return { id: group.id, outs: outputsOf(group, inputs) };
    }
    const source = inputs.sourceGroupSnapshotId ? { groupSnapshotId: inputs.sourceGroupSnapshotId } : { groupId: inputs.sourceGroupId ?? "" };
    const made = await createNotingTakeOver(exists, async () => {
      const result = await driver.createGroupFromSource(spec, source);
      return { id: result.group.id, ...result };
    });
    requireAllOk(made.volumes, `making group ${inputs.name} from ${Object.values(source)[0]}`);
    return { id: made.group.id, outs: outputsOf(made.group, inputs) };
  },

  /** Live members; for a group of given volumes they are also its inputs, so a change behind Pulumi's back shows as drift. `{}`: gone. */
  async read(id: string, stored?: RawProperties): Promise<{ id?: string; props?: ConsistencyGroupOutputs; inputs?: ConsistencyGroupInputs }> {
    const group = await (await groupsDriver(backendOf(id))).findGroup(id);
    if (!group) return {};
    const source = { sourceGroupSnapshotId: stored?.sourceGroupSnapshotId, sourceGroupId: stored?.sourceGroupId } as Partial<ConsistencyGroupInputs>;
    const props = outputsOf(group, { backend: group.backend, name: group.name, uuid: group.uuid, ...source });
    const { host: _host, volumeGroup: _vg, members: _members, ...inputs } = props;
    return { id: group.id, props, inputs };
  },

  /** Adds and removes members to match `volumeIds`. */
  async update(id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.UpdateResult<ConsistencyGroupOutputs>> {
    const inputs = parseInputs(consistencyGroupInputSchema, news, "ConsistencyGroup");
    const before = (Array.isArray(olds.members) ? olds.members : olds.volumeIds) as string[] | undefined;
    const wanted = inputs.volumeIds ?? [];
    const add = wanted.filter((volumeId) => !(before ?? []).includes(volumeId));
    const remove = (before ?? []).filter((volumeId) => !wanted.includes(volumeId));
    const driver = await groupsDriver(inputs.backend);
    return { outs: outputsOf(await driver.updateGroup(id, add, remove), inputs) };
  },

  /** A group made from a source owns its volumes and deletes them; a group of given volumes leaves them. Absent is success. */
  async delete(id: string, props: RawProperties): Promise<void> {
    if (leaveToTakeOver(id, "consistency group")) return;
    const fromSource = props.sourceGroupSnapshotId !== undefined || props.sourceGroupId !== undefined;
    const results = await (await groupsDriver(backendOf(id))).deleteGroup(id, fromSource);
    requireAllOk(results, `deleting group ${id}`);
  },
} satisfies ResourceHandlers<ConsistencyGroupInputs, ConsistencyGroupOutputs>;
