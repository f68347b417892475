import { Writable } from "node:stream";
import { GIB } from "../interface/capacity";
import type { VolumeDataAccess } from "../interface/dataAccess";
import {
  InvalidInput,
  SnapshotNotFound,
  VolumeAlreadyExists,
  VolumeIsBusy,
  VolumeNotFound,
  VolumeSizeExceedsAvailableQuota,
} from "../interface/errors";
import type { BackendStats, Provisioning, Snapshot, SnapshotSpec, Volume, VolumeMetadata, VolumeSpec } from "../interface/types";
import type { VolumeDriverCore } from "../interface/volumeDriver";
import { volumeDriver, type DriverContext } from "../registry";
import { copyDevice, readDevice, writeDevice, zeroDevice } from "./commands/dd";
import { lvcreate, type LvcreateRequest } from "./commands/lvcreate";
import { activate, changeTags } from "./commands/lvchange";
import { lvextend } from "./commands/lvextend";
import { lvremove } from "./commands/lvremove";
import { findLv, listLvs } from "./commands/lvs";
import { getVg } from "./commands/vgs";
import { lvmBackendSchema, type LvmBackendConfig } from "./config";
import { toDriverError } from "./errors";
import { ensureGate, removeGate } from "./gates";
import { BackendHosts, gateLockName, type ReadyHost } from "./hosts";
import { formatId, parseId } from "./ids";
import {
  checkSizeGib,
  checkVolumeSpec,
  gibOf,
  DELETING_TAG,
  INCOMPLETE_TAG,
  isLive,
  ownTags,
  provisioningOf,
  toSnapshot,
  toVolume,
  type HostPlace,
} from "./model";
import { cowMapperPath, escapeLvName, lvMapperPath } from "./names";
import type { LvRow } from "./report";
import { backendStats, downPoolStats, poolStats } from "./stats";
import { checkDescription, checkLabels, checkUuid, encodeTags, ownTagKey, type CinderblockTags, type LvKind } from "./tags";

/** A thin pool this full takes no new volumes: LVM would have to stop writes once it fills. */
const POOL_FULL_PERCENT = 95;

interface Found {
  ready: ReadyHost;
  lv: LvRow;
  tags: CinderblockTags;
}

/**
 * Cinder's LVM reference driver, run over SSH: one instance per backend, whose hosts each hold
 * a volume group. Every volume is consumed through its gate device (see gates.ts).
 */
@volumeDriver({ name: "lvm", capabilities: ["core", "dataAccess"], configSchema: lvmBackendSchema })
export class LvmDriver implements VolumeDriverCore, VolumeDataAccess {
  readonly version = "1.0.0";
  readonly ciWikiName = "cinderblock_LVM_CI";
  readonly driverName = "LVM over SSH";
  readonly description = "Volumes and snapshots as LVM logical volumes (thick or thin) on hosts reached over SSH.";

  private readonly hosts: BackendHosts;
  private cachedStats: BackendStats | undefined;

  constructor(
    readonly backend: string,
    private readonly config: LvmBackendConfig,
    context: DriverContext,
  ) {
    this.hosts = new BackendHosts(config, context.ssh, context.logger);
  }

  /** Hosts are set up lazily, on first use, so one unreachable host does not block the others. */
  async doSetup(): Promise<void> {
    const names = this.config.hosts.map((host) => host.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) throw new InvalidInput(`backend ${this.backend} lists host '${duplicate}' twice`);
  }

  async checkForSetupError(): Promise<void> {
    await Promise.all(this.hosts.names.map((name) => this.hosts.ready(name)));
  }

