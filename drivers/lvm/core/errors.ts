import { BackendUnavailable, DriverError, VolumeAlreadyExists, VolumeBackendAPIException, VolumeSizeExceedsAvailableQuota } from "../../interface/errors";
import { isCommandError, SshError, type CommandError } from "../../ssh/errors";

/**
 * Classifying LVM failures by exit code AND message (TopoLVM's rule): "any error means absent"
 * would turn a broken host into a silently empty one.
 */

/** LVM's exit code for "not found" (ECMD_FAILED with a lookup failure). */
const NOT_FOUND_EXIT = 5;
const NOT_FOUND = /Failed to find logical volume "[^"]*"|Volume group "[^"]*" not found|logical volume\(s\) not found/;

/** True only when LVM says the named VG or LV does not exist. */
export function isLvmNotFound(error: unknown): error is CommandError {
  return isCommandError(error) && error.exitCode === NOT_FOUND_EXIT && NOT_FOUND.test(error.stderr);
}

/** LVM itself crashed (SIGSEGV, exit 139); Cinder retries these (LP #1901783, #1932188). */
export function isLvmSegfault(error: unknown): boolean {
  return isCommandError(error) && error.exitCode === 139;
}

const NO_SPACE =
  /Insufficient free space|Insufficient suitable allocatable extents|not enough free space|Cannot create new thin volume, free space in thin pool/i;
const EXISTS = /already exists in volume group/;

/** True when LVM refused to create an LV because one of that name exists. */
export function isLvmExists(error: unknown): error is CommandError {
  return isCommandError(error) && EXISTS.test(error.stderr);
}

/** Maps any failure from the host to a driver error, keeping the original as `cause`. */
export function toDriverError(error: unknown, doing: string): DriverError {
  if (error instanceof DriverError) return error;
  if (isCommandError(error)) {
    if (NO_SPACE.test(error.stderr)) {
      return new VolumeSizeExceedsAvailableQuota(`${doing}: not enough free space on ${error.host} (${firstLine(error.stderr)})`, { cause: error });
    }
    if (EXISTS.test(error.stderr)) return new VolumeAlreadyExists(`${doing}: ${firstLine(error.stderr)}`, { cause: error });
    return new VolumeBackendAPIException(`${doing}: ${error.shortMessage}`, { cause: error });
  }
  if (error instanceof SshError) {
    const host = (error as { destination?: string }).destination ?? "the host";
    return new BackendUnavailable(host, `${doing}: ${error.shortMessage}`, { cause: error });
  }
  return new VolumeBackendAPIException(`${doing}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line && !line.startsWith("WARNING")) ?? text.trim()
  );
}

/** Runs host work and maps whatever fails to a driver error. */
export async function guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toDriverError(error, doing);
  }
}
