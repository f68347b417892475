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
import { declareHostScript } from "../ssh/privilege";

/**
 * Staging: every image is first copied into a private file of the host's conversion
 * directory, so that what is checked is exactly what is converted (a path or URL could change
 * between the two). Staged files are named `cb-stage-*` and removed whatever happens; files of
 * copies that crashed are swept by the next copy once they are older than any copy may run.
 */

/** Older than this, a staged file belongs to no running copy (copies time out well before). */
const STALE_MINUTES = 24 * 60;
const MIB = 1024 * 1024;
/** Room a legitimate image file may need beyond its volume's size (qcow2 tables, vhdx log). */
export const imageFileAllowance = (volumeBytes: number): number => volumeBytes + Math.max(64 * MIB, Math.ceil(volumeBytes / 100));
/** A transfer gets a minute, plus time for its bytes at 1 MiB/s. */
const transferTimeoutMs = (bytes: number): number => 60_000 + Math.ceil(bytes / MIB) * 1000;

const PREPARE = declareHostScript(
  "image-prepare",
  `set -e
mkdir -p -m 0700 -- "$1"
find "$1" -maxdepth 1 -type f -name 'cb-stage-*' -mmin "+$2" -exec rm -f -- {} +
mktemp -p "$1" cb-stage-XXXXXXXXXX
df -B1 --output=avail -- "$1" | tail -n 1`,
);

/**
 * Fetches a URL (mode url) or copies a host file (mode path) to $3, at most $4 bytes, printing
 * "progress DONE TOTAL" every second and "size BYTES" at the end. Exit 63 (curl's "maximum file size exceeded") when the
 * source is larger than $4, 66 when the host path is not a regular file.
 */
const STAGE = declareHostScript(
  "image-stage",
  `mode=$1 src=$2 dest=$3 max=$4 total=
case $mode in
url)
  curl --fail --silent --show-error --location --proto =http,https --proto-redir =http,https \\
    --connect-timeout 30 --max-filesize "$max" --dump-header "$dest.headers" --output "$dest" "$src" &
  ;;
path)
  [ -f "$src" ] || { echo "$src is not a regular file on this host" >&2; exit 66; }
  total=$(stat -L -c %s -- "$src") || exit 66
  [ "$total" -le "$max" ] || { echo "the image file is $total bytes" >&2; exit 63; }
  cp -- "$src" "$dest" &
  ;;
*) exit 64 ;;
esac
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 1
  [ "$mode" = url ] && total=$(sed -n 's/^[Cc]ontent-[Ll]ength:[[:space:]]*\\([0-9][0-9]*\\).*/\\1/p' "$dest.headers" 2>/dev/null | tail -n 1)
  printf 'progress %s %s\\n' "$(stat -c %s -- "$dest" 2>/dev/null || echo 0)" "$total"
done
wait "$pid" || exit
printf 'size %s\\n' "$(stat -c %s -- "$dest")"`,
);

const TOO_LARGE_EXIT = 63;
const NOT_A_FILE_EXIT = 66;
const CURL_WRITE_ERROR_EXIT = 23;

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
    new ImageTooBig(
      limit === maxBytes
        ? `the image file (${size}) is larger than a volume of this size could need (${maxBytes} bytes)`
        : `the image file (${size}) does not fit in the conversion directory on ${host.name} (${file.freeBytes} bytes free); free space or set imageConversionDir`,
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
