import { ImageCopyFailure, ImageTooBig } from "../interface/errors";
import { isCommandError, type CommandError } from "../ssh/errors";

/** Out of disk, as qemu-img, dd and cp say it. */
const NO_SPACE = /No space left on device|Disk quota exceeded/i;

export function isOutOfSpace(error: CommandError): boolean {
  return NO_SPACE.test(error.stderr);
}

/**
 * Runs one host step of an image copy and maps a failed command as Cinder does: running out
 * of space is ImageTooBig, any other command failure ImageCopyFailure (with the command error,
 * stderr and all, as `cause`). Anything else (a lost connection, a driver error) passes as is.
 */
export async function imageStep<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isCommandError(error)) throw error;
    if (isOutOfSpace(error)) {
      throw new ImageTooBig(
        `${doing}: ${error.host} ran out of space (${error.shortMessage}); free space there or set imageConversionDir to a larger file system`,
        { cause: error },
      );
    }
    throw new ImageCopyFailure(`${doing}: ${error.shortMessage}`, { cause: error });
  }
}
