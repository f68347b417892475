import type { CommandResult, CommandRunner, RunOptions } from "../ssh/exec";
import { isLvmSegfault } from "./errors";

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
