/** What the transport ran for one runner name (a host's configured name). */
export interface TransportStats {
  /** Commands that reached a channel or a session (not those refused before, e.g. pre-aborted). */
  commands: number;
  sessionCommands: number;
  /** Of the session commands, those run in the host's persistent lvm shell. */
  lvmShellCommands: number;
  execCommands: number;
  /** Sessions opened for commands of this runner. */
  sessionsOpened: number;
  /** Per program: argv[0], or `lvm <subcommand>` and `sh <first argument>`. */
  byProgram: Record<string, number>;
  /** Per program as in byProgram: the milliseconds its commands took, summed (where an operation's time goes). */
  msByProgram: Record<string, number>;
}

/** How a command reached its host. */
export type CommandPath = "lvm shell" | "session" | "exec";

/** The counter one runner writes to. */
export interface RunnerStats {
  command(argv: readonly string[], via: CommandPath, durationMs: number): void;
  sessionOpened(): void;
}

/**
 * Counts for benchmarks and tests: how many commands went which way, and which programs, so
 * that a change in how many round trips an operation costs shows up as a number.
 */
export class TransportCounters {
  private readonly byName = new Map<string, TransportStats>();

  for(name: string): RunnerStats {
    return {
      command: (argv, via, durationMs) => {
        const stats = this.entry(name);
        stats.commands++;
        if (via === "exec") stats.execCommands++;
        else stats.sessionCommands++;
        if (via === "lvm shell") stats.lvmShellCommands++;
        const program = programOf(argv);
        stats.byProgram[program] = (stats.byProgram[program] ?? 0) + 1;
        stats.msByProgram[program] = (stats.msByProgram[program] ?? 0) + durationMs;
      },
      sessionOpened: () => {
        this.entry(name).sessionsOpened++;
      },
    };
  }

  /** A copy, keyed by runner name. */
  snapshot(): Record<string, TransportStats> {
    const copy: Record<string, TransportStats> = {};
    for (const [name, stats] of this.byName) copy[name] = { ...stats, byProgram: { ...stats.byProgram }, msByProgram: { ...stats.msByProgram } };
    return copy;
  }

  reset(): void {
    this.byName.clear();
  }

  private entry(name: string): TransportStats {
    let stats = this.byName.get(name);
    if (!stats) {
      stats = { commands: 0, sessionCommands: 0, lvmShellCommands: 0, execCommands: 0, sessionsOpened: 0, byProgram: {}, msByProgram: {} };
      this.byName.set(name, stats);
    }
    return stats;
  }
}

/** Programs that say little alone: their subcommand is kept with them. */
const WITH_SUBCOMMAND: ReadonlySet<string> = new Set(["lvm", "qemu-img"]);

/**
 * `lvm` and `qemu-img` are kept with their subcommand; an inline script (`sh -c SCRIPT NAME`) is
 * counted by its name; a `prlimit` wrapper by the program it limits.
 */
export function programOf(argv: readonly string[]): string {
  if (argv[0] === "prlimit") return programOf(argv.slice(1 + argv.slice(1).findIndex((word) => !word.startsWith("-"))));
  const [program = "", first, , scriptName] = argv;
  if ((program === "sh" || program === "bash") && first === "-c" && scriptName !== undefined) return scriptName;
  return WITH_SUBCOMMAND.has(program) && first !== undefined ? `${program} ${first}` : program;
}
