import { InvalidConfiguration, InvalidInput } from "../../interface/errors";
import { printable } from "../../validation";
import type { Logger } from "../../log";
import type { HostRunners } from "../../ssh/exec";
import { lvcreate } from "../commands/lvcreate";
import { findLv, listLvs } from "../commands/lvs";
import { getVg } from "../commands/vgs";
import type { LvmBackendConfig, LvmHostConfig } from "../config";
import { toDriverError } from "./errors";
import { ensureGates, gatesToFix } from "./gates";
import { LvmHost } from "./host";
import { gateLockName } from "./locks";
import { isLive } from "../model/model";
import type { LvRow } from "../model/report";

/** How long a host that failed its setup is reported down without being asked again. */
const RETRY_DOWN_HOST_MS = 15_000;

/**
 * The features' part of a host's setup (composed in driver.ts, so that the core depends on no
 * feature): checks that run beside the first contact's report read, read-only unless `recover`,
 * returning what runs once the host's gates exist (crash recoveries, exports lost to a reboot).
 */
export type SetupChecks = (lvm: LvmHost, options: { recover: boolean }) => Promise<(ready: ReadyHost) => Promise<void>>;

/** What an operation does to a host: reads leave it unchanged (BackendHosts.inspect), writes set it up first. */
export type HostAccess = "read" | "write";

/** A host that passed its setup: its LVM wrapper and, when it provisions thin, its pool. */
export interface ReadyHost {
  lvm: LvmHost;
  config: LvmHostConfig;
  /** The thin pool's LV name; undefined when the host only does thick volumes. */
  pool: string | undefined;
}

/**
 * The hosts of one backend, each set up on first use: its VG checked, LVM's devices file
 * verified, the thin pool created if configured, and gates recreated over every active volume
 * (they do not survive a reboot). A failed setup is retried on the next use.
 */
export class BackendHosts {
  private readonly setups = new Map<string, Promise<ReadyHost>>();
  /** Read-only first contacts (inspect), dropped once the host's full setup succeeds. */
  private readonly inspections = new Map<string, Promise<ReadyHost>>();
  /** A host that just failed is not asked again for a while: operations on it fail at once. */
  private readonly failures = new Map<string, { at: number; error: unknown }>();
  private readonly hosts = new Map<string, { config: LvmHostConfig; lvm: LvmHost }>();

  constructor(
    private readonly config: LvmBackendConfig,
    ssh: HostRunners,
    private readonly logger: Logger,
    private readonly setupChecks: SetupChecks,
  ) {
    for (const host of config.hosts) {
      const vg = host.volumeGroup ?? config.volumeGroup;
      const { name, volumeGroup: _vg, ...target } = host;
      this.hosts.set(name, { config: host, lvm: new LvmHost(name, vg, ssh.runner(name, target)) });
    }
  }

  get names(): string[] {
    return [...this.hosts.keys()];
  }

  /** The named host, set up. @throws InvalidInput for an unknown host, BackendUnavailable when it does not answer */
  ready(name: string): Promise<ReadyHost> {
    let setup = this.setups.get(name);
    if (!setup) {
      const host = this.hosts.get(name);
      if (!host) return Promise.reject(new InvalidInput(`unknown host '${printable(name)}' (this backend has: ${this.names.join(", ")})`));
      const failed = this.failures.get(name);
      if (failed && Date.now() - failed.at < RETRY_DOWN_HOST_MS) return Promise.reject(failed.error);
      setup = this.setUp(host.lvm, host.config).then(
        (ready) => {
          this.failures.delete(name);
          this.inspections.delete(name);
          return ready;
        },
        (error: unknown) => {
          this.setups.delete(name);
          const mapped = toDriverError(error, `setting up ${name}`);
          this.failures.set(name, { at: Date.now(), error: mapped });
          throw mapped;
        },
      );
      this.setups.set(name, setup);
    }
    return setup;
  }

  /** The named host for `access`: `ready` to write, `inspect` to read. */
  reach(name: string, access: HostAccess): Promise<ReadyHost> {
    return access === "read" ? this.inspect(name) : this.ready(name);
  }

