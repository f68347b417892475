import { join } from "node:path";
import { ImageCopyFailure, InvalidInput } from "../interface/errors";
import type { CopyOptions } from "../interface/imageDriver";
import type { ImageSource } from "../interface/types";
import { isCommandError } from "../ssh/errors";
import { whileHolding } from "../ssh/holder";
import { declareScriptFile } from "../ssh/scriptFiles";
import type { ImageHost } from "./spec";
import { COPY_LIMIT_MS, NOT_A_FILE_EXIT, stageImage, tooLargeForVolume, withStagingFile } from "./staging";

/**
 * Where an image copy reads the image from: a file on the host that no one else can change
 * while it is checked and converted, so that what is checked is exactly what is converted.
 * A host file only its owner can write, owned by root or the SSH user, is read in place,
 * held open all along (scripts/image-pin.sh) so that a rename cannot swap it: reading it again
 * would cost as much as the conversion. Anything else (a URL, a local file, a host file others
 * could rewrite) is first copied into a private staging file.
 */

export interface ImageFile {
  /** Where the host reads it. */
  path: string;
  sizeBytes: number;
  /** Known when the file was streamed from here (hashed on the way). */
  sha256: string | undefined;
}

const PIN = declareScriptFile(join(__dirname, "scripts"), "image-pin.sh");
const PINNED = /^pinned (\d+) (\d+)$/;

/**
 * Runs `work` on the image of `source` as a file on the host, refusing one larger than
 * `maxBytes` (the volume's allowance) before anything is read or copied.
 * @throws ImageTooBig, InvalidInput (not a regular file), ImageCopyFailure
 */
export async function withImageFile<T>(
  host: ImageHost,
  stagingDir: string,
  source: ImageSource,
  maxBytes: number,
  options: CopyOptions,
  work: (file: ImageFile) => Promise<T>,
): Promise<T> {
  if (source.kind === "hostPath") {
    const inPlace = await readInPlace(host, source.path, maxBytes, work);
    if (inPlace) return inPlace.value;
  }
  return withStagingFile(host, stagingDir, async (file) => {
    const staged = await stageImage(host, file, source, maxBytes, options);
    return work({ path: file.path, ...staged });
  });
}

/** `work` on the host file held open, or undefined when others could change it. */
async function readInPlace<T>(host: ImageHost, path: string, maxBytes: number, work: (file: ImageFile) => Promise<T>): Promise<{ value: T } | undefined> {
  const holding = {
    argv: ["sh", "-c", PIN, "image-pin", path],
    timeoutMs: COPY_LIMIT_MS,
    endedEarly: (cause: unknown): Error => {
      if (isCommandError(cause) && cause.exitCode === NOT_A_FILE_EXIT) return new InvalidInput(`hostPath ${path} is not a regular file on ${host.name}`);
      if (isCommandError(cause)) return new ImageCopyFailure(`opening ${path} on ${host.name}: ${cause.shortMessage}`, { cause });
      return cause instanceof Error ? cause : new ImageCopyFailure(`opening ${path} on ${host.name} ended before it was open`);
    },
  };
  return whileHolding(host, holding, async (line) => {
    const pinned = PINNED.exec(line);
    if (!pinned) return undefined;
    const sizeBytes = Number(pinned[2]);
    if (sizeBytes > maxBytes) throw tooLargeForVolume(`${sizeBytes} bytes`, maxBytes);
    return { value: await work({ path: `/proc/${pinned[1]}/fd/3`, sizeBytes, sha256: undefined }) };
  });
}
