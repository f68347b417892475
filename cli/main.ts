import { labCommand, labUsage } from "./commands/lab";
import { UsageError } from "./usage";

const USAGE = `usage:
${labUsage}

Add --verbose to any command for the full error.`;

type Command = (args: string[]) => Promise<void>;
const COMMANDS: Record<string, Command> = { lab: labCommand };

/** Runs the CLI; the process exit code is 0 on success, 2 on a usage error, 1 otherwise. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes("--verbose");
  const args = argv.filter((arg) => arg !== "--verbose");
  const [name, ...rest] = args;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command '${name}'`);
    await command(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`cinderblock: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`cinderblock: ${describe(error, verbose)}\n`);
    return 1;
  }
}

function describe(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  const short = (error as { shortMessage?: string }).shortMessage ?? error.message.split("\n")[0] ?? error.message;
  return verbose ? error.message : short;
}
