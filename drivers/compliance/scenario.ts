import { randomUUID } from "node:crypto";
import type { DriverWith } from "../interface/capabilities";
import { VolumeIsBusy } from "../interface/errors";
import type { BackendStats, PoolStats, Snapshot, Volume } from "../interface/types";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export type ConformanceDriver = DriverWith<"core" | "dataAccess">;

export interface StepResult {
  step: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface ScenarioResult {
  passed: boolean;
  steps: StepResult[];
}

/** A failed expectation of the scenario: says what the contract wanted and what happened. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "ConformanceFailure", enumerable: false });
  }
}

function expectThat(condition: boolean, message: string): void {
  if (!condition) throw new ConformanceFailure(message);
}

function block(label: string): Buffer {
  const data = Buffer.alloc(MiB, label.charCodeAt(0));
  data.write(`cinderblock conformance ${label}`, 0, "utf8");
  return data;
}

function poolOf(stats: BackendStats, host: string): PoolStats {
  const pool = stats.pools.find((candidate) => candidate.pool_name === host);
  if (!pool) throw new ConformanceFailure(`stats have no pool for host ${host}`);
  return pool;
}

/**
 * The behaviour every driver must show against a real backend, in one pass: create, stats
 * reflect it, snapshot, volume from snapshot, clone, extend, data checked after each step,
 * delete, stats back. It stops at the first broken promise and always removes what it made.
 */
export async function runConformance(driver: ConformanceDriver, log: (line: string) => void = () => undefined): Promise<ScenarioResult> {
  const steps: StepResult[] = [];
  const made: Array<{ kind: "volume" | "snapshot"; id: string }> = [];
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      const value = await work();
      steps.push({ step: name, ok: true, ms: Date.now() - started });
      log(`  ok   ${name}`);
      return value;
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      steps.push({ step: name, ok: false, ms: Date.now() - started, error: message });
      log(`  FAIL ${name}: ${message}`);
      throw error;
    }
  };
  const read = (target: { volumeId: string } | { snapshotId: string }, offset: number): Promise<Buffer> => driver.readData(target, offset, MiB);
  const same = (actual: Buffer, expected: Buffer): boolean => actual.equals(expected);
  const [A, tail, B, C, D] = ["A", "T", "B", "C", "D"].map(block) as [Buffer, Buffer, Buffer, Buffer, Buffer];

  try {
    const before = await step("stats can be read", () => driver.getVolumeStats(true));
    const volume = await step("create a 1 GiB volume", async () => {
      const created = await driver.createVolume({ uuid: randomUUID(), sizeGib: 1 });
      made.push({ kind: "volume", id: created.id });
      expectThat(created.sizeGib === 1, `the new volume reports ${created.sizeGib} GiB, not 1`);
      const found = await driver.findVolume(created.id);
      expectThat(found?.id === created.id && found.sizeGib === 1, "findVolume does not return the volume just created");
      return created;
    });
    const host = volume.host;
    await step("stats reflect the new volume", async () => {
      const now = poolOf(await driver.getVolumeStats(true), host);
      const then = poolOf(before, host);
      expectThat(now.total_volumes >= then.total_volumes + 1, `total_volumes went from ${then.total_volumes} to ${now.total_volumes}`);
      expectThat(
        now.provisioned_capacity_gb >= then.provisioned_capacity_gb + 0.99,
        `provisioned_capacity_gb went from ${then.provisioned_capacity_gb} to ${now.provisioned_capacity_gb} after a 1 GiB create`,
      );
    });
    await step("write data to the volume", async () => {
      await driver.writeData(volume.id, 0, A);
      await driver.writeData(volume.id, GiB - MiB, tail);
      expectThat(same(await read({ volumeId: volume.id }, 0), A), "the volume does not read back what was written");
    });
    const snapshot: Snapshot = await step("snapshot the volume", async () => {
      const taken = await driver.createSnapshot({ uuid: randomUUID(), volumeId: volume.id });
      made.push({ kind: "snapshot", id: taken.id });
      expectThat(taken.volumeId === volume.id, `the snapshot names volume ${taken.volumeId}, not ${volume.id}`);
      expectThat((await driver.findSnapshot(taken.id))?.id === taken.id, "findSnapshot does not return the snapshot just taken");
      return taken;
    });
    await step("the snapshot holds the data from before it, not after", async () => {
      await driver.writeData(volume.id, 0, B);
      expectThat(same(await read({ snapshotId: snapshot.id }, 0), A), "a write made after the snapshot shows in the snapshot (it is not point-in-time)");
      expectThat(same(await read({ snapshotId: snapshot.id }, GiB - MiB), tail), "the snapshot lost the data at the volume's end");
    });
    const fromSnapshot: Volume = await step("create a 2 GiB volume from the snapshot", async () => {
      const created = await driver.createVolumeFromSnapshot({ uuid: randomUUID(), sizeGib: 2 }, snapshot.id);
      made.push({ kind: "volume", id: created.id });
      expectThat(created.sizeGib === 2, `the volume from the snapshot is ${created.sizeGib} GiB, not the 2 asked for`);
      expectThat(same(await read({ volumeId: created.id }, 0), A), "the volume from the snapshot does not hold the snapshot's data");
      expectThat(same(await read({ volumeId: created.id }, GiB - MiB), tail), "the volume from the snapshot lost the data at the snapshot's end");
      return created;
    });
    await step("clone the volume; later writes to the source stay out of the clone", async () => {
      const clone = await driver.createClonedVolume({ uuid: randomUUID(), sizeGib: 1 }, volume.id);
      made.push({ kind: "volume", id: clone.id });
      expectThat(same(await read({ volumeId: clone.id }, 0), B), "the clone does not hold the source's data at the time of cloning");
      await driver.writeData(volume.id, 0, C);
      expectThat(same(await read({ volumeId: clone.id }, 0), B), "a write to the source after cloning shows in the clone");
      await driver.deleteVolume(clone.id);
    });
    await step("extend the volume to 2 GiB; its data survives", async () => {
      const grown = await driver.extendVolume(volume.id, 2);
      expectThat(grown.sizeGib === 2 && (await driver.findVolume(volume.id))?.sizeGib === 2, "the volume does not report 2 GiB after extending");
      expectThat(same(await read({ volumeId: volume.id }, 0), C), "the volume's data did not survive the extend");
      await driver.writeData(volume.id, 2 * GiB - MiB, D);
      expectThat(same(await read({ volumeId: volume.id }, 2 * GiB - MiB), D), "the extended space cannot be written and read back");
    });
    await step("deleting a volume that has a snapshot is refused", async () => {
      const refused = await driver.deleteVolume(volume.id).then(
        () => undefined,
        (error: unknown) => error,
      );
      expectThat(refused instanceof VolumeIsBusy, `deleting a volume with a snapshot gave ${refused ? (refused as Error).name : "success"}, not VolumeIsBusy`);
      expectThat((await driver.findVolume(volume.id)) !== undefined, "the refused delete removed the volume");
    });
    await step("delete everything; deletes are idempotent", async () => {
      await driver.deleteVolume(fromSnapshot.id);
      await driver.deleteSnapshot(snapshot.id);
      await driver.deleteVolume(volume.id);
      expectThat((await driver.findVolume(volume.id)) === undefined, "the volume is still found after deleting it");
      expectThat((await driver.findSnapshot(snapshot.id)) === undefined, "the snapshot is still found after deleting it");
      await driver.deleteVolume(volume.id);
      await driver.deleteSnapshot(snapshot.id);
    });
    await step("stats are back to where they started", async () => {
      const now = poolOf(await driver.getVolumeStats(true), host);
      const then = poolOf(before, host);
      expectThat(now.total_volumes === then.total_volumes, `total_volumes is ${now.total_volumes}, was ${then.total_volumes}`);
      expectThat(
        Math.abs(now.provisioned_capacity_gb - then.provisioned_capacity_gb) < 0.01,
        `provisioned_capacity_gb is ${now.provisioned_capacity_gb}, was ${then.provisioned_capacity_gb}`,
      );
    });
    return { passed: true, steps };
  } catch (error) {
    if (!(error instanceof ConformanceFailure) && !steps.some((result) => !result.ok)) {
      steps.push({ step: "(scenario)", ok: false, ms: 0, error: (error as Error).message });
    }
    return { passed: false, steps };
  } finally {
    for (const object of made.reverse()) {
      const remove = object.kind === "volume" ? driver.deleteVolume(object.id) : driver.deleteSnapshot(object.id);
      await remove.catch(() => undefined);
    }
  }
}
