import { join } from "node:path";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { ImageCopyFailure, ImageTooBig, InvalidInput } from "../interface/errors";
import type { CopyOptions } from "../interface/imageDriver";
import type { ImageSource } from "../interface/types";
import { isCommandError } from "../ssh/errors";
import { imageStep } from "./errors";
import { lineSink, MeteredStream, parseStageProgress, ProgressMeter } from "./progress";
import type { ImageHost } from "./spec";
import { declareScriptFile } from "../ssh/scriptFiles";

/** This module's host scripts (shipped as files beside it). */
const SCRIPTS = join(__dirname, "scripts");

/**
 * Staging: an image that could change between its check and its conversion (a URL, a local
 * file, a host file others could rewrite: see imageFile.ts) is first copied into a private
 * file of the host's conversion directory, so that what is checked is exactly what is converted. Staged files are named `cb-stage-*` and removed whatever happens; files of
 * copies that crashed are swept by the next copy once they are older than any copy may run.
 */

/** No copy runs longer: older than this, a staged file belongs to no running copy. */
export const COPY_LIMIT_MS = 24 * 60 * 60_000;
const STALE_MINUTES = COPY_LIMIT_MS / 60_000;
const MIB = 1024 * 1024;
/** Room a legitimate image file may need beyond its volume's size (qcow2 tables, vhdx log). */
export const imageFileAllowance = (volumeBytes: number): number => volumeBytes + Math.max(64 * MIB, Math.ceil(volumeBytes / 100));
/** A transfer gets a minute, plus time for its bytes at 1 MiB/s. */
const transferTimeoutMs = (bytes: number): number => 60_000 + Math.ceil(bytes / MIB) * 1000;

const PREPARE = declareScriptFile(SCRIPTS, "image-prepare.sh");

/** Fetches a URL or copies a host file into the staging file (scripts/image-stage.sh says how it reports). */
const STAGE = declareScriptFile(SCRIPTS, "image-stage.sh");

const TOO_LARGE_EXIT = 63;
export const NOT_A_FILE_EXIT = 66;
const CURL_WRITE_ERROR_EXIT = 23;

/** An image file larger than `maxBytes`, the most a volume of its size could need. */
export const tooLargeForVolume = (size: string, maxBytes: number): ImageTooBig =>
  new ImageTooBig(`the image file (${size}) is larger than a volume of this size could need (${maxBytes} bytes)`);

export interface StagingFile {
  /** The staged file's path on the host (it exists, empty). */
  path: string;
  /** Free bytes in the conversion directory when it was made. */
  freeBytes: number;
}

/** Runs `work` with a fresh staging file in `dir`, and removes the file whatever happens. */
export async function withStagingFile<T>(host: ImageHost, dir: string, work: (file: StagingFile) => Promise<T>): Promise<T> {
  const out = await imageStep(`preparing ${dir} on ${host.name}`, () => host.run(["sh", "-c", PREPARE, "sh", dir, String(STALE_MINUTES)]));
  const [path = "", free = ""] = out.stdout.trim().split("\n");
  if (!path.startsWith(`${dir}/cb-stage-`) || !/^\d+$/.test(free)) {
    throw new ImageCopyFailure(`preparing ${dir} on ${host.name} printed something unexpected`);
  }
  try {
    return await work({ path, freeBytes: Number(free) });
  } finally {
    await host.run(["rm", "-f", "--", path, `${path}.headers`]).catch(() => undefined);
  }
}

export interface Staged {
  sizeBytes: number;
  /** Known when the file was streamed from here (hashed on the way). */
  sha256: string | undefined;
}

/**
 * Copies the image into the staging file, refusing one larger than `maxBytes` (the volume's
 * allowance) or than the free space, before or while it arrives.
 * @throws ImageTooBig, InvalidInput (not a regular file), ImageCopyFailure (download failed)
 */
export async function stageImage(host: ImageHost, file: StagingFile, source: ImageSource, maxBytes: number, options: CopyOptions): Promise<Staged> {
  const limit = Math.min(maxBytes, file.freeBytes);
  const tooBig = (size: string): ImageTooBig =>
    limit === maxBytes
      ? tooLargeForVolume(size, maxBytes)
      : new ImageTooBig(
          `the image file (${size}) does not fit in the conversion directory on ${host.name} (${file.freeBytes} bytes free); free space or set imageConversionDir`,
        );
  const meter = new ProgressMeter("transfer", undefined, options.onProgress);
  if (source.kind === "localFile") return uploadLocalFile(host, source.path, file.path, limit, tooBig, meter, options.signal);
  const mode = source.kind === "url" ? "url" : "path";
  const from = source.kind === "url" ? source.url : source.path;
  let size: number | undefined;
  const sink = lineSink((line) => {
    const progress = parseStageProgress(line);
    if (progress) meter.update(progress.done, progress.total);
    const final = /^size (\d+)$/.exec(line.trim());
    if (final) size = Number(final[1]);
  });
  try {
    await host.run(["sh", "-c", STAGE, "sh", mode, from, file.path, String(limit)], {
      stdout: sink,
      timeoutMs: transferTimeoutMs(limit),
      signal: options.signal,
    });
  } catch (error) {
    if (isCommandError(error) && error.exitCode === TOO_LARGE_EXIT) throw tooBig(`more than ${limit} bytes`);
    if (isCommandError(error) && error.exitCode === CURL_WRITE_ERROR_EXIT && mode === "url") throw tooBig("more than fits");
    if (isCommandError(error) && error.exitCode === NOT_A_FILE_EXIT) throw new InvalidInput(`hostPath ${from} is not a regular file on ${host.name}`);
    return imageStep(mode === "url" ? `downloading the image on ${host.name}` : `copying ${from} on ${host.name}`, () => Promise.reject(error));
  }
  meter.finish();
  if (size === undefined) throw new ImageCopyFailure(`staging the image on ${host.name} did not report its size`);
  return { sizeBytes: size, sha256: undefined };
}

/** Streams a local file into the staging file over the SSH channel, hashing it on the way. */
async function uploadLocalFile(
  host: ImageHost,
  localPath: string,
  dest: string,
  limit: number,
  tooBig: (size: string) => ImageTooBig,
  meter: ProgressMeter,
  signal: AbortSignal | undefined,
): Promise<Staged> {
  const size = await localFileSize(localPath);
  if (size > limit) throw tooBig(`${size} bytes`);
  const metered = new MeteredStream((bytes) => meter.update(bytes, size));
  const source = createReadStream(localPath);
  const read = pipeline(source, metered);
  await imageStep(`streaming ${localPath} to ${host.name}`, () =>
    host.run(["dd", `of=${dest}`, "bs=4M", "status=none"], { stdin: metered, timeoutMs: transferTimeoutMs(size), signal }),
  );
  await read;
  meter.finish();
  if (metered.bytes !== size) throw new ImageCopyFailure(`${localPath} changed while it was streamed (${metered.bytes} of ${size} bytes)`);
  return { sizeBytes: size, sha256: metered.digest() };
}

/** The size of a local regular file. @throws InvalidInput when there is none */
export async function localFileSize(path: string): Promise<number> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InvalidInput(`local image ${path} cannot be read (${error.code ?? error.message})`);
  });
  if (!stats.isFile()) throw new InvalidInput(`local image ${path} is not a regular file`);
  return stats.size;
}
