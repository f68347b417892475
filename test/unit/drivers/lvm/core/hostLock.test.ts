import { PassThrough, type Writable } from "node:stream";
import { LvmHost } from "../../../../../drivers/lvm/core/host";
import type { CommandResult, CommandRunner, RunOptions } from "../../../../../drivers/ssh/exec";

/** A runner whose `flock` holder behaves like the remote one: prints "locked", then waits for stdin to end. */
class LockRunner implements CommandRunner {
  readonly host = "fake-1";
  readonly events: string[] = [];
  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    expect([argv[0], argv[3], argv[4], argv[5]]).toEqual(["sh", "lock-hold", "120", "/run/lock/cinderblock-gates-vg0.lock"]);
    this.events.push("acquired");
    (options.stdout as Writable).write("locked\n");
    await new Promise<void>((resolve) => (options.stdin as PassThrough).on("finish", resolve).resume());
    this.events.push("released");
    return { host: this.host, argv, exitCode: 0, stdout: "", stderr: "", durationMs: 1 };
  }
}

describe("host-side locks", () => {
  it("runs the work between taking and releasing the remote lock, and releases it when the work fails", async () => {
    const runner = new LockRunner();
    const host = new LvmHost("fake-1", "vg0", runner);
    await host.withLock("gates-vg0", async () => {
      runner.events.push("work");
    });
    await expect(
      host.withLock("gates-vg0", async () => {
        runner.events.push("failing work");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(runner.events).toEqual(["acquired", "work", "released", "acquired", "failing work", "released"]);
  });
});
