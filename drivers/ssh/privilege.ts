import { createHash } from "node:crypto";

/**
 * What a host with `sudo: true` runs as root, and how. The agent and every channel run as the
 * SSH user; each command that needs root goes through `sudo -n --` by absolute path, so that a
 * sudoers file can name exactly these programs (`cinderblock sudoers` prints it from the tables
 * below) instead of granting perl or a shell. Host scripts cannot travel as `sh -c TEXT` then
 * (sudoers cannot name a script's text): the operator installs them root-owned under
 * HOST_SCRIPT_DIR, each at a path that carries a hash of its text, and the transport runs that
 * path instead. A command that is in neither table is refused before it is sent: the lab runs
 * its core scenarios as such a user, which proves the tables cover what those scenarios run.
 */

/** Where the operator installs the host scripts, root-owned (see `cinderblock sudoers --install`). */
export const HOST_SCRIPT_DIR = "/usr/local/libexec/cinderblock";

/**
 * Every program the drivers run on a host, by the absolute path sudo is asked for (Debian's
 * and Ubuntu's merged /usr; sudo also matches a symlinked /sbin or /bin path to these).
 */
export const PRIVILEGED_PROGRAMS: Readonly<Record<string, string>> = {
  lvm: "/usr/sbin/lvm",
  lvs: "/usr/sbin/lvs",
  vgs: "/usr/sbin/vgs",
  lvcreate: "/usr/sbin/lvcreate",
  lvchange: "/usr/sbin/lvchange",
  lvextend: "/usr/sbin/lvextend",
  lvremove: "/usr/sbin/lvremove",
  lvrename: "/usr/sbin/lvrename",
  dmsetup: "/usr/sbin/dmsetup",
  blockdev: "/usr/sbin/blockdev",
  udevadm: "/usr/bin/udevadm",
  dd: "/usr/bin/dd",
  cat: "/usr/bin/cat",
  stat: "/usr/bin/stat",
  rm: "/usr/bin/rm",
  prlimit: "/usr/bin/prlimit",
  "qemu-img": "/usr/bin/qemu-img",
};

/** The interpreters a host script can be written for. */
export type ScriptInterpreter = "sh" | "bash";
const INTERPRETER_PATHS: Record<ScriptInterpreter, string> = { sh: "/bin/sh", bash: "/bin/bash" };

export interface RegisteredScript {
  /** Short name: the installed file's name starts with it. */
  name: string;
  interpreter: ScriptInterpreter;
  text: string;
  /** Where the operator installed it. */
  path: string;
}

const scripts = new Map<string, RegisteredScript>();

/**
 * Declares a constant host script (run as `INTERPRETER -c TEXT NAME ARG...`) and returns its
 * text unchanged, so a module defines its script as before and the sudoers file and installer
 * can list it. Registered once per text; the path's hash changes with the text, so a host that
 * still has an older cinderblock's scripts refuses the new ones instead of running stale code.
 */
export function declareHostScript(name: string, text: string, interpreter: ScriptInterpreter = "sh"): string {
  if (!scripts.has(text)) {
    const hash = createHash("sha256").update(interpreter).update("\0").update(text).digest("hex").slice(0, 12);
    scripts.set(text, { name, interpreter, text, path: `${HOST_SCRIPT_DIR}/${name}-${hash}` });
  }
  return text;
}