  /**
   * The named host for reading only (Read, refresh, import's checks): set up already, or checked
   * without changing anything (no thin pool made, no gate recreated, no recovery run), so that
   * a Read leaves the host as it found it. `pool` is the existing pool, if any; the first write
   * goes through `ready`, which completes the setup.
   * @throws InvalidInput for an unknown host, BackendUnavailable when it does not answer
   */
  inspect(name: string): Promise<ReadyHost> {
    const setup = this.setups.get(name) ?? this.inspections.get(name);
    if (setup) return setup;
    const host = this.hosts.get(name);
    if (!host) return Promise.reject(new InvalidInput(`unknown host '${printable(name)}' (this backend has: ${this.names.join(", ")})`));
    const inspection = this.look(host.lvm, host.config).catch((error: unknown) => {
      this.inspections.delete(name);
      throw toDriverError(error, `reading ${name}`);
    });
    this.inspections.set(name, inspection);
    return inspection;
  }

  private async look(lvm: LvmHost, config: LvmHostConfig): Promise<ReadyHost> {
    await Promise.all([this.setupChecks(lvm, { recover: false }), getVg(lvm)]);
    const name = this.poolName(lvm);
    const pool = name && (await findLv(lvm, name))?.attr.volumeType === "thinPool" ? name : undefined;
    return { lvm, config, pool };
  }

  /**
   * First contact, in one round trip: the setup checks (../hostSetup.ts) beside the host report
   * that everything else reads (read again only if the checks' recovery changed something).
   * Gates and incomplete group snapshots are repaired under their locks only when the report
   * shows a need.
   */
  private async setUp(lvm: LvmHost, config: LvmHostConfig): Promise<ReadyHost> {
    const [recover] = await Promise.all([this.setupChecks(lvm, { recover: true }), lvm.report().catch(() => undefined)]);
    const vg = await getVg(lvm);
    const pool = await this.resolvePool(lvm, await listLvs(lvm), vg.lvCount);
    if ((await gatesToFix(lvm)).length > 0) {
      // Under the host's gate lock, so that no delete in another process is removing a gate
      // while this one recreates it.
      const fixed = await lvm.withLock(gateLockName(lvm.volumeGroup), async () =>
        ensureGates(lvm, await gatesToFix(lvm), async (lv) => {
          const now = await findLv(lvm, lv.name);
          return now !== undefined && isLive(now);
        }),
      );
      if (fixed > 0) this.logger.info(`${lvm.name}: recreated ${fixed} gate(s)`);
    }
    const ready = { lvm, config, pool };
    await recover(ready);
    return ready;
  }

  /** The thin pool's LV name when the backend provisions thin at all. */
  private poolName(lvm: LvmHost): string | undefined {
    return this.config.lvmType === "default" ? undefined : (this.config.thinPool ?? `${lvm.volumeGroup}-pool`);
  }

  /** Cinder's lvm_type, minus its hazard: `auto` never adds a pool to a VG that holds thick LVs. */
  private async resolvePool(lvm: LvmHost, lvs: LvRow[], lvCount: number): Promise<string | undefined> {
    const name = this.poolName(lvm);
    if (name === undefined) return undefined;
    const existing = lvs.find((lv) => lv.name === name);
    if (existing) {
      if (existing.attr.volumeType !== "thinPool") {
        throw new InvalidConfiguration(`${lvm.volumeGroup}/${name} on ${lvm.name} exists but is not a thin pool; set thinPool to another name`);
      }
      return name;
    }
    const create = this.config.lvmType === "thin" || (this.config.lvmType === "auto" && lvCount === 0);
    if (!create) return undefined;
    try {
      await lvcreate(lvm, { kind: "thinPool", name, percentOfFree: this.config.thinPoolPercent });
      this.logger.info(`${lvm.name}: created thin pool ${lvm.volumeGroup}/${name}`);
    } catch (error) {
      // Two processes setting up at once: the other one's pool is as good (Cinder LP #1410341).
      const now = await listLvs(lvm);
      if (!now.some((lv) => lv.name === name)) throw error;
    }
    return name;
  }
}