  async getVolumeStats(refresh = false): Promise<BackendStats> {
    if (this.cachedStats && !refresh) return this.cachedStats;
    const pools = await Promise.all(
      this.hosts.names.map(async (name) => {
        try {
          const ready = await this.hosts.ready(name);
          const [vg, lvs] = await Promise.all([getVg(ready.lvm), listLvs(ready.lvm)]);
          return poolStats({ host: name, vg, lvs, pool: lvs.find((lv) => lv.name === ready.pool) }, this.config);
        } catch (error) {
          return downPoolStats(name, this.config, toDriverError(error, `reading ${name}`).message);
        }
      }),
    );
    this.cachedStats = backendStats(this.backend, this.version, pools, this.config);
    return this.cachedStats;
  }

  async createVolume(spec: VolumeSpec): Promise<Volume> {
    const lvName = checkVolumeSpec(spec);
    const ready = await this.hosts.ready(spec.host ?? this.defaultHost());
    const provisioning = this.provisioningFor(ready, spec.provisioning);
    return this.guard(`creating volume ${lvName}`, async () => {
      const done = await this.reuseOrClear(ready, lvName, spec.uuid, "volume");
      if (done) return toVolume(this.place(ready), done.lv, done.tags);
      const sizeBytes = spec.sizeGib * GIB;
      await this.checkCapacity(ready, provisioning, sizeBytes);
      const tags = encodeTags({ kind: "volume", uuid: spec.uuid, description: spec.description, labels: { ...spec.labels } });
      await lvcreate(ready.lvm, this.newLv(ready, provisioning, lvName, sizeBytes, tags));
      return this.finishVolume(ready, lvName);
    });
  }

  async findVolume(id: string): Promise<Volume | undefined> {
    const found = await this.lookup(id, "volume");
    return found && toVolume(this.place(found.ready), found.lv, found.tags);
  }

  async listVolumes(): Promise<Volume[]> {
    return (await this.listOwn("volume")).map(({ ready, lv, tags }) => toVolume(this.place(ready), lv, tags));
  }

  async deleteVolume(id: string): Promise<void> {
    const { location, ready } = await this.locate(id, "volume");
    await this.guard(`deleting volume ${id}`, async () => {
      const lv = await findLv(ready.lvm, location.lvName);
      if (!lv) return;
      this.requireOwn(id, lv, "volume");
      // Snapshots depend on their origin; volumes made from it (thin clones, whose LVM origin
      // is this LV) do not.
      const dependents = (await listLvs(ready.lvm)).filter((other) => {
        const otherTags = ownTags(other);
        if (otherTags?.kind === "volume") return false;
        return other.origin === lv.name || otherTags?.volume === lv.name;
      });
      if (dependents.length > 0) {
        const ids = dependents.map((other) => formatId({ ...this.place(ready), lvName: other.name }));
        throw new VolumeIsBusy(id, `volume ${id} has ${ids.length} snapshot(s): ${ids.join(", ")}; delete them first`, ids);
      }
      await ready.lvm.withLock(gateLockName(ready.lvm), async () => {
        if (!lv.tags.includes(DELETING_TAG)) await changeTags(ready.lvm, lv.name, { add: [DELETING_TAG] });
        try {
          await removeGate(ready.lvm, lv.name, id);
        } catch (error) {
          await changeTags(ready.lvm, lv.name, { remove: [DELETING_TAG] });
          throw error;
        }
      });
      if (provisioningOf(lv) === "thick") await this.wipe(ready, lv.name, lvMapperPath(ready.lvm.volumeGroup, lv.name), lv.sizeBytes, lv);
      await lvremove(ready.lvm, lv.name);
      this.cachedStats = undefined;
    });
  }

  async updateVolume(id: string, changes: VolumeMetadata): Promise<Volume> {
    if (changes.labels) checkLabels(changes.labels);
    if (changes.description) checkDescription(changes.description);
    const found = await this.lookup(id, "volume");
    if (!found) throw new VolumeNotFound(id);
    const { ready, lv, tags } = found;
    const wanted = encodeTags({
      ...tags,
      description: changes.description ?? tags.description,
      labels: { ...(changes.labels ?? tags.labels) },
    });
    return this.guard(`updating volume ${id}`, async () => {
      await changeTags(ready.lvm, lv.name, {
        add: wanted.filter((tag) => !lv.tags.includes(tag)),
        remove: lv.tags.filter((tag) => ownTagKey(tag) && !wanted.includes(tag)),
      });
      return this.finishVolume(ready, lv.name);
    });
  }

