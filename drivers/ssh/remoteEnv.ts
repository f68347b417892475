/** sbin first: LVM and dmsetup live there, and a non-root login PATH often lacks it. */
export const REMOTE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * What every remote process starts under, whether a single command or the session agent:
 * optional `sudo -n` (never prompts), then a fixed locale (LVM's messages are parsed) and PATH.
 */
export function remoteEnvArgv(sudo: boolean): string[] {
  return [...(sudo ? ["sudo", "-n", "--"] : []), "env", "LC_ALL=C", `PATH=${REMOTE_PATH}`];
}
