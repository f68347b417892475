import { join } from "node:path";
import { declareHostScript, type ScriptInterpreter } from "../../ssh/privilege";
import { interpreterOf, readScriptFile } from "../../ssh/scriptFiles";
import { quoteArgv } from "../../ssh/quote";

/** The shell scripts the driver runs on hosts; each file's header says what it does and its exit codes. */
export type HostScript = "lv-write.sh" | "thin-create.sh" | "volume-remove.sh" | "host-setup.sh" | "group-snapshot.sh";

/** Every host script exits 75 when it could not take its host lock in time. */
export const LOCK_TIMEOUT_EXIT = 75;

/** A script file's text as it is in scripts/ beside this module (the build copies it into dist/), read once. */
export function hostScriptFile(name: HostScript | "eval-guard.sh"): string {
  return readScriptFile(join(__dirname, "..", "scripts"), name);
}

/**
 * host-setup.sh with the recovery script it runs. The recovery is bound into the text rather
 * than passed as an argument: a script that ran any text it was given as root would make a
 * sudoers entry for it grant a root shell.
 */
export function hostSetupText(recover: string): string {
  return `recover_script=${quoteArgv([recover])}\n${hostScriptFile("host-setup.sh")}`;
}

/**
 * A script as the driver runs it. Those that evaluate driver-built command lines get the guard
 * (scripts/eval-guard.sh) that refuses any line but the LVM and dd commands they are meant to run.
 */
function build(name: HostScript): string {
  switch (name) {
    case "host-setup.sh":
      return hostSetupText(hostScriptFile("group-snapshot.sh"));
    case "group-snapshot.sh":
      return hostScriptFile(name);
    case "thin-create.sh":
      // Its check ends where lv-write.sh begins: the create and the gate, under the check's lock.
      return `${hostScriptFile("eval-guard.sh")}\n${hostScriptFile(name)}\n${hostScriptFile("lv-write.sh")}`;
    default:
      return `${hostScriptFile("eval-guard.sh")}\n${hostScriptFile(name)}`;
  }
}

const scripts = new Map<HostScript, { text: string; interpreter: ScriptInterpreter }>(
  (["lv-write.sh", "thin-create.sh", "volume-remove.sh", "host-setup.sh", "group-snapshot.sh"] as const).map((name) => {
    const interpreter: ScriptInterpreter = interpreterOf(hostScriptFile(name));
    return [name, { text: declareHostScript(name.replace(/\.sh$/, ""), build(name), interpreter), interpreter }];
  }),
);

/** A script's text as the driver runs it. */
export function hostScript(name: HostScript): string {
  return (scripts.get(name) as { text: string }).text;
}

/** The argv that runs a host script with its shell; `$0` (`as`) names it in the host's `ps` and error messages. */
export function scriptArgv(name: HostScript, args: readonly string[], as: string = name): string[] {
  const { text, interpreter } = scripts.get(name) as { text: string; interpreter: ScriptInterpreter };
  return [interpreter, "-c", text, as, ...args];
}
