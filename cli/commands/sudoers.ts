import { hostInstallScript, sudoersFile, USER_NAME } from "../../drivers/ssh";
import { noPositionals, parseOnly } from "../args";
import { UsageError } from "../usage";

export const sudoersUsage = `cinderblock sudoers [--user U] [--install]   the sudoers file for a non-root SSH user (default cinderblock):
                          exactly the programs and host scripts cinderblock runs as root; --install: a root shell
                          script that installs the host scripts and that file (checked with visudo) on a host`;

/** Prints the sudoers file, or the script that installs it with the host scripts. */
export async function sudoersCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseOnly(args, { user: { type: "string" }, install: { type: "boolean" } });
  noPositionals(positionals);
  const user = values.user ?? "cinderblock";
  // The name goes into sudoers and a file name: only a plain user name may.
  if (!USER_NAME.test(user))
    throw new UsageError(
      `--user must be a plain user name (letters, digits, '_', '.', '-'; not starting with a digit, '.' or '-'), not '${JSON.stringify(user).slice(1, -1)}'`,
    );
  process.stdout.write(values.install ? hostInstallScript(user) : sudoersFile(user));
}
