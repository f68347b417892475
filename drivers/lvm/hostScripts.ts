import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The shell scripts the driver runs on hosts; each file's header says what it does and its exit codes. */
export type HostScript = "lv-write.sh" | "volume-remove.sh" | "host-setup.sh" | "group-snapshot.sh";

/** Every host script exits 75 when it could not take its host lock in time. */
export const LOCK_TIMEOUT_EXIT = 75;

const texts = new Map<HostScript, string>();

/** A script's text, read once from scripts/ beside this module (the build copies it into dist/). */
export function hostScript(name: HostScript): string {
  let text = texts.get(name);
  if (text === undefined) {
    text = readFileSync(join(__dirname, "scripts", name), "utf8");
    texts.set(name, text);
  }
  return text;
}

/** The argv that runs a host script with the shell its first line names (POSIX sh unless bash); `$0` (`as`) names it in the host's `ps` and error messages. */
export function scriptArgv(name: HostScript, args: readonly string[], as: string = name): string[] {
  const text = hostScript(name);
  return [text.startsWith("#!/bin/bash\n") ? "bash" : "sh", "-c", text, as, ...args];
}
