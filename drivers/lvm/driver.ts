import type { VolumeDataAccess } from "../interface/dataAccess";
import { InvalidInput } from "../interface/errors";
import type { BackendStats, Snapshot, SnapshotSpec, Volume, VolumeMetadata, VolumeSpec } from "../interface/types";
import type { VolumeDriverCore } from "../interface/volumeDriver";
import { volumeDriver, type DriverContext } from "../registry";
import { LvmBackend } from "./backend";
import { lvmBackendSchema, type LvmBackendConfig } from "./config";
import * as data from "./data";
import { toSnapshot, toVolume } from "./model";
import * as snapshots from "./snapshots";
import * as volumes from "./volumes";

/**
 * Cinder's LVM reference driver, run over SSH: one instance per backend, whose hosts each hold
 * a volume group. Every volume is consumed through its gate device (see gates.ts). The work is
 * in one module per capability; this class is the registered face of it.
 */
@volumeDriver({ name: "lvm", capabilities: ["core", "dataAccess"], configSchema: lvmBackendSchema })
export class LvmDriver implements VolumeDriverCore, VolumeDataAccess {
  readonly version = "1.0.0";
  readonly ciWikiName = "cinderblock_LVM_CI";
  readonly driverName = "LVM over SSH";
  readonly description = "Volumes and snapshots as LVM logical volumes (thick or thin) on hosts reached over SSH.";

  protected readonly lvm: LvmBackend;

  constructor(backend: string, config: LvmBackendConfig, context: DriverContext) {
    this.lvm = new LvmBackend(backend, config, this.version, context);
  }

  /** Hosts are set up lazily, on first use, so one unreachable host does not block the others. */
  async doSetup(): Promise<void> {
    const names = this.lvm.config.hosts.map((host) => host.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw new InvalidInput(`backend ${this.lvm.name} lists host '${duplicate}' twice`);
  }

  async checkForSetupError(): Promise<void> {
    await Promise.all(this.lvm.hosts.names.map((name) => this.lvm.hosts.ready(name)));
  }

  getVolumeStats(refresh = false): Promise<BackendStats> {
    return this.lvm.stats(refresh);
  }

  createVolume(spec: VolumeSpec): Promise<Volume> {
    return volumes.createVolume(this.lvm, spec);
  }

  async findVolume(id: string): Promise<Volume | undefined> {
    const found = await this.lvm.lookup(id, "volume");
    return found && toVolume(this.lvm.place(found.ready), found.lv, found.tags);
  }

  async listVolumes(): Promise<Volume[]> {
    return (await this.lvm.listOwn("volume")).map(({ ready, lv, tags }) => toVolume(this.lvm.place(ready), lv, tags));
  }

  deleteVolume(id: string): Promise<void> {
    return volumes.deleteVolume(this.lvm, id);
  }

  updateVolume(id: string, changes: VolumeMetadata): Promise<Volume> {
    return volumes.updateVolume(this.lvm, id, changes);
  }

  extendVolume(id: string, newSizeGib: number): Promise<Volume> {
    return volumes.extendVolume(this.lvm, id, newSizeGib);
  }

  createSnapshot(spec: SnapshotSpec): Promise<Snapshot> {
    return snapshots.createSnapshot(this.lvm, spec);
  }

  async findSnapshot(id: string): Promise<Snapshot | undefined> {
    const found = await this.lvm.lookup(id, "snapshot");
    return found && toSnapshot(this.lvm.place(found.ready), found.lv, found.tags);
  }

  async listSnapshots(): Promise<Snapshot[]> {
    return (await this.lvm.listOwn("snapshot")).map(({ ready, lv, tags }) => toSnapshot(this.lvm.place(ready), lv, tags));
  }

  deleteSnapshot(id: string): Promise<void> {
    return snapshots.deleteSnapshot(this.lvm, id);
  }

  createVolumeFromSnapshot(spec: VolumeSpec, snapshotId: string): Promise<Volume> {
    return volumes.createVolumeFromSnapshot(this.lvm, spec, snapshotId);
  }

  createClonedVolume(spec: VolumeSpec, sourceId: string): Promise<Volume> {
    return volumes.createClonedVolume(this.lvm, spec, sourceId);
  }

  writeData(volumeId: string, offsetBytes: number, bytes: Buffer): Promise<void> {
    return data.writeData(this.lvm, volumeId, offsetBytes, bytes);
  }

  readData(target: { volumeId: string } | { snapshotId: string }, offsetBytes: number, length: number): Promise<Buffer> {
    return data.readData(this.lvm, target, offsetBytes, length);
  }

  async close(): Promise<void> {
    this.lvm.invalidateStats();
  }
}
