import { readFileSync } from "node:fs";
import { join } from "node:path";
import { declareHostScript } from "../ssh/privilege";
import { quoteArgv } from "../ssh/quote";
import { RECOVER_SCRIPT } from "./groupSnapshotScripts";

/** The shell scripts the driver runs on hosts; each file's header says what it does and its exit codes. */
export type HostScript = "lv-write.sh" | "volume-remove.sh" | "host-setup.sh";

/** Every host script exits 75 when it could not take its host lock in time. */
export const LOCK_TIMEOUT_EXIT = 75;

/** A script file's text as it is in scripts/ beside this module (the build copies it into dist/). */
export function hostScriptFile(name: HostScript | "eval-guard.sh"): string {
  return readFileSync(join(__dirname, "scripts", name), "utf8");
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
 * The scripts that evaluate driver-built command lines get the guard (scripts/eval-guard.sh)
 * that refuses any line but the LVM and dd commands they are meant to run.
 */
function build(name: HostScript): string {
  if (name === "host-setup.sh") return hostSetupText(RECOVER_SCRIPT);
  return `${hostScriptFile("eval-guard.sh")}\n${hostScriptFile(name)}`;
}

const texts = new Map<HostScript, string>(
  (["lv-write.sh", "volume-remove.sh", "host-setup.sh"] as const).map((name) => [name, declareHostScript(name.replace(/\.sh$/, ""), build(name))]),
);

/** A script's text as the driver runs it. */
export function hostScript(name: HostScript): string {
  return texts.get(name) as string;
}

/** The argv that runs a host script with POSIX sh; `$0` names it in the host's error messages. */
export function scriptArgv(name: HostScript, args: readonly string[]): string[] {
  return ["sh", "-c", hostScript(name), name, ...args];
}
