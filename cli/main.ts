import "../drivers/builtin";
import { attachCommand, attachUsage } from "./commands/attach";
import { complianceCommand, complianceUsage } from "./commands/compliance";
import { demoCommand, demoUsage } from "./commands/demo";
import { groupCommand, groupUsage } from "./commands/group";
import { labCommand, labUsage } from "./commands/lab";
import { manageCommand, manageUsage, unmanageCommand } from "./commands/manage";
import { importFileCommand, manageableCommand, manageableUsage } from "./commands/manageable";
import { snapshotCommand, snapshotUsage } from "./commands/snapshot";
import { statsCommand, statsUsage } from "./commands/stats";
import { volumeCommand, volumeUsage } from "./commands/volume";
import { imageCommand, imageUsage } from "./commands/image";
import { UsageError } from "./usage";

const USAGE = `usage:
${demoUsage}
${volumeUsage}
${imageUsage}
${snapshotUsage}
${groupUsage}
${attachUsage}
${manageableUsage}
${manageUsage}
${statsUsage}
${labUsage}
${complianceUsage}

Backends come from --config PATH, $CINDERBLOCK_CONFIG, ~/.config/cinderblock/backends.json, or the running lab.
Add --verbose to any command for the full error.`;

/** A command returns nothing on success, or an exit status of its own. */
type Command = (args: string[]) => Promise<void | number>;
const COMMANDS: Record<string, Command> = {
  volume: volumeCommand,
  image: imageCommand,
  snapshot: snapshotCommand,
  group: groupCommand,
  attach: attachCommand,
  manageable: manageableCommand,
  "import-file": importFileCommand,
  manage: manageCommand,
  unmanage: unmanageCommand,
  stats: statsCommand,
  lab: labCommand,
  compliance: complianceCommand,
  demo: demoCommand,
};

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
    return (await command(rest)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`cinderblock: ${(error as Error).message} (see \`cinderblock help\`)\n`);
      return 2;
    }
    process.stderr.write(`cinderblock: ${describe(error, verbose)}\n`);
    return 1;
  }
}

function describe(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (verbose) return error.cause instanceof Error ? `${error.message}\ncaused by: ${error.cause.message}` : error.message;
  return (error as { shortMessage?: string }).shortMessage ?? error.message.split("\n")[0] ?? error.message;
}
