import type { CommandRunner } from "../ssh/exec";

/** What the target helpers need of a storage host: running argv-form commands. */
export type HostShell = Pick<CommandRunner, "run">;

/**
 * The target helpers drive the kernel's configfs (LIO under /sys/kernel/config/target, nvmet
 * under /sys/kernel/config/nvmet) with constant `sh` scripts from this package: values reach a
 * script only as positional arguments (`sh -c SCRIPT sh ARG...`, every argument quoted by the
 * transport) and secrets only on stdin, never in argv where `ps` and logs would show them. A
 * shell script costs a fraction of a second on the host; python3 with rtslib costs seconds,
 * which every attachment would pay while holding the host's target lock.
 *
 * The fragments below are shared by the scripts of both protocols.
 */

/**
 * Writes the export record (the first line of stdin) to `$record` atomically, readable by root
 * only. It is written before the kernel is configured, so a crash in between leaves a record
 * that the next call (or ensureExport) completes. The file is synced before the rename: ext4
 * can otherwise leave a renamed new file empty after a power loss (seen in the lab), which
 * would lose the export's initiators and credentials.
 */
export const PERSIST_RECORD = `umask 077
mkdir -p "$(dirname "$record")"
IFS= read -r line
printf '%s\\n' "$line" > "$record.tmp"
sync -- "$record.tmp"
mv -f "$record.tmp" "$record"
sync -- "$(dirname "$record")"`;

/** The backstore must be the volume's gate; it is recreated at host setup after a boot. */
export const REQUIRE_DEVICE = `[ -b "$dev" ] || { echo "device $dev does not exist (the volume's gate is not set up)" >&2; exit 3; }`;

/** Sets `discard` to 1 when the device below accepts discards (thin volumes reclaim space then). */
export const DISCARD = `discard=0
[ "$(lsblk -bdno DISC-MAX "$dev" | tr -d ' ')" = 0 ] || discard=1`;

/** Prints `discard=0|1` for the device `$dev` without changing anything; a missing device (a lost gate) offers none. */
export const PROBE_DISCARD = `if [ -b "$dev" ]; then
${DISCARD}
else
discard=0
fi
echo "discard=$discard"`;

/** Runs a constant script with positional arguments and stdin; stdout's `key=value` lines come back parsed. */
export async function runScript(host: HostShell, script: string, args: readonly string[], stdin?: string): Promise<Map<string, string>> {
  const result = await host.run(["sh", "-c", script, "sh", ...args], stdin === undefined ? {} : { stdin });
  const values = new Map<string, string>();
  for (const line of result.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}
