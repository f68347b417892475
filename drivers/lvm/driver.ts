import type { VolumeDataAccess } from "../interface/dataAccess";
import { InvalidInput } from "../interface/errors";
import type { ExportDriver } from "../interface/exportDriver";
import type { Leftover, LeftoverFix, LeftoverSweeper } from "../interface/doctorDriver";
import type { ConsistencyGroupDriver } from "../interface/groupDriver";
import type { CopyOptions, ImageDriver, RemoveImageResult } from "../interface/imageDriver";
import type { ManageOptions, SnapshotManagementDriver, VolumeListManageableDriver, VolumeManagementDriver } from "../interface/manageableDriver";
import type { ConnectionInfo, Connector, ExportProtocol, VolumeExport } from "../interface/types";
import type { ExistingRef, ManageableSnapshot, ManageableVolume, ManageSnapshotSpec, ManageVolumeSpec } from "../interface/types";
import type { BackendStats, ImageInfo, ImageSpec, ImageTarget, Snapshot, SnapshotSpec, Volume, VolumeMetadata, VolumeSpec } from "../interface/types";
import type { Group, GroupSnapshot, GroupSnapshotSpec, GroupSource, GroupSpec, MemberResult } from "../interface/types";
import type { VolumeDriverCore } from "../interface/volumeDriver";
import { volumeDriver, type DriverContext } from "../registry";
import { LvmBackend } from "./core/backend";
import { gateSizeBytes } from "./core/gates";
import { lvmBackendSchema, type LvmBackendConfig } from "./config";
import * as data from "./volumes/data";
import * as exporting from "./exports/exports";
import { hostSetup } from "./hostSetup";
import * as groupRestore from "./groups/restore";
import * as groupSnapshots from "./groups/snapshots";
import * as groups from "./groups/groups";
import * as images from "./images/images";
import * as manage from "./manage/manage";
import * as manageable from "./manage/manageable";
import * as manageSnapshots from "./manage/snapshots";
import * as orphans from "./doctor/orphans";
import { toSnapshot, toVolume } from "./model/model";
import { methodsAsOperations } from "./core/operation";
import * as snapshots from "./volumes/snapshots";
import * as volumes from "./volumes/volumes";
import { type Found, listOwn, lookup } from "./core/lookups";

/**
 * Cinder's LVM reference driver, run over SSH: one instance per backend, whose hosts each hold
 * a volume group. Every volume is consumed through its gate device (see gates.ts). The work is
 * in one module per capability; this class is the registered face of it.
 */
