import type { BackendStats } from "../../interface/types";
import type { Logger } from "../../log";
import type { DriverContext } from "../../registry";
import type { LvmBackendConfig } from "../config";
import { BackendHosts, type ReadyHost, type SetupChecks } from "./hosts";
import { formatId } from "../model/ids";
import type { HostPlace } from "../model/model";
import type { PlacementRequest } from "../../scheduler/capacity";
import { Scheduler, type Placement } from "../../scheduler/placement";
import { readPoolStats } from "./poolReads";
import { backendStats } from "./stats";

/** The features' setup checks of a backend's hosts, given the backend they recover through (driver.ts composes them). */
export type BackendSetup = (backend: LvmBackend) => SetupChecks;

/**
 * One LVM backend: its config, its hosts, its scheduler and the stats they report. The shared
 * machinery over it lives in its own modules here (lookups, capacity, provisioning, wipe,
 * snapshot LVs, create recovery); the driver's capabilities are functions over it too.
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
    setup: BackendSetup,
  ) {
    this.logger = context.logger;
    this.hosts = new BackendHosts(config, context.ssh, context.logger, setup(this));
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
    this.cachedStats = backendStats(this.name, this.version, await readPoolStats(this.hosts, this.config), this.config);
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

  placeOf(ready: ReadyHost): HostPlace {
    return { backend: this.name, host: ready.lvm.name, volumeGroup: ready.lvm.volumeGroup };
  }

  /** The id of the LV `lvName` on `ready`'s volume group. */
  idOf(ready: ReadyHost, lvName: string): string {
    return formatId({ ...this.placeOf(ready), lvName });
  }
}
