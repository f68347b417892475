import { LvmHost } from "../../drivers/lvm/core/host";
import { CommandError } from "../../drivers/ssh/errors";
import type { CommandResult, CommandRunner, RunOptions } from "../../drivers/ssh/exec";

/** What one scripted command prints and how it exits (0 unless given). */
export interface ScriptedReply {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

/**
 * An in-memory CommandRunner: records every argv and answers from replies keyed by program
 * name (`argv[0]`). A list of replies is used in order, the last one repeating. A non-zero
 * exit throws a CommandError, as the SSH runner does.
 */
export class FakeRunner implements CommandRunner {
  readonly calls: string[][] = [];

  constructor(
    private readonly replies: Readonly<Record<string, ScriptedReply | readonly ScriptedReply[]>>,
    readonly host = "fake-1",
  ) {}

  async run(argv: readonly string[], _options?: RunOptions): Promise<CommandResult> {
    this.calls.push([...argv]);
    const program = argv[0] ?? "";
    const scripted = this.replies[program];
    if (scripted === undefined) throw new Error(`FakeRunner has no reply for '${program}'`);
    const queue: readonly ScriptedReply[] = Array.isArray(scripted) ? scripted : [scripted as ScriptedReply];
    const uses = this.calls.filter((call) => call[0] === program).length;
    const reply = queue[Math.min(uses, queue.length) - 1] ?? {};
    const { stdout = "", stderr = "", exitCode = 0 } = reply;
    if (exitCode !== 0) {
      throw new CommandError({ host: this.host, argv, exitCode, signal: undefined, stdout, stderr, durationMs: 1, timedOut: false, cancelled: false });
    }
    return { host: this.host, argv, exitCode, stdout, stderr, durationMs: 1 };
  }
}

/** An LvmHost for volume group `cinder-volumes` over a FakeRunner with `replies`. */
export function fakeHost(replies: ConstructorParameters<typeof FakeRunner>[0]): { host: LvmHost; runner: FakeRunner } {
  const runner = new FakeRunner(replies);
  return { host: new LvmHost(runner.host, "cinder-volumes", runner), runner };
}