@volumeDriver({
  name: "lvm",
  capabilities: ["core", "dataAccess", "export", "image", "manage", "listManageable", "manageSnapshots", "groups", "doctor"],
  configSchema: lvmBackendSchema,
})
export class LvmDriver
  implements
    VolumeDriverCore,
    VolumeDataAccess,
    ExportDriver,
    ImageDriver,
    VolumeManagementDriver,
    VolumeListManageableDriver,
    SnapshotManagementDriver,
    ConsistencyGroupDriver,
    LeftoverSweeper
{
  readonly version = "1.0.0";
  readonly ciWikiName = "cinderblock_LVM_CI";
  readonly driverName = "LVM over SSH";
  readonly description = "Volumes and snapshots as LVM logical volumes (thick or thin) on hosts reached over SSH.";

  protected readonly lvm: LvmBackend;

  constructor(backend: string, config: LvmBackendConfig, context: DriverContext) {
    this.lvm = new LvmBackend(backend, config, this.version, context, hostSetup);
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
    const found = await lookup(this.lvm, id, "volume", "read");
    return found && this.measured(found);
  }

  async listVolumes(): Promise<Volume[]> {
    return Promise.all((await listOwn(this.lvm, "volume")).map((found) => this.measured(found)));
  }

  /** A volume as read: with what its gate actually exposes (reads never fix a gate). */
  private async measured({ ready, lv, tags }: Found): Promise<Volume> {
    return { ...toVolume(this.lvm.placeOf(ready), lv, tags), deviceSizeBytes: await gateSizeBytes(ready.lvm, lv) };
  }

  findLeftovers(): Promise<Leftover[]> {
    return orphans.findLeftovers(this.lvm);
  }

  fixLeftovers(): Promise<LeftoverFix[]> {
    return orphans.fixLeftovers(this.lvm);
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
    const found = await lookup(this.lvm, id, "snapshot", "read");
    return found && toSnapshot(this.lvm.placeOf(found.ready), found.lv, found.tags);
  }

  async listSnapshots(): Promise<Snapshot[]> {
    return (await listOwn(this.lvm, "snapshot")).map(({ ready, lv, tags }) => toSnapshot(this.lvm.placeOf(ready), lv, tags));
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

  copyImageToVolume(volumeId: string, image: ImageSpec, options?: CopyOptions): Promise<ImageInfo> {
    return images.copyImageToVolume(this.lvm, volumeId, image, options);
  }

  copyVolumeToImage(volumeId: string, target: ImageTarget, options?: CopyOptions): Promise<ImageInfo> {
    return images.copyVolumeToImage(this.lvm, volumeId, target, options);
  }

  findHostImage(volumeId: string, path: string): Promise<ImageInfo | undefined> {
    return images.findHostImage(this.lvm, volumeId, path);
  }

  removeHostImage(volumeId: string, path: string, sha256: string): Promise<RemoveImageResult> {
    return images.removeHostImage(this.lvm, volumeId, path, sha256);
  }

  manageExisting(spec: ManageVolumeSpec, ref: ExistingRef, options?: ManageOptions): Promise<Volume> {
    return manage.manageExisting(this.lvm, spec, ref, options);
  }

  manageExistingGetSize(ref: ExistingRef): Promise<number> {
    return manage.refSizeGib(this.lvm, ref);
  }

  unmanage(id: string): Promise<void> {
    return manage.unmanage(this.lvm, id);
  }

  getManageableVolumes(ref?: ExistingRef): Promise<ManageableVolume[]> {
    return manageable.getManageableVolumes(this.lvm, ref);
  }

  getManageableSnapshots(ref?: ExistingRef): Promise<ManageableSnapshot[]> {
    return manageable.getManageableSnapshots(this.lvm, ref);
  }

  manageExistingSnapshot(spec: ManageSnapshotSpec, ref: ExistingRef, options?: ManageOptions): Promise<Snapshot> {
    return manageSnapshots.manageExistingSnapshot(this.lvm, spec, ref, options);
  }

  manageExistingSnapshotGetSize(ref: ExistingRef): Promise<number> {
    return manage.refSizeGib(this.lvm, ref);
  }

  unmanageSnapshot(id: string): Promise<void> {
    return manageSnapshots.unmanageSnapshot(this.lvm, id);
  }

  createExport(volumeId: string, connector: Connector, protocol: ExportProtocol): Promise<VolumeExport> {
    return exporting.createExport(this.lvm, volumeId, connector, protocol);
  }

  ensureExport(volumeId: string): Promise<VolumeExport | undefined> {
    return exporting.ensureExport(this.lvm, volumeId);
  }

  findExport(volumeId: string): Promise<VolumeExport | undefined> {
    return exporting.findExport(this.lvm, volumeId);
  }

  removeExport(volumeId: string): Promise<boolean> {
    return exporting.removeExport(this.lvm, volumeId);
  }

  initializeConnection(volumeId: string, connector: Connector): Promise<ConnectionInfo> {
    return exporting.initializeConnection(this.lvm, volumeId, connector);
  }

  findConnection(volumeId: string, initiator: string): Promise<ConnectionInfo | undefined> {
    return exporting.findConnection(this.lvm, volumeId, initiator);
  }

  terminateConnection(volumeId: string, connector: Connector | undefined): Promise<boolean> {
    return exporting.terminateConnection(this.lvm, volumeId, connector);
  }

  createGroup(spec: GroupSpec): Promise<Group> {
    return groups.createGroup(this.lvm, spec);
  }

  findGroup(id: string): Promise<Group | undefined> {
    return groups.findGroup(this.lvm, id);
  }

  listGroups(): Promise<Group[]> {
    return groups.listGroups(this.lvm);
  }

  updateGroup(id: string, add: readonly string[], remove: readonly string[]): Promise<Group> {
    return groups.updateGroup(this.lvm, id, add, remove);
  }

  deleteGroup(id: string, deleteVolumes: boolean): Promise<Array<MemberResult<void>>> {
    return groups.deleteGroup(this.lvm, id, deleteVolumes);
  }

  createGroupSnapshot(spec: GroupSnapshotSpec): Promise<GroupSnapshot> {
    return groupSnapshots.createGroupSnapshot(this.lvm, spec);
  }

  findGroupSnapshot(id: string): Promise<GroupSnapshot | undefined> {
    return groupSnapshots.findGroupSnapshot(this.lvm, id);
  }

  listGroupSnapshots(): Promise<GroupSnapshot[]> {
    return groupSnapshots.listGroupSnapshots(this.lvm);
  }

  deleteGroupSnapshot(id: string): Promise<Array<MemberResult<void>>> {
    return groupSnapshots.deleteGroupSnapshot(this.lvm, id);
  }

  createGroupFromSource(spec: Omit<GroupSpec, "volumeIds">, source: GroupSource): Promise<{ group: Group; volumes: Array<MemberResult<Volume>> }> {
    return groupRestore.createGroupFromSource(this.lvm, spec, source);
  }

  async close(): Promise<void> {
    this.lvm.invalidateStats();
  }
}

// Every call is one operation: the host reports it reads are its own or shared with calls running beside it, never older.
methodsAsOperations(LvmDriver.prototype);
