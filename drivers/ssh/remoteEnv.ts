/** sbin first: LVM and dmsetup live there, and a non-root login PATH often lacks it. */
export const REMOTE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * What every remote process starts under, whether a single command or the session agent: a
 * fixed locale (LVM's messages are parsed) and PATH. Both run as the SSH user; on a sudo host
 * only the commands themselves go through sudo (see privilege.ts).
 */
export function remoteEnvArgv(): string[] {
  return ["env", "LC_ALL=C", `PATH=${REMOTE_PATH}`];
}