  async extendVolume(id: string, newSizeGib: number): Promise<Volume> {
    checkSizeGib(newSizeGib, "the new size");
    const found = await this.lookup(id, "volume");
    if (!found) throw new VolumeNotFound(id);
    const { ready, lv } = found;
    const newBytes = newSizeGib * GIB;
    if (newBytes < lv.sizeBytes) {
      throw new InvalidInput(`volume ${id} is ${gibOf(lv)} GiB; shrinking it to ${newSizeGib} GiB is not supported (volumes only grow)`);
    }
    return this.guard(`extending volume ${id}`, async () => {
      if (newBytes > lv.sizeBytes) {
        await this.checkCapacity(ready, provisioningOf(lv), newBytes - lv.sizeBytes);
        await lvextend(ready.lvm, lv.name, newBytes);
        this.cachedStats = undefined;
      }
      return this.finishVolume(ready, lv.name);
    });
  }

  async createSnapshot(spec: SnapshotSpec): Promise<Snapshot> {
    checkUuid(spec.uuid);
    if (spec.description) checkDescription(spec.description);
    const lvName = escapeLvName(spec.name ?? `snapshot-${spec.uuid}`);
    const volume = await this.lookup(spec.volumeId, "volume");
    if (!volume) throw new VolumeNotFound(spec.volumeId);
    const { ready, lv: origin } = volume;
    return this.guard(`creating snapshot ${lvName}`, async () => {
      const done = await this.reuseOrClear(ready, lvName, spec.uuid, "snapshot");
      if (done) return toSnapshot(this.place(ready), done.lv, done.tags);
      const tags = encodeTags({ kind: "snapshot", uuid: spec.uuid, description: spec.description, labels: {}, volume: origin.name });
      await lvcreate(ready.lvm, await this.snapshotRequest(ready, origin, lvName, tags, false));
      const lv = await findLv(ready.lvm, lvName);
      if (!lv) throw new SnapshotNotFound(formatId({ ...this.place(ready), lvName }), "it vanished right after lvcreate");
      this.cachedStats = undefined;
      return toSnapshot(this.place(ready), lv, this.requireOwn(spec.volumeId, lv, "snapshot"));
    });
  }

  async findSnapshot(id: string): Promise<Snapshot | undefined> {
    const found = await this.lookup(id, "snapshot");
    return found && toSnapshot(this.place(found.ready), found.lv, found.tags);
  }

  async listSnapshots(): Promise<Snapshot[]> {
    return (await this.listOwn("snapshot")).map(({ ready, lv, tags }) => toSnapshot(this.place(ready), lv, tags));
  }

  async deleteSnapshot(id: string): Promise<void> {
    const { location, ready } = await this.locate(id, "snapshot");
    await this.guard(`deleting snapshot ${id}`, async () => {
      const lv = await findLv(ready.lvm, location.lvName);
      if (!lv) return;
      this.requireOwn(id, lv, "snapshot");
      await this.removeSnapshotLv(ready, lv);
    });
  }

  async createVolumeFromSnapshot(spec: VolumeSpec, snapshotId: string): Promise<Volume> {
    const lvName = checkVolumeSpec(spec);
    const snapshot = await this.lookup(snapshotId, "snapshot");
    if (!snapshot) throw new SnapshotNotFound(snapshotId);
    return this.createFromSource(spec, lvName, snapshot, "snapshot");
  }

  async createClonedVolume(spec: VolumeSpec, sourceId: string): Promise<Volume> {
    const lvName = checkVolumeSpec(spec);
    const source = await this.lookup(sourceId, "volume");
    if (!source) throw new VolumeNotFound(sourceId);
    return this.createFromSource(spec, lvName, source, "volume");
  }

