import { join } from "node:path";
import { VolumeBackendAPIException } from "../../interface/errors";
import type { CommandResult, CommandRunner, RunOptions } from "../../ssh/exec";
import { isCommandError } from "../../ssh/errors";
import { whileHolding } from "../../ssh/holder";
import { isLvmNotFound, isLvmSegfault } from "./errors";
import { fullreportArgv, parseFullreport } from "../commands/fullreport";
import { parseTables } from "../commands/dmsetupTable";
import type { LvRow, VgRow } from "../model/report";
import { SharedRead } from "./sharedRead";
import { declareScriptFile } from "../../ssh/scriptFiles";

/** How long a lock is waited for by default, and held at most (the remote side drops it then). */
export const LOCK_WAIT_S = 120;
const LOCK_HOLD_MS = 30 * 60_000;

/** The file behind the host-side lock `name`; scripts that run on the host take the same lock with flock(1). */
export function lockPath(name: string): string {
  return `/run/lock/cinderblock-${name}.lock`;
}

/** Holds a host lock until stdin ends (scripts/lock-hold.sh). */
const LOCK_HOLDER = declareScriptFile(join(__dirname, "..", "scripts"), "lock-hold.sh");

/** Cinder retries a segfaulting LVM command up to three times. */
const SEGFAULT_ATTEMPTS = 3;
/** `dmsetup table` met a device that went away while it listed them (see deviceTables). */
const VANISHED_DEVICE = /table ioctl on .* failed: No such device or address/;
const VANISHED_ATTEMPTS = 5;

/** What one read of a host says: its VG, every LV with tags and usage, every device-mapper table. */
export interface HostReport {
  /** Undefined when the volume group does not exist on the host. */
  vg: VgRow | undefined;
  /** Every LV of the VG, hidden ones included (LVM shows their names in brackets). */
  lvs: LvRow[];
  /** Every device-mapper device's table, by device name. */
  tables: Map<string, string>;
}

export interface HostRunOptions extends RunOptions {
  /** The command changes nothing on the host, so the shared report stays valid. */
  readOnly?: boolean;
}

/**
 * One LVM host as the command wrappers see it: a runner plus the host's volume group, and the
 * host's report, read once and shared by the operations that need it (see SharedRead). Every
 * command that is not marked read-only counts as a write and invalidates the report.
 */
export class LvmHost {
  private readonly reads = new SharedRead<HostReport>(() => this.readReport());

  constructor(
    readonly name: string,
    readonly volumeGroup: string,
    private readonly runner: CommandRunner,
  ) {}

  /**
   * The host's report: one `lvm fullreport` (in the host's long-lived lvm shell when it has
   * one) and one `dmsetup table`, side by side.
   */
  report(): Promise<HostReport> {
    return this.reads.get();
  }

  /** Reads that started before now are not used afterwards: something changed the host. */
  invalidateReport(): void {
    this.reads.invalidate();
  }

  /** Runs any command on the host. */
  run(argv: readonly string[], options: HostRunOptions = {}): Promise<CommandResult> {
    const { readOnly, ...rest } = options;
    return readOnly ? this.runner.run(argv, rest) : this.reads.write(() => this.runner.run(argv, rest));
  }

  /**
   * Runs `work` while holding a lock on the host itself, so that it excludes other processes
   * (another `pulumi up`, the CLI) as well as this one. The lock is a remote `flock` kept by a
   * command that waits on its stdin: ending stdin releases it, and so does a dropped
   * connection, so a crashed client can never leave it held. `waitSeconds` (default 120) is
   * how long to queue for it: longer for locks that many short operations take in turn.
   */
  async withLock<T>(name: string, work: () => Promise<T>, options: { waitSeconds?: number } = {}): Promise<T> {
    const waitSeconds = options.waitSeconds ?? LOCK_WAIT_S;
    const holding = {
      argv: ["sh", "-c", LOCK_HOLDER, "lock-hold", String(waitSeconds), lockPath(name)],
      timeoutMs: LOCK_HOLD_MS,
      endedEarly: (cause: unknown) =>
        cause === undefined
          ? new VolumeBackendAPIException(`the lock ${name} on ${this.name} ended before it was taken`)
          : new VolumeBackendAPIException(`could not take the lock ${name} on ${this.name} within ${waitSeconds} s`, { cause }),
    };
    return whileHolding(this.runner, holding, () => {
      // What was read before the lock was taken may have been changed by its previous holder.
      this.reads.invalidate();
      return work();
    });
  }

  /** Runs an LVM command, retrying when LVM itself crashes (exit 139). */
  async lvm(argv: readonly string[], options?: HostRunOptions): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(argv, options);
      } catch (error) {
        if (!isLvmSegfault(error) || attempt >= SEGFAULT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  private async readReport(): Promise<HostReport> {
    const [lvm, tables] = await Promise.all([
      this.lvm(fullreportArgv(this.volumeGroup), { readOnly: true, lvmShell: true }).then(
        (result) => parseFullreport(result.stdout),
        (error: unknown) => {
          if (isLvmNotFound(error)) return { vg: undefined, lvs: [] };
          throw error;
        },
      ),
      this.deviceTables(),
    ]);
    return { ...lvm, tables: parseTables(tables.stdout) };
  }

  /**
   * `dmsetup table` of every device. It lists the devices, then asks each for its table, so a
   * device removed in between (another process deleting a volume) fails the whole listing
   * with ENXIO: then it is listed again.
   */
  private async deviceTables(): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(["dmsetup", "table"], { readOnly: true });
      } catch (error) {
        if (!(isCommandError(error) && VANISHED_DEVICE.test(error.stderr)) || attempt >= VANISHED_ATTEMPTS) throw error;
      }
    }
  }
}
