/**
 * The logging seam of the drivers. Drivers never print: they call a Logger, and whoever hosts
 * them (the CLI, the Pulumi provider, the tests) decides where the lines go. Messages must
 * already be redacted; the transport does that for every command line it logs.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

const LEVELS = ["debug", "info", "warn", "silent"] as const;
type Level = (typeof LEVELS)[number];

/** A logger that writes to stderr at or above `CINDERBLOCK_LOG` (debug, info, warn; default warn). */
export function stderrLogger(level: Level = levelFromEnv()): Logger {
  const threshold = LEVELS.indexOf(level);
  const write = (at: Level, message: string): void => {
    if (LEVELS.indexOf(at) >= threshold) process.stderr.write(`[cinderblock ${at}] ${message}\n`);
  };
  return {
    debug: (message) => write("debug", message),
    info: (message) => write("info", message),
    warn: (message) => write("warn", message),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

function levelFromEnv(): Level {
  const value = process.env.CINDERBLOCK_LOG;
  return (LEVELS as readonly string[]).includes(value ?? "") ? (value as Level) : "warn";
}
