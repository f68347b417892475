import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { backendOf, VolumeBackendAPIException, type DriverWith, type GroupSnapshot } from "../drivers";
import { backends, configureFromStack } from "./config";
import type { ResourceHandlers } from "./handlers";
import { keepIdentity, replacementReusesIdentity } from "./keepIdentity";
import { createNotingTakeOver, leaveToTakeOver } from "./takeOver";
import { identitySeed, lvName, objectId, uuid } from "./schemas";
import { differs, parseInputs, validate, type RawProperties } from "./validation";

/**
 * GroupSnapshot: a crash-consistent snapshot of every member of a ConsistencyGroup, taken at
 * one instant. Each member's snapshot is a normal snapshot: a Volume's `sourceSnapshotId` can
 * name it (`snapshotIds[volumeId]`). A point in time cannot change, so every input replaces it.
 */

export const groupSnapshotInputSchema = z
  .object({
    groupId: objectId("group"),
    name: lvName,
    uuid,
    identity: identitySeed.optional(),
  })
  .strict();

export type GroupSnapshotInputs = z.output<typeof groupSnapshotInputSchema>;

export type GroupSnapshotOutputs = GroupSnapshotInputs & {
  backend: string;
  host: string;
  /** Member volume id → the id of its snapshot in the set. */
  snapshotIds: Record<string, string>;
  /** ISO 8601. */
  createdAt: string;
  /** How long the members' I/O was paused when the set was taken (known from create on; kept by refresh). */
  ioPauseMs?: number | undefined;
};

const REPLACE_KEYS = ["groupId", "name", "uuid"] as const;

async function groupsDriver(id: string): Promise<DriverWith<"groups">> {
  return (await backends()).withCapability(backendOf(id), "groups");
}

function outputsOf(set: GroupSnapshot, ioPauseMs: unknown): GroupSnapshotOutputs {
  return {
    groupId: set.groupId,
    name: set.name,
    uuid: set.uuid,
    backend: set.backend,
    host: set.host,
    snapshotIds: Object.fromEntries(set.snapshots.map((snapshot) => [snapshot.volumeId, snapshot.id])),
    createdAt: set.createdAt,
    ...(typeof ioPauseMs === "number" && { ioPauseMs }),
  };
}

export const groupSnapshotProvider = {
  configure: configureFromStack,

  async check(olds: RawProperties, given: RawProperties): Promise<pulumi.dynamic.CheckResult<GroupSnapshotInputs>> {
    const news = keepIdentity(olds, given, REPLACE_KEYS);
    const { value, failures } = validate(groupSnapshotInputSchema, news);
    return { inputs: value ?? (news as GroupSnapshotInputs), failures };
  },

  async diff(_id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult> {
    const replaces = REPLACE_KEYS.filter((key) => differs(olds, news, key));
    return replaces.length > 0 ? { changes: true, replaces, deleteBeforeReplace: replacementReusesIdentity(olds, news) } : { changes: false };
  },

  async create(raw: RawProperties): Promise<pulumi.dynamic.CreateResult<GroupSnapshotOutputs>> {
    const inputs = parseInputs(groupSnapshotInputSchema, raw, "GroupSnapshot");
    const driver = await groupsDriver(inputs.groupId);
    const exists = async () => (await driver.listGroupSnapshots()).some((set) => set.uuid === inputs.uuid);
    const set = await createNotingTakeOver(exists, () => driver.createGroupSnapshot(inputs));
    return { id: set.id, outs: outputsOf(set, set.ioPauseMs) };
  },

  /** `{}` when the set is gone (or was never completed). */
  async read(id: string, stored?: RawProperties): Promise<{ id?: string; props?: GroupSnapshotOutputs; inputs?: GroupSnapshotInputs }> {
    const set = await (await groupsDriver(id)).findGroupSnapshot(id);
    if (!set) return {};
    const props = outputsOf(set, stored?.ioPauseMs);
    return { id: set.id, props, inputs: { groupId: props.groupId, name: props.name, uuid: props.uuid } };
  },

  /** Absent is success; a member that cannot be removed fails the delete, naming it. */
  async delete(id: string): Promise<void> {
    if (leaveToTakeOver(id, "group snapshot")) return;
    const results = await (await groupsDriver(id)).deleteGroupSnapshot(id);
    const failed = results.flatMap((result) => (result.ok ? [] : [`${result.id}: ${result.error.message}`]));
    if (failed.length > 0) throw new VolumeBackendAPIException(`deleting group snapshot ${id}: ${failed.join("; ")}`);
  },
} satisfies ResourceHandlers<GroupSnapshotInputs, GroupSnapshotOutputs>;
