import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { link, open, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { ImageCopyFailure, InvalidInput } from "../interface/errors";
import type { CopyOptions, RemoveImageResult } from "../interface/imageDriver";
import type { ImageFormat, ImageInfo } from "../interface/types";
import { imageStep } from "./errors";
import { MeteredStream, ProgressMeter } from "./progress";
import { partialPathOf, type ImageHost } from "./spec";

/** Image files on the machine running cinderblock: exports streamed back, found and removed later. */

const MIB = 1024 * 1024;
const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]);
/** A stream back gets a minute, plus time for its bytes at 1 MiB/s. */
const streamTimeoutMs = (bytes: number): number => 60_000 + Math.ceil(bytes / MIB) * 1000;

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** @throws InvalidInput when the target exists or its directory does not. */
export async function checkLocalTarget(path: string): Promise<void> {
  const directory = await stat(dirname(path)).catch(() => undefined);
  if (!directory?.isDirectory()) throw new InvalidInput(`the directory of ${path} does not exist`);
  const existing = await stat(path).catch((error: unknown) => (errno(error) === "ENOENT" ? undefined : error));
  if (existing !== undefined) throw new InvalidInput(`${path} already exists; cinderblock never overwrites a file (remove it, or choose another path)`);
}

/**
 * Streams a file on the host (`cat` over the SSH channel) into a local file, hashing it on
 * the way: written under the partial name and linked into place when complete, so an existing
 * file is never overwritten and a failed stream leaves nothing under the final name.
 */
export async function downloadToLocalFile(host: ImageHost, hostPath: string, sizeBytes: number, localPath: string, options: CopyOptions): Promise<string> {
  const meter = new ProgressMeter("transfer", sizeBytes, options.onProgress);
  const partial = partialPathOf(localPath);
  const metered = new MeteredStream((bytes) => meter.update(bytes));
  // A local write failure must stop the remote side too, or the channel would wait on a full pipe.
  const stop = new AbortController();
  const written = pipeline(metered, createWriteStream(partial, { mode: 0o644 })).catch((error: unknown) => {
    stop.abort();
    throw new ImageCopyFailure(`writing ${partial} failed: ${(error as Error).message}`, { cause: error });
  });
  written.catch(() => undefined); // Awaited below; a rejection before then is not unhandled.
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  try {
    const streamed = imageStep(`streaming the image back from ${host.name}`, () =>
      host.run(["cat", "--", hostPath], { stdout: metered, timeoutMs: streamTimeoutMs(sizeBytes), signal }),
    );
    await Promise.all([streamed, written]);
    if (metered.bytes !== sizeBytes) throw new ImageCopyFailure(`the image stream from ${host.name} ended after ${metered.bytes} of ${sizeBytes} bytes`);
    meter.finish();
    await publish(partial, localPath);
    return metered.digest();
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    throw error;
  }
}

async function publish(partial: string, path: string): Promise<void> {
  try {
    await link(partial, path);
  } catch (error) {
    if (errno(error) === "EEXIST") throw new InvalidInput(`${path} appeared during the export; it was left alone and the export discarded`);
    throw error;
  }
  await unlink(partial);
}

/** The SHA-256 of a local file. */
export async function localSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * An export-format image file here, or undefined when there is none. Only raw and qcow2 are
 * written, so the qcow2 magic tells them apart and the header holds the virtual size; no
 * qemu-img is needed on this machine.
 */
export async function findLocalImage(path: string): Promise<ImageInfo | undefined> {
  const stats = await stat(path).catch((error: unknown) => {
    if (errno(error) === "ENOENT") return undefined;
    throw new InvalidInput(`${path} cannot be read (${errno(error) ?? (error as Error).message})`);
  });
  if (!stats) return undefined;
  const header = Buffer.alloc(32);
  const file = await open(path, "r");
  try {
    await file.read(header, 0, header.length, 0);
  } finally {
    await file.close();
  }
  const qcow2 = header.subarray(0, 4).equals(QCOW2_MAGIC);
  const format: ImageFormat = qcow2 ? "qcow2" : "raw";
  // qcow2 header: the virtual size is a big-endian u64 at byte 24.
  const virtualSizeBytes = qcow2 ? Number(header.readBigUInt64BE(24)) : stats.size;
  return { format, virtualSizeBytes, sizeBytes: stats.size, sha256: await localSha256(path) };
}

/** Removes a local export only when it still has `sha256` (see ImageDriver.removeHostImage). */
export async function removeLocalImage(path: string, sha256: string): Promise<RemoveImageResult> {
  const exists = await stat(path).then(
    () => true,
    (error: unknown) => (errno(error) === "ENOENT" ? false : Promise.reject(error)),
  );
  if (!exists) return "absent";
  if ((await localSha256(path)) !== sha256.toLowerCase()) return "changed";
  await unlink(path).catch((error: unknown) => (errno(error) === "ENOENT" ? undefined : Promise.reject(error)));
  return "removed";
}
