import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { attachCommand, attachUsage } from "./commands/attach";
import { complianceCommand, complianceUsage } from "./commands/compliance";
import { demoCommand, demoUsage } from "./commands/demo";
import { doctorCommand, doctorUsage } from "./commands/doctor";
import { groupCommand, groupUsage } from "./commands/group";
import { labCommand, labUsage } from "./commands/lab";
import { manageCommand, manageUsage, unmanageCommand } from "./commands/manage";
import { importFileCommand, manageableCommand, manageableUsage } from "./commands/manageable";
import { snapshotCommand, snapshotUsage } from "./commands/snapshot";
import { statsCommand, statsUsage } from "./commands/stats";
import { sudoersCommand, sudoersUsage } from "./commands/sudoers";
import { volumeCommand, volumeUsage } from "./commands/volume";
import { imageCommand, imageUsage } from "./commands/image";
import { completionScript, completionUsage, SHELLS } from "./completion";
import { didYouMean } from "./suggest";
import { UsageError } from "./usage";
import { actionsOf, usageOf } from "./usageText";

/** A command returns nothing on success, or an exit status of its own. */
type Run = (args: string[]) => Promise<void | number>;
interface Command {
  run: Run;
  /** Its usage text: help prints it, and its actions and flags are read from it (see usageText). */
  usage: string;
}

const COMMANDS: Record<string, Command> = {
  demo: { run: demoCommand, usage: demoUsage },
  volume: { run: volumeCommand, usage: volumeUsage },
  image: { run: imageCommand, usage: imageUsage },
  snapshot: { run: snapshotCommand, usage: snapshotUsage },
  group: { run: groupCommand, usage: groupUsage },
  attach: { run: attachCommand, usage: attachUsage },
  manageable: { run: manageableCommand, usage: manageableUsage },
  "import-file": { run: importFileCommand, usage: manageableUsage },
  manage: { run: manageCommand, usage: manageUsage },
  unmanage: { run: unmanageCommand, usage: manageUsage },
  stats: { run: statsCommand, usage: statsUsage },
  doctor: { run: doctorCommand, usage: doctorUsage },
  lab: { run: labCommand, usage: labUsage },
  compliance: { run: complianceCommand, usage: complianceUsage },
  sudoers: { run: sudoersCommand, usage: sudoersUsage },
  completion: { run: async (args) => completionCommand(args), usage: completionUsage },
};

const USAGE = `usage:
${[...new Set(Object.values(COMMANDS).map((command) => command.usage))].join("\n")}
cinderblock help [COMMAND [ACTION]]   this text, or one command's (as does -h/--help after any command)
cinderblock --version

Backends come from --config PATH, $CINDERBLOCK_CONFIG, ~/.config/cinderblock/backends.json, or the running lab.
Add --verbose to any command for the full error.
Exit status: 0 done, 1 failed (the one line on stderr says why), 2 the command line is wrong (usage on stderr).`;

/** Runs the CLI; the process exit code is 0 on success, 2 on a usage error, 1 otherwise. */
export async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes("--verbose");
  const args = argv.filter((arg) => arg !== "--verbose");
  const [name, ...rest] = args;
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (name === "help") return help(rest);
  if (wantsHelp(args)) return help(args.filter((arg) => !arg.startsWith("-")));
  try {
    if (!name) throw new UsageError("a command is required");
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}`);
    checkAction(name, command, rest[0]);
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`cinderblock: ${withoutControls(error.message, false)}\n${usageFor(name, rest[0])}\n`);
      if (name && COMMANDS[name]) process.stderr.write(`(more: \`cinderblock ${name} --help\`)\n`);
      return 2;
    }
    process.stderr.write(`cinderblock: ${withoutControls(describe(error, verbose), true)}\n`);
    return 1;
  }
}

/**
 * A message as the terminal gets it: a value quoted in it may hold control characters (an
 * escape sequence, a carriage return, NUL) that would rewrite or hide what is shown, so they
 * become '?'. Line breaks stay only where the message has lines of its own (--verbose causes).
 */
function withoutControls(message: string, keepLines: boolean): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return message.replace(keepLines ? /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g, "?");
}

/** -h or --help anywhere before `--`. */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === "-h" || arg === "--help");
}

/** `help [COMMAND [ACTION]]`: to stdout, exit 0; an unknown command is a usage error. */
function help([name, action]: string[]): number {
  if (name !== undefined && !COMMANDS[name]) {
    process.stderr.write(`cinderblock: unknown command '${name}'${didYouMean(name, Object.keys(COMMANDS))}\n${USAGE}\n`);
    return 2;
  }
  process.stdout.write(`${usageFor(name, action)}\n`);
  return 0;
}

/** The usage of a command's action, of the command, or of everything, whichever is known. */
function usageFor(name: string | undefined, action: string | undefined): string {
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!name || !command) return USAGE;
  const known = action !== undefined && actionsOf(command.usage, name).includes(action);
  return `usage:\n${usageOf(command.usage, name, known ? action : undefined)}`;
}

/** A command with actions refuses a missing or unknown one here, with the closest action named. */
function checkAction(name: string, command: Command, action: string | undefined): void {
  const actions = actionsOf(command.usage, name);
  if (actions.length === 0 || (action !== undefined && actions.includes(action))) return;
  if (action === undefined || action.startsWith("-")) throw new UsageError(`${name} needs an action: ${actions.join(", ")}`);
  throw new UsageError(`unknown ${name} action '${action}'${didYouMean(action, actions)}`);
}

function completionCommand(args: string[]): void {
  const [shell, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const known = SHELLS.find((candidate) => candidate === shell);
  if (!known) throw new UsageError(`completion needs a shell: ${SHELLS.join(" or ")}`);
  process.stdout.write(
    completionScript(
      known,
      Object.entries(COMMANDS).map(([name, command]) => ({ name, usage: command.usage })),
    ),
  );
}

/** The version in the package's package.json, found from wherever this file runs (dist/cli or, in tests, cli). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, "package.json");
    if (existsSync(path)) return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  }
  return "unknown";
}

function describe(error: unknown, verbose: boolean): string {
  if (!(error instanceof Error)) return String(error);
  if (verbose) return error.cause instanceof Error ? `${error.message}\ncaused by: ${error.cause.message}` : error.message;
  return (error as { shortMessage?: string }).shortMessage ?? error.message.split("\n")[0] ?? error.message;
}
