import { GIB } from "../interface/capacity";
import { InvalidInput, VolumeAlreadyExists, VolumeNotFound, VolumeSizeExceedsAvailableQuota } from "../interface/errors";
import type { BackendStats, Provisioning, Volume } from "../interface/types";
import type { Logger } from "../log";
import type { DriverContext } from "../registry";
import { quoteArgv } from "../ssh/quote";
import { copyTimeoutMs, zeroArgv, zeroDevice } from "./commands/dd";
import { activate, activateArgv } from "./commands/lvchange";
import { lvcreate, type LvcreateRequest } from "./commands/lvcreate";
import { lvremove } from "./commands/lvremove";
import { findLv, listLvs } from "./commands/lvs";
import { getVg } from "./commands/vgs";
import type { LvmBackendConfig } from "./config";
import { isLvmNotFound, toDriverError } from "./errors";
import { ensureGate, removeGate } from "./gates";
import { BackendHosts, type HostAccess, type ReadyHost } from "./hosts";
import type { SetupFindings } from "./hostSetup";
import { writeLv } from "./lvWrite";
import { formatId, parseId, type LvLocation } from "./ids";
import { isLive, ownTags, provisioningOf, toVolume, type HostPlace } from "./model";
import { checkDeviceNames, cowMapperPath, lvMapperPath } from "./names";
import type { PlacementRequest } from "../scheduler/capacity";
import { Scheduler, type Placement } from "../scheduler/placement";
import type { LvRow } from "./report";
import { backendStats, downPoolStats, poolStats } from "./stats";
import { encodeTags, type CinderblockTags, type LvKind } from "./tags";

/** A thin pool this full takes no new volumes: LVM would have to stop writes once it fills. */
const POOL_FULL_PERCENT = 95;

/** A cinderblock LV found on a host, with its decoded tags. */
export interface Found {
  ready: ReadyHost;
  lv: LvRow;
  tags: CinderblockTags;
}

/** What a host's setup ends with, once its gates exist: the features' recovery (driver.ts wires it, so the core depends on no feature). */
export type AfterSetup = (backend: LvmBackend, ready: ReadyHost, findings: SetupFindings) => Promise<void>;

/**
 * One LVM backend's shared machinery: its hosts, how ids map to LVs, capacity checks, crash
 * recovery for creates, wiping. The driver's capabilities (volumes.ts, snapshots.ts, data.ts,
 * ...) are functions over it; LvmDriver only delegates.
 */
export class LvmBackend {
  readonly hosts: BackendHosts;
  readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private cachedStats: BackendStats | undefined;

  constructor(
    readonly name: string,
    readonly config: LvmBackendConfig,
    readonly version: string,
    context: DriverContext,
    afterSetup: AfterSetup,
  ) {
    this.logger = context.logger;
    this.hosts = new BackendHosts(config, context.ssh, context.logger, (ready, findings) => afterSetup(this, ready, findings));
    this.scheduler = new Scheduler(() => this.stats(true), {
      // Every placement reads the hosts afresh: host reports are shared between the operations
      // running at once (SharedRead), so this is cheap, and a create never trusts stale capacity.
      statsTtlMs: 0,
      capacityWeightMultiplier: config.capacityWeightMultiplier,
    });
  }

  /** Cached stats; `refresh` re-reads every host. An unreachable host is reported down, not thrown. */
  async stats(refresh: boolean): Promise<BackendStats> {
    if (this.cachedStats && !refresh) return this.cachedStats;
    const pools = await Promise.all(
      this.hosts.names.map(async (host) => {
        try {
          const ready = await this.hosts.ready(host);
          const [vg, lvs] = await Promise.all([getVg(ready.lvm), listLvs(ready.lvm)]);
          return poolStats({ host, vg, lvs, pool: lvs.find((lv) => lv.name === ready.pool) }, this.config);
        } catch (error) {
          return downPoolStats(host, this.config, toDriverError(error, `reading ${host}`).message);
        }
      }),
    );
    this.cachedStats = backendStats(this.name, this.version, pools, this.config);
    return this.cachedStats;
  }

  invalidateStats(): void {
    this.cachedStats = undefined;
    this.scheduler.invalidate();
  }

  /**
   * The host for a new volume: the one asked for, or the scheduler's choice, whose capacity
   * stays reserved until the create ends (call `done` or `cancel`).
   */
  async place(request: PlacementRequest & { host: string | undefined }): Promise<Placement> {
    if (request.host) return { host: request.host, done: () => undefined, cancel: () => undefined };
    return this.scheduler.place(request);
  }

  /**
   * Refuses an LV name whose device-mapper names would not fit on `host`'s volume group, or on
   * any host's when the scheduler has yet to choose: before placement, so nothing is made.
   */
  checkDeviceNames(lvName: string, host: string | undefined): void {
    for (const each of this.config.hosts) {
      if (host === undefined || each.name === host) checkDeviceNames(each.volumeGroup ?? this.config.volumeGroup, lvName);
    }
  }

