import { join } from "node:path";
import { ImageCopyFailure } from "../interface/errors";
import type { CopyOptions } from "../interface/imageDriver";
import type { ImageFormat } from "../interface/types";
import { isCommandError } from "../ssh/errors";
import { checkImage, type InfoResult } from "./checks";
import { imageStep } from "./errors";
import { CHECK_EXIT, CHECK_OK_EXIT_CODES, checkIntegrity, type CheckRun } from "./integrity";
import { parseQemuImgInfo, QemuInfoParseError, type QemuImageInfo } from "./info";
import { lineSink, parseQemuProgress, ProgressMeter } from "./progress";
import type { ImageHost } from "./spec";
import { declareScriptFile } from "../ssh/scriptFiles";

/**
 * qemu-img on the host. Untrusted images are only ever opened with limits (Cinder's
 * image_conversion_cpu_limit and _address_space_limit: a crafted image can make qemu-img
 * spin or allocate without bound) and, for conversion, with the format given explicitly so
 * that qemu-img never guesses.
 */
const INFO_LIMITS = ["prlimit", "--cpu=60", `--as=${1024 ** 3}`];
const INFO_TIMEOUT_MS = 90_000;
/** A conversion gets a minute, plus time for its bytes at a slow disk's 5 MiB/s. */
const convertTimeoutMs = (bytes: number): number => 60_000 + Math.ceil(bytes / (5 * 1024 * 1024)) * 1000;
/** Checksumming gets a minute, plus time for its bytes at 2 MiB/s (an emulated host's pace). */
export const checksumTimeoutMs = (bytes: number): number => 60_000 + Math.ceil(bytes / (2 * 1024 * 1024)) * 1000;

/** `qemu-img info` of a file, read as `format` or, without one, as whatever it looks like. */
export async function qemuInfo(host: ImageHost, path: string, format: ImageFormat | undefined, signal?: AbortSignal): Promise<InfoResult> {
  const argv = [...INFO_LIMITS, "qemu-img", "info", "--output=json", ...(format ? ["-f", format] : []), "--", path];
  try {
    return { ok: true, info: parseQemuImgInfo((await host.run(argv, { timeoutMs: INFO_TIMEOUT_MS, signal })).stdout) };
  } catch (error) {
    if (error instanceof QemuInfoParseError) return { ok: false, error: error.message };
    if (!isCommandError(error) || error.cancelled) throw error;
    // Killed by the CPU limit (SIGXCPU/SIGKILL) or out of address space: a hostile image.
    const reason = error.signal
      ? `qemu-img was stopped by ${error.signal} (over its CPU or memory limit)`
      : error.stderr.trim().split("\n")[0] || error.shortMessage;
    return { ok: false, error: reason };
  }
}

/** `qemu-img check` of a file read as `format`, with the same limits as info. */
async function qemuCheck(host: ImageHost, path: string, format: ImageFormat, signal?: AbortSignal): Promise<CheckRun> {
  const argv = [...INFO_LIMITS, "qemu-img", "check", "--output=json", "-f", format, "--", path];
  try {
    return await host.run(argv, { timeoutMs: INFO_TIMEOUT_MS, okExitCodes: CHECK_OK_EXIT_CODES, signal });
  } catch (error) {
    if (!isCommandError(error) || error.cancelled || !error.signal) throw error;
    return { exitCode: CHECK_EXIT.incomplete, stdout: "", stderr: `qemu-img was stopped by ${error.signal} (over its CPU or memory limit)` };
  }
}

/**
 * Inspects a staged image of `fileBytes` bytes both ways (as declared, and probed), applies the
 * checks, then has qemu-img check its consistency. Check runs only once the image is known to be
 * self-contained (it would open a backing file); raw has no structure to check.
 * @throws ImageUnacceptable, ImageTooBig
 */
export async function inspectImage(
  host: ImageHost,
  path: string,
  declared: ImageFormat,
  image: { volumeBytes: number; fileBytes: number },
  signal?: AbortSignal,
): Promise<QemuImageInfo> {
  const [asDeclared, probed] = await Promise.all([qemuInfo(host, path, declared, signal), qemuInfo(host, path, undefined, signal)]);
  const info = checkImage({ declared, asDeclared, probed, path, volumeBytes: image.volumeBytes });
  if (declared !== "raw") checkIntegrity(await qemuCheck(host, path, declared, signal), image.fileBytes);
  return info;
}

export interface Conversion {
  from: string;
  fromFormat: ImageFormat;
  to: string;
  toFormat: ImageFormat;
  /** The source is a device (read with direct I/O). */
  fromDevice: boolean;
  /** The target is an existing device: write into it (-n) with direct I/O, never create it. */
  toDevice: boolean;
  /** qcow2 only. */
  compress?: boolean | undefined;
  /** The virtual size, for progress in bytes. */
  bytes: number;
}

/**
 * `qemu-img convert` with progress. Into a device, `-n` keeps qemu-img from creating the target
 * and makes it write zeros explicitly (it cannot assume a used volume reads as zeros), so the
 * volume holds exactly the image; `-t none` bypasses the page cache as Cinder does for devices.
 * From a device, `-T none` reads it without filling the page cache.
 */
export async function convert(host: ImageHost, conversion: Conversion, options: CopyOptions): Promise<void> {
  const meter = new ProgressMeter("convert", conversion.bytes, options.onProgress);
  const sink = lineSink((line) => {
    const percent = parseQemuProgress(line);
    if (percent !== undefined) meter.update(Math.round((conversion.bytes * percent) / 100));
  });
  const argv = [
    "qemu-img",
    "convert",
    "-p",
    "-f",
    conversion.fromFormat,
    ...(conversion.fromDevice ? ["-T", "none"] : []),
    "-O",
    conversion.toFormat,
    ...(conversion.toDevice ? ["-n", "-t", "none"] : []),
    ...(conversion.compress ? ["-c"] : []),
    "--",
    conversion.from,
    conversion.to,
  ];
  await imageStep(`converting the image on ${host.name}`, () =>
    host.run(argv, { stdout: sink, timeoutMs: convertTimeoutMs(conversion.bytes), signal: options.signal }),
  );
  meter.finish();
}

/**
 * OpenSSL's SHA-256 uses the CPU's SHA extensions where sha256sum does not, and hashing is the
 * slowest step of an image import on a slow host; sha256sum where there is no openssl.
 */
const SHA256 = declareScriptFile(join(__dirname, "scripts"), "sha256.sh");

/** The SHA-256 of a file on the host (read on stdin, so no file name can garble the output). */
export async function hostSha256(host: ImageHost, path: string, bytes: number, signal?: AbortSignal): Promise<string> {
  const result = await imageStep(`checksumming ${path} on ${host.name}`, () =>
    host.run(["sh", "-c", SHA256, "sha256", path], { timeoutMs: checksumTimeoutMs(bytes), signal }),
  );
  const sum = /^([0-9a-f]{64})\b/.exec(result.stdout.trim())?.[1];
  if (!sum) throw new ImageCopyFailure(`hashing ${path} on ${host.name} printed no SHA-256`);
  return sum;
}
