import type { CommandRunner } from "../ssh/exec";

/** What the target helpers need of a storage host: running argv-form commands. */
export type HostShell = Pick<CommandRunner, "run">;

/**
 * Runs a constant script (scripts.ts) with positional arguments and stdin; stdout's `key=value`
 * lines come back parsed. Values reach a script only as arguments (`sh -c SCRIPT sh ARG...`,
 * every argument quoted by the transport) and secrets only on stdin, never in argv.
 */
export async function runScript(host: HostShell, script: string, args: readonly string[], stdin?: string): Promise<Map<string, string>> {
  const result = await host.run(["sh", "-c", script, "sh", ...args], stdin === undefined ? {} : { stdin });
  const values = new Map<string, string>();
  for (const line of result.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}