/** Every host script registered so far (all of them once the drivers are loaded). */
export function registeredScripts(): RegisteredScript[] {
  return [...scripts.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/** A command for a sudo host cinderblock has no sudoers entry for: a bug in cinderblock, said as such. */
export class UnlistedCommandError extends Error {
  override name = "UnlistedCommandError";
}

/**
 * The argv that runs `argv` as root on a sudo host: `sudo -n -- /abs/program ARG...`, or for a
 * registered script `sudo -n -- /installed/path ARG...` (its `$0` becomes that path).
 * @throws UnlistedCommandError when the program or script is in no table
 */
export function privilegedArgv(argv: readonly string[]): string[] {
  const [program = "", ...args] = argv;
  if ((program === "sh" || program === "bash") && args[0] === "-c") {
    const script = scripts.get(args[1] ?? "");
    if (!script || script.interpreter !== program) {
      throw new UnlistedCommandError(
        `cinderblock would run an unregistered ${program} script as root (a bug in cinderblock: every host script must be declared with declareHostScript)`,
      );
    }
    return ["sudo", "-n", "--", script.path, ...args.slice(3)];
  }
  const path = PRIVILEGED_PROGRAMS[program];
  if (path === undefined)
    throw new UnlistedCommandError(`cinderblock would run '${program}' as root, which its sudoers file does not list (a bug in cinderblock)`);
  return ["sudo", "-n", "--", path, ...args];
}

/**
 * The agent's persistent lvm shell under sudo. `-C 4` keeps fd 3 (the shell's JSON reports)
 * open across sudo, which the sudoers file allows with `closefrom_override`; the report's
 * environment passes through its `env_keep`.
 */
export const PRIVILEGED_LVM_SHELL: readonly string[] = ["sudo", "-n", "-C", "4", "--", PRIVILEGED_PROGRAMS.lvm as string];

/** Environment the lvm shell and LVM's parsers need, kept across sudo. */
const KEPT_ENV = ["LC_ALL", "LVM_COMMAND_PROFILE", "LVM_REPORT_FD"];

/** The sudoers file for `user`: exactly the programs and scripts above, without a password. */
export function sudoersFile(user: string): string {
  const commands = [...new Set(Object.values(PRIVILEGED_PROGRAMS))].sort();
  const scriptPaths = registeredScripts().map((script) => script.path);
  const list = (items: readonly string[]): string => items.map((item) => `    ${item}`).join(", \\\n");
  return [
    `# cinderblock: what user ${user} may run as root on a storage host, and nothing else.`,
    "# Generated by `cinderblock sudoers`; regenerate it (and reinstall the scripts) with each",
    "# cinderblock release, since the script paths carry a hash of their text.",
    `Defaults:${user} closefrom_override`,
    `Defaults:${user} env_keep += "${KEPT_ENV.join(" ")}"`,
    `Cmnd_Alias CINDERBLOCK_PROGRAMS = \\\n${list(commands)}`,
    `Cmnd_Alias CINDERBLOCK_SCRIPTS = \\\n${list(scriptPaths)}`,
    `${user} ALL=(root) NOPASSWD: CINDERBLOCK_PROGRAMS, CINDERBLOCK_SCRIPTS`,
    "",
  ].join("\n");
}

/**
 * A POSIX shell script that, run as root on a host, installs every host script root-owned and
 * read-only under HOST_SCRIPT_DIR and the sudoers file as /etc/sudoers.d/cinderblock-USER,
 * checked with `visudo -c` before it is put in place.
 */
export function hostInstallScript(user: string): string {
  const heredoc = (text: string): string => {
    let marker = "CINDERBLOCK_EOF";
    while (text.includes(marker)) marker += "_";
    return `<<'${marker}'\n${text.endsWith("\n") ? text : `${text}\n`}${marker}`;
  };
  const lines = ["#!/bin/sh", "# Installs cinderblock's host scripts and sudoers file; run as root.", "set -eu", "umask 022", `mkdir -p ${HOST_SCRIPT_DIR}`];
  for (const script of registeredScripts()) {
    lines.push(`cat > '${script.path}.tmp' ${heredoc(`#!${INTERPRETER_PATHS[script.interpreter]}\n${script.text}`)}`);
    lines.push(`chown root:root '${script.path}.tmp' && chmod 0755 '${script.path}.tmp' && mv -f '${script.path}.tmp' '${script.path}'`);
  }
  // sudo skips files in sudoers.d whose name holds a dot.
  const sudoers = `/etc/sudoers.d/cinderblock-${user.replace(/\./g, "_")}`;
  lines.push(`cat > '${sudoers}.tmp' ${heredoc(sudoersFile(user))}`);
  lines.push(`chmod 0440 '${sudoers}.tmp' && visudo -cq -f '${sudoers}.tmp' && mv -f '${sudoers}.tmp' '${sudoers}'`);
  return `${lines.join("\n")}\n`;
}
