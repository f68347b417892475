import { readFileSync } from "node:fs";
import { join } from "node:path";
import { quoteArgv } from "./quote";
import { PRIVILEGED_LVM_SHELL } from "./privilege";
import { remoteEnvArgv } from "./remoteEnv";

let compacted: string | undefined;

/**
 * The agent's Perl source as sent to the host. agent.pl sits next to this module both in the
 * sources and in dist/ (scripts/copy-assets.js puts it there). Whole-line comments are left
 * out: the program text travels as an argument, which the host shows in `ps` and sudo logs.
 */
export function agentSource(): string {
  compacted ??= readFileSync(join(__dirname, "agent.pl"), "utf8")
    .split("\n")
    .filter((line) => !/^\s*(#.*)?$/.test(line))
    .join("\n");
  return compacted;
}

/**
 * The exec command that starts the agent as the SSH user under the same locale and PATH as any
 * command. Its arguments are how it starts its lvm shell: `sudo -n ... lvm` on a sudo host
 * (the commands it runs arrive already in their sudo form).
 */
export function agentCommand(sudo: boolean): string {
  return quoteArgv([...remoteEnvArgv(), "perl", "-e", agentSource(), ...(sudo ? ["--", ...PRIVILEGED_LVM_SHELL] : [])]);
}