  async writeData(volumeId: string, offsetBytes: number, data: Buffer): Promise<void> {
    checkBlockRange(offsetBytes, data.length);
    const found = await this.lookup(volumeId, "volume");
    if (!found) throw new VolumeNotFound(volumeId);
    const volume = toVolume(this.place(found.ready), found.lv, found.tags);
    if (offsetBytes + data.length > volume.sizeBytes) throw new InvalidInput(`the write ends beyond the ${volume.sizeGib} GiB volume`);
    await this.guard(`writing to ${volumeId}`, () => writeDevice(found.ready.lvm, volume.devicePath, offsetBytes, data));
  }

  async readData(target: { volumeId: string } | { snapshotId: string }, offsetBytes: number, length: number): Promise<Buffer> {
    checkBlockRange(offsetBytes, length);
    const isVolume = "volumeId" in target;
    const id = isVolume ? target.volumeId : target.snapshotId;
    const found = await this.lookup(id, isVolume ? "volume" : "snapshot");
    if (!found) throw isVolume ? new VolumeNotFound(id) : new SnapshotNotFound(id);
    const { ready, lv } = found;
    return this.guard(`reading ${id}`, async () => {
      let device: string;
      if (isVolume) device = toVolume(this.place(ready), lv, found.tags).devicePath;
      else {
        if (!lv.attr.active) await activate(ready.lvm, lv.name);
        device = lvMapperPath(ready.lvm.volumeGroup, lv.name);
      }
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      });
      await readDevice(ready.lvm, device, offsetBytes, length, sink);
      return Buffer.concat(chunks);
    });
  }

  async close(): Promise<void> {
    this.cachedStats = undefined;
  }

  // --- building blocks ---

  private defaultHost(): string {
    const first = this.hosts.names[0];
    if (!first) throw new InvalidInput(`backend ${this.backend} has no hosts`);
    return first;
  }

  private place(ready: ReadyHost): HostPlace {
    return { backend: this.backend, host: ready.lvm.name, volumeGroup: ready.lvm.volumeGroup };
  }

  /** Parses an id and sets up its host; the id must belong to this backend and name its VG. */
  private async locate(id: string, kind: string): Promise<{ location: ReturnType<typeof parseId>; ready: ReadyHost }> {
    const location = parseId(id, kind);
    if (location.backend !== this.backend) throw new InvalidInput(`${kind} ${id} belongs to backend '${location.backend}', not '${this.backend}'`);
    const ready = await this.hosts.ready(location.host);
    if (ready.lvm.volumeGroup !== location.volumeGroup) {
      throw new InvalidInput(`${kind} ${id} names volume group '${location.volumeGroup}', but ${location.host} uses '${ready.lvm.volumeGroup}'`);
    }
    return { location, ready };
  }

  /** The LV behind an id, when it exists, is cinderblock's, is of `kind` and is complete. */
  private async lookup(id: string, kind: LvKind): Promise<Found | undefined> {
    const { location, ready } = await this.locate(id, kind);
    const lv = await this.guard(`looking up ${id}`, () => findLv(ready.lvm, location.lvName));
    const tags = lv && ownTags(lv);
    if (!lv || !tags || tags.kind !== kind || !isLive(lv)) return undefined;
    return { ready, lv, tags };
  }

  private async listOwn(kind: LvKind): Promise<Found[]> {
    const perHost = await Promise.all(
      this.hosts.names.map(async (name) => {
        const ready = await this.hosts.ready(name);
        const lvs = await this.guard(`listing ${name}`, () => listLvs(ready.lvm));
        return lvs.flatMap((lv) => {
          const tags = ownTags(lv);
          return tags && tags.kind === kind && isLive(lv) ? [{ ready, lv, tags }] : [];
        });
      }),
    );
    return perHost.flat();
  }

  private requireOwn(id: string, lv: LvRow, kind: LvKind): CinderblockTags {
    const tags = ownTags(lv);
    if (!tags) throw new InvalidInput(`${id} is not managed by cinderblock (it has no cinderblock tags); refusing to touch it`);
    if (tags.kind !== kind) throw new InvalidInput(`${id} is a ${tags.kind}, not a ${kind}`);
    return tags;
  }

  private provisioningFor(ready: ReadyHost, wanted: Provisioning | undefined): Provisioning {
    const provisioning = wanted ?? (ready.pool ? "thin" : "thick");
    if (provisioning === "thin" && !ready.pool) {
      throw new InvalidInput(
        `host ${ready.lvm.name} of backend ${this.backend} has no thin pool (lvmType ${this.config.lvmType}); ask for a thick volume or set lvmType to "thin"`,
      );
    }
    return provisioning;
  }

  private newLv(ready: ReadyHost, provisioning: Provisioning, name: string, sizeBytes: number, tags: string[]): LvcreateRequest {
    return provisioning === "thin" && ready.pool
      ? { kind: "thin", name, pool: ready.pool, sizeBytes, tags }
      : { kind: "thick", name, sizeBytes, tags };
  }

  /** Refuses requests that cannot fit, before anything is created. */
  private async checkCapacity(ready: ReadyHost, provisioning: Provisioning, sizeBytes: number): Promise<void> {
    const [vg, lvs] = await Promise.all([getVg(ready.lvm), provisioning === "thin" ? listLvs(ready.lvm) : Promise.resolve([])]);
    const gib = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;
    if (provisioning === "thick") {
      if (sizeBytes > vg.freeBytes) {
        throw new VolumeSizeExceedsAvailableQuota(
          `${gib(sizeBytes)} does not fit on ${ready.lvm.name}: volume group ${vg.name} has ${gib(vg.freeBytes)} free; free space or add a PV (vgextend)`,
        );
      }
      return;
    }
    const pool = lvs.find((lv) => lv.name === ready.pool);
    if (!pool) return;
    if ((pool.dataPercent ?? 0) >= POOL_FULL_PERCENT || (pool.metadataPercent ?? 0) >= POOL_FULL_PERCENT) {
      throw new VolumeSizeExceedsAvailableQuota(
        `thin pool ${vg.name}/${pool.name} on ${ready.lvm.name} is full (data ${pool.dataPercent}%, metadata ${pool.metadataPercent}%); extend it (lvextend -L +<size> ${vg.name}/${pool.name}) or delete volumes`,
      );
    }
    const ratio = this.config.maxOverSubscriptionRatio;
    const provisioned = lvs.filter((lv) => lv.pool === pool.name).reduce((sum, lv) => sum + lv.sizeBytes, 0);
    if (typeof ratio === "number" && provisioned + sizeBytes > pool.sizeBytes * ratio) {
      throw new VolumeSizeExceedsAvailableQuota(
        `${gib(sizeBytes)} would over-subscribe thin pool ${vg.name}/${pool.name} on ${ready.lvm.name} beyond ${ratio}x its ${gib(pool.sizeBytes)} (${gib(provisioned)} provisioned); raise maxOverSubscriptionRatio or grow the pool`,
      );
    }
  }

  /**
   * Idempotency and crash recovery for creates. The LV `lvName` may already exist: when it is
   * this request's (same uuid) and complete, it is returned; when it is this request's but a
   * crash left it incomplete, it is removed so the create starts over; anything else is a
   * conflict. Temporary LVs of an earlier attempt are removed too.
   */
  private async reuseOrClear(ready: ReadyHost, lvName: string, uuid: string, kind: LvKind): Promise<Found | undefined> {
    const lvs = await listLvs(ready.lvm);
    for (const temp of lvs.filter((lv) => ownTags(lv)?.kind === "temp" && ownTags(lv)?.tempFor === uuid)) {
      await this.removeSnapshotLv(ready, temp);
    }
    const byUuid = lvs.find((lv) => ownTags(lv)?.uuid === uuid && ownTags(lv)?.kind === kind);
    const byName = lvs.find((lv) => lv.name === lvName);
    if (byUuid && byUuid !== byName) {
      throw new VolumeAlreadyExists(`uuid ${uuid} already belongs to ${byUuid.name} on ${ready.lvm.name}`);
    }
    if (!byName) return undefined;
    const tags = ownTags(byName);
    if (!tags || tags.uuid !== uuid || tags.kind !== kind) {
      const owner = tags ? `cinderblock ${tags.kind} ${tags.uuid}` : "not created by cinderblock";
      throw new VolumeAlreadyExists(
        `an LV named ${lvName} already exists in ${ready.lvm.volumeGroup} on ${ready.lvm.name} (${owner}); choose another name`,
      );
    }
    if (!isLive(byName)) {
      await removeGate(ready.lvm, byName.name, lvName);
      await lvremove(ready.lvm, byName.name);
      return undefined;
    }
    if (kind === "volume") await ensureGate(ready.lvm, byName);
    return { ready, lv: byName, tags };
  }

  private async snapshotRequest(ready: ReadyHost, origin: LvRow, name: string, tags: string[], activateIt: boolean): Promise<LvcreateRequest> {
    if (provisioningOf(origin) === "thin") return { kind: "thinSnapshot", name, origin: origin.name, tags, activate: activateIt };
    // A thick snapshot's copy-on-write area is as large as its origin, as in Cinder: it never overflows.
    await this.checkCapacity(ready, "thick", origin.sizeBytes);
    return { kind: "thickSnapshot", name, origin: origin.name, cowBytes: origin.sizeBytes, tags };
  }

  /**
   * A volume from a snapshot or a clone of a volume, on the source's host. Thin to thin is a
   * snapshot of the source (instant); anything else is a block copy. A thick source is copied
   * from a temporary snapshot, so writes during the copy do not tear it; the temporary LV is
   * removed whatever happens.
   */
  private async createFromSource(spec: VolumeSpec, lvName: string, source: Found, kind: "snapshot" | "volume"): Promise<Volume> {
    const { ready, lv: sourceLv } = source;
    const sourceId = formatId({ ...this.place(ready), lvName: sourceLv.name });
    if (spec.host && spec.host !== ready.lvm.name) {
      throw new InvalidInput(`a volume made from ${kind} ${sourceId} must be on its host ${ready.lvm.name}, not ${spec.host}; leave host unset`);
    }
    const sizeBytes = spec.sizeGib * GIB;
    if (sizeBytes < sourceLv.sizeBytes) {
      throw new InvalidInput(`the new volume (${spec.sizeGib} GiB) must be at least as large as ${kind} ${sourceId} (${gibOf(sourceLv)} GiB)`);
    }
    const provisioning = this.provisioningFor(ready, spec.provisioning ?? provisioningOf(sourceLv));
    return this.guard(`creating volume ${lvName} from ${kind} ${sourceId}`, async () => {
      const done = await this.reuseOrClear(ready, lvName, spec.uuid, "volume");
      if (done) return toVolume(this.place(ready), done.lv, done.tags);
      const tags = [
        ...encodeTags({ kind: "volume", uuid: spec.uuid, description: spec.description, labels: { ...spec.labels }, source: `${kind}/${sourceLv.name}` }),
        INCOMPLETE_TAG,
      ];
      if (provisioning === "thin" && provisioningOf(sourceLv) === "thin") {
        await lvcreate(ready.lvm, { kind: "thinSnapshot", name: lvName, origin: sourceLv.name, tags, activate: true });
      } else {
        await this.checkCapacity(ready, provisioning, sizeBytes);
        await lvcreate(ready.lvm, this.newLv(ready, provisioning, lvName, sizeBytes, tags));
        await this.copyFrom(ready, source, kind, spec.uuid, lvMapperPath(ready.lvm.volumeGroup, lvName), provisioning === "thin");
      }
      const created = await findLv(ready.lvm, lvName);
      if (created && created.sizeBytes < sizeBytes) await lvextend(ready.lvm, lvName, sizeBytes);
      await changeTags(ready.lvm, lvName, { remove: [INCOMPLETE_TAG] });
      return this.finishVolume(ready, lvName);
    });
  }

  private async copyFrom(ready: ReadyHost, source: Found, kind: "snapshot" | "volume", uuid: string, target: string, sparse: boolean): Promise<void> {
    const vg = ready.lvm.volumeGroup;
    if (kind === "snapshot") {
      if (!source.lv.attr.active) await activate(ready.lvm, source.lv.name);
      await copyDevice(ready.lvm, lvMapperPath(vg, source.lv.name), target, source.lv.sizeBytes, { sparse });
      return;
    }
    const tempName = `cbtmp-${uuid}`.slice(0, 55);
    const tags = encodeTags({ kind: "temp", uuid: `tmp-${uuid}`.slice(0, 64), labels: {}, tempFor: uuid, volume: source.lv.name });
    await lvcreate(ready.lvm, await this.snapshotRequest(ready, source.lv, tempName, tags, true));
    try {
      await copyDevice(ready.lvm, lvMapperPath(vg, tempName), target, source.lv.sizeBytes, { sparse });
    } finally {
      const temp = await findLv(ready.lvm, tempName);
      if (temp) await this.removeSnapshotLv(ready, temp);
    }
  }

  /** Removes a snapshot LV; a thick one's copy-on-write data is wiped first (it holds old origin blocks). */
  private async removeSnapshotLv(ready: ReadyHost, lv: LvRow): Promise<void> {
    if (provisioningOf(lv) === "thick" && lv.attr.volumeType === "snapshot") {
      await this.wipe(ready, lv.name, cowMapperPath(ready.lvm.volumeGroup, lv.name), undefined, lv);
    }
    await lvremove(ready.lvm, lv.name);
    this.cachedStats = undefined;
  }

  /**
   * Zeroes a thick LV (or a snapshot's COW device) so its data cannot reach a later volume,
   * per `volumeClear`/`volumeClearSizeMib`. `bytes` undefined means the device's whole size.
   */
  private async wipe(ready: ReadyHost, lvName: string, device: string, bytes: number | undefined, lv: LvRow): Promise<void> {
    if (this.config.volumeClear === "none") return;
    if (!lv.attr.active) await activate(ready.lvm, lvName);
    const size = bytes ?? Number((await ready.lvm.run(["blockdev", "--getsize64", device])).stdout.trim());
    const limit = this.config.volumeClearSizeMib > 0 ? this.config.volumeClearSizeMib * 1024 * 1024 : size;
    await zeroDevice(ready.lvm, device, Math.min(size, limit));
  }

  /** Re-reads a volume's LV, makes its gate match it, and returns the volume. */
  private async finishVolume(ready: ReadyHost, lvName: string): Promise<Volume> {
    const lv = await findLv(ready.lvm, lvName);
    const id = formatId({ ...this.place(ready), lvName });
    if (!lv) throw new VolumeNotFound(id, "it vanished while being set up");
    const gated = await ensureGate(ready.lvm, lv);
    this.cachedStats = undefined;
    return toVolume(this.place(ready), gated, this.requireOwn(id, gated, "volume"));
  }

  /** Runs host work and maps whatever fails to a driver error. */
  private async guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toDriverError(error, doing);
    }
  }
}

function checkBlockRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % 512 !== 0 || !Number.isSafeInteger(length) || length <= 0 || length % 512 !== 0) {
    throw new InvalidInput("data offsets and lengths must be non-negative multiples of 512 bytes");
  }
}