  placeOf(ready: ReadyHost): HostPlace {
    return { backend: this.name, host: ready.lvm.name, volumeGroup: ready.lvm.volumeGroup };
  }

  /**
   * The host where an LV with this uuid already is (an earlier attempt of the same create), among
   * the hosts that answer; one listing per host, in parallel.
   */
  async hostHolding(uuid: string): Promise<string | undefined> {
    const found = await Promise.all(
      this.hosts.names.map(async (host) => {
        try {
          const ready = await this.hosts.ready(host);
          return (await listLvs(ready.lvm)).some((lv) => ownTags(lv)?.uuid === uuid) ? host : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    return found.find((host) => host !== undefined);
  }

  /** Parses an id and reaches its host (set up for a write); the id must belong to this backend and name its VG. */
  async locate(id: string, kind: string, access: HostAccess = "write"): Promise<{ location: LvLocation; ready: ReadyHost }> {
    const location = parseId(id, kind);
    if (location.backend !== this.name) throw new InvalidInput(`${kind} ${id} belongs to backend '${location.backend}', not '${this.name}'`);
    const ready = await this.hosts.reach(location.host, access);
    if (ready.lvm.volumeGroup !== location.volumeGroup) {
      throw new InvalidInput(`${kind} ${id} names volume group '${location.volumeGroup}', but ${location.host} uses '${ready.lvm.volumeGroup}'`);
    }
    return { location, ready };
  }

  /** The LV behind an id, when it exists, is cinderblock's, is of `kind` and is complete. */
  async lookup(id: string, kind: LvKind, access: HostAccess = "write"): Promise<Found | undefined> {
    const { location, ready } = await this.locate(id, kind, access);
    const lv = await this.guard(`looking up ${id}`, () => findLv(ready.lvm, location.lvName));
    const tags = lv && ownTags(lv);
    if (!lv || !tags || tags.kind !== kind || !isLive(lv)) return undefined;
    return { ready, lv, tags };
  }

  /** Every complete cinderblock LV of `kind`, read without setting hosts up. */
  async listOwn(kind: LvKind): Promise<Found[]> {
    const perHost = await Promise.all(
      this.hosts.names.map(async (name) => {
        const ready = await this.hosts.inspect(name);
        const lvs = await this.guard(`listing ${name}`, () => listLvs(ready.lvm));
        return lvs.flatMap((lv) => {
          const tags = ownTags(lv);
          return tags && tags.kind === kind && isLive(lv) ? [{ ready, lv, tags }] : [];
        });
      }),
    );
    return perHost.flat();
  }

  requireOwn(id: string, lv: LvRow, kind: LvKind): CinderblockTags {
    const tags = ownTags(lv);
    if (!tags) throw new InvalidInput(`${id} is not managed by cinderblock (it has no cinderblock tags); refusing to touch it`);
    if (tags.kind !== kind) throw new InvalidInput(`${id} is a ${tags.kind}, not a ${kind}`);
    return tags;
  }

  provisioningFor(ready: ReadyHost, wanted: Provisioning | undefined): Provisioning {
    const provisioning = wanted ?? (ready.pool ? "thin" : "thick");
    if (provisioning === "thin" && !ready.pool) {
      throw new InvalidInput(
        `host ${ready.lvm.name} of backend ${this.name} has no thin pool (lvmType ${this.config.lvmType}); ask for a thick volume or set lvmType to "thin"`,
      );
    }
    return provisioning;
  }

  newLv(ready: ReadyHost, provisioning: Provisioning, name: string, sizeBytes: number, tags: string[]): LvcreateRequest {
    return provisioning === "thin" && ready.pool ? { kind: "thin", name, pool: ready.pool, sizeBytes, tags } : { kind: "thick", name, sizeBytes, tags };
  }

  /** Refuses requests that cannot fit, before anything is created. */
  async checkCapacity(ready: ReadyHost, provisioning: Provisioning, sizeBytes: number): Promise<void> {
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
  async reuseOrClear(ready: ReadyHost, lvName: string, uuid: string, kind: LvKind): Promise<Found | undefined> {
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
      throw new VolumeAlreadyExists(`an LV named ${lvName} already exists in ${ready.lvm.volumeGroup} on ${ready.lvm.name} (${owner}); choose another name`);
    }
    if (!isLive(byName)) {
      await removeGate(ready.lvm, byName.name, lvName);
      await lvremove(ready.lvm, byName.name);
      return undefined;
    }
    const lv = kind === "volume" ? await ensureGate(ready.lvm, byName) : byName;
    return { ready, lv, tags };
  }

  async snapshotRequest(ready: ReadyHost, origin: LvRow, name: string, tags: string[], activateIt: boolean): Promise<LvcreateRequest> {
    if (provisioningOf(origin) === "thin") return { kind: "thinSnapshot", name, origin: origin.name, tags, activate: activateIt };
    // A thick snapshot's copy-on-write area is as large as its origin, as in Cinder: it never overflows.
    await this.checkCapacity(ready, "thick", origin.sizeBytes);
    return { kind: "thickSnapshot", name, origin: origin.name, cowBytes: origin.sizeBytes, tags };
  }

  /**
   * Runs `work` on a temporary snapshot of `origin` (given its device path), so that it reads a
   * consistent copy while the origin stays in use. The snapshot is tagged as a temp of
   * `forUuid` and removed whatever happens; one a crash left behind (same name, same
   * `forUuid`) is removed first.
   */
  async withTempSnapshot<T>(ready: ReadyHost, origin: LvRow, forUuid: string, work: (device: string) => Promise<T>): Promise<T> {
    const name = `cbtmp-${forUuid}`.slice(0, 55);
    const leftover = await findLv(ready.lvm, name);
    if (leftover && ownTags(leftover)?.tempFor === forUuid) await this.removeSnapshotLv(ready, leftover);
    const tags = encodeTags({ kind: "temp", uuid: `tmp-${forUuid}`.slice(0, 64), labels: {}, tempFor: forUuid, volume: origin.name });
    await lvcreate(ready.lvm, await this.snapshotRequest(ready, origin, name, tags, true));
    try {
      return await work(lvMapperPath(ready.lvm.volumeGroup, name));
    } finally {
      const temp = await findLv(ready.lvm, name);
      if (temp) await this.removeSnapshotLv(ready, temp);
    }
  }

  /** Removes a snapshot LV; a thick one's copy-on-write data is wiped first (it holds old origin blocks). */
  async removeSnapshotLv(ready: ReadyHost, lv: LvRow): Promise<void> {
    if (provisioningOf(lv) === "thick" && lv.attr.volumeType === "snapshot") {
      await this.wipe(ready, lv.name, cowMapperPath(ready.lvm.volumeGroup, lv.name), undefined, lv);
    }
    await lvremove(ready.lvm, lv.name);
    this.invalidateStats();
  }

  /**
   * Zeroes a thick LV (or a snapshot's COW device) so its data cannot reach a later volume,
   * per `volumeClear`/`volumeClearSizeMib`. `bytes` undefined means the device's whole size.
   */
  async wipe(ready: ReadyHost, lvName: string, device: string, bytes: number | undefined, lv: LvRow): Promise<void> {
    if (this.config.volumeClear === "none") return;
    if (!lv.attr.active) await activate(ready.lvm, lvName);
    const size = bytes ?? Number((await ready.lvm.run(["blockdev", "--getsize64", device], { readOnly: true })).stdout.trim());
    await zeroDevice(ready.lvm, device, this.clearBytes(size));
  }

  /**
   * The wipe of a whole thick volume as command lines for a host script (activation first when
   * needed), per `volumeClear`; undefined when nothing is to be wiped.
   */
  wipeCommands(ready: ReadyHost, lv: LvRow): { commandLine: string; timeoutMs: number } | undefined {
    if (this.config.volumeClear === "none" || provisioningOf(lv) !== "thick") return undefined;
    const vg = ready.lvm.volumeGroup;
    const bytes = this.clearBytes(lv.sizeBytes);
    const steps = [...(lv.attr.active ? [] : [activateArgv(vg, lv.name)]), zeroArgv(lvMapperPath(vg, lv.name), bytes)];
    return { commandLine: steps.map(quoteArgv).join(" && "), timeoutMs: copyTimeoutMs(bytes) };
  }

  /** How much of a device of `size` bytes `volumeClearSizeMib` says to wipe. */
  private clearBytes(size: number): number {
    return this.config.volumeClearSizeMib > 0 ? Math.min(size, this.config.volumeClearSizeMib * 1024 * 1024) : size;
  }

  /**
   * The last step of every volume write: runs `writes` (LVM commands, in order) and makes the
   * volume's gate match its LV in one remote step, and returns the volume as the host reports it
   * afterwards.
   */
  async finishVolume(ready: ReadyHost, lvName: string, writes: readonly (readonly string[] | undefined)[] = []): Promise<Volume> {
    const id = formatId({ ...this.placeOf(ready), lvName });
    let lv: LvRow;
    try {
      lv = await writeLv(ready.lvm, lvName, { writes: writes.filter((write) => write !== undefined), gate: true });
    } catch (error) {
      if (isLvmNotFound(error)) throw new VolumeNotFound(id, "it vanished while being set up");
      throw error;
    } finally {
      this.invalidateStats();
    }
    return toVolume(this.placeOf(ready), lv, this.requireOwn(id, lv, "volume"));
  }

  /** Runs host work and maps whatever fails to a driver error. */
  async guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toDriverError(error, doing);
    }
  }
}
