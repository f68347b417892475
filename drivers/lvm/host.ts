import { PassThrough, Writable } from "node:stream";
import { VolumeBackendAPIException } from "../interface/errors";
import type { CommandResult, CommandRunner, RunOptions } from "../ssh/exec";
import { isLvmSegfault } from "./errors";

/** How long a lock is waited for by default, and held at most (the remote side drops it then). */
const LOCK_WAIT_S = 120;
const LOCK_HOLD_MS = 30 * 60_000;

/** The file behind the host-side lock `name`; scripts that run on the host take the same lock with flock(1). */
export function lockPath(name: string): string {
  return `/run/lock/cinderblock-${name}.lock`;
}

/** Cinder retries a segfaulting LVM command up to three times. */
const SEGFAULT_ATTEMPTS = 3;

/** One LVM host as the command wrappers see it: a runner plus the host's volume group. */
export class LvmHost {
  constructor(
    readonly name: string,
    readonly volumeGroup: string,
    private readonly runner: CommandRunner,
  ) {}

  /** Runs any command on the host. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return this.runner.run(argv, options);
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
    const stdin = new PassThrough();
    let signalLocked: () => void = () => undefined;
    const locked = new Promise<void>((resolve) => {
      signalLocked = resolve;
    });
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (chunk.toString().includes("locked")) signalLocked();
        callback();
      },
    });
    const holder = this.runner.run(
      ["flock", "-w", String(waitSeconds), lockPath(name), "sh", "-c", "echo locked; exec cat >/dev/null"],
      { stdin, stdout, timeoutMs: LOCK_HOLD_MS },
    );
    const ended = holder.then(
      () => {
        throw new VolumeBackendAPIException(`the lock ${name} on ${this.name} ended before it was taken`);
      },
      (error: unknown) => {
        throw new VolumeBackendAPIException(`could not take the lock ${name} on ${this.name} within ${waitSeconds} s`, { cause: error });
      },
    );
    ended.catch(() => undefined); // Observed by the race below, or irrelevant once the lock is held.
    await Promise.race([locked, ended]);
    try {
      return await work();
    } finally {
      stdin.end();
      await holder.catch(() => undefined);
    }
  }

  /** Runs an LVM command, retrying when LVM itself crashes (exit 139). */
  async lvm(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runner.run(argv, options);
      } catch (error) {
        if (!isLvmSegfault(error) || attempt >= SEGFAULT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }
}
