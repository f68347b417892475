import type { CommandResult, RunOptions } from "../../drivers/ssh/exec";
import type { HostShell } from "../../drivers/targets";

/** One command a target helper ran: its argv and what it wrote to stdin. */
export interface Recorded {
  argv: string[];
  stdin: string;
}

/**
 * A HostShell that records every command and answers with `stdout(argv)` (exit 0). Target
 * helpers pass stdin as a string, which is what it records.
 */
export class RecordingShell implements HostShell {
  readonly calls: Recorded[] = [];

  constructor(private readonly stdout: (argv: readonly string[]) => string = () => "") {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const stdin = typeof options.stdin === "string" ? options.stdin : options.stdin === undefined ? "" : String(options.stdin);
    this.calls.push({ argv: [...argv], stdin });
    return { host: "fake-1", argv, exitCode: 0, stdout: this.stdout(argv), stderr: "", durationMs: 1 };
  }
}
