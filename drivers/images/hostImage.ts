import { join } from "node:path";
import { ImageUnacceptable, InvalidInput } from "../interface/errors";
import { EXPORT_FORMATS, type CopyOptions, type RemoveImageResult } from "../interface/imageDriver";
import type { ImageFormat, ImageInfo } from "../interface/types";
import { isCommandError } from "../ssh/errors";
import { imageStep } from "./errors";
import { checksumTimeoutMs, convert, hostSha256, qemuInfo } from "./qemuImg";
import { partialPathOf, type ImageHost } from "./spec";
import { declareScriptFile } from "../ssh/scriptFiles";

/** This module's host scripts (shipped as files beside it). */
const SCRIPTS = join(__dirname, "scripts");

/** Image files on a host: exports written there, and finding or removing them later. */

const CHECK_TARGET = declareScriptFile(SCRIPTS, "image-check-target.sh");
const PUBLISH = declareScriptFile(SCRIPTS, "image-publish.sh");
const REMOVE_IF_UNCHANGED = declareScriptFile(SCRIPTS, "image-remove-if-unchanged.sh");

const TARGET_DIR_MISSING = 20;
const TARGET_EXISTS = 17;

/** @throws InvalidInput when the target exists or its directory does not. */
export async function checkHostTarget(host: ImageHost, path: string): Promise<void> {
  try {
    await host.run(["sh", "-c", CHECK_TARGET, "sh", path]);
  } catch (error) {
    if (isCommandError(error) && error.exitCode === TARGET_EXISTS) {
      throw new InvalidInput(`${path} already exists on ${host.name}; cinderblock never overwrites a file (remove it, or choose another path)`);
    }
    if (isCommandError(error) && error.exitCode === TARGET_DIR_MISSING) throw new InvalidInput(`the directory of ${path} does not exist on ${host.name}`);
    throw error;
  }
}

/**
 * Converts a device into an image file on the host: written under the partial name, renamed
 * into place when complete (the partial is removed on failure). Call `checkHostTarget` first;
 * a file that appears at the target meanwhile is still never overwritten.
 */
export async function exportToHostPath(
  host: ImageHost,
  device: string,
  target: { path: string; format: ImageFormat; compress?: boolean | undefined },
  bytes: number,
  options: CopyOptions,
): Promise<ImageInfo> {
  const partial = partialPathOf(target.path);
  try {
    await convert(
      host,
      { from: device, fromFormat: "raw", fromDevice: true, to: partial, toFormat: target.format, toDevice: false, compress: target.compress, bytes },
      options,
    );
    await host.run(["sh", "-c", PUBLISH, "sh", partial, target.path]).catch((error: unknown) => {
      if (isCommandError(error) && /File exists/.test(error.stderr)) {
        throw new InvalidInput(`${target.path} appeared on ${host.name} during the export; it was left alone and the export discarded`);
      }
      return imageStep(`moving the image into place at ${target.path}`, () => Promise.reject(error));
    });
  } catch (error) {
    await host.run(["rm", "-f", "--", partial]).catch(() => undefined);
    throw error;
  }
  const found = await findHostImage(host, target.path, target.format, options.signal);
  if (!found) throw new InvalidInput(`${target.path} vanished on ${host.name} right after the export`);
  return found;
}

/**
 * An export-format image file on the host, as it is now, or undefined when there is none.
 * Read as `format` when it is known (a raw export of a volume that holds an image would
 * otherwise be probed as that image), else probed.
 * @throws ImageUnacceptable when the file is not raw or qcow2
 */
export async function findHostImage(host: ImageHost, path: string, format?: ImageFormat, signal?: AbortSignal): Promise<ImageInfo | undefined> {
  const sizeBytes = await fileSize(host, path, signal);
  if (sizeBytes === undefined) return undefined;
  const [info, sha256] = await Promise.all([qemuInfo(host, path, format, signal), hostSha256(host, path, sizeBytes, signal)]);
  if (!info.ok) throw new ImageUnacceptable(`${path} on ${host.name} is not a readable image: ${info.error}`);
  const found = EXPORT_FORMATS.find((known) => known === info.info.format);
  if (!found) throw new ImageUnacceptable(`${path} on ${host.name} is ${info.info.format}, not an image cinderblock writes`);
  return { format: found, virtualSizeBytes: info.info.virtualSizeBytes, sizeBytes, sha256 };
}

/** A file's size on the host, or undefined when there is no file. */
async function fileSize(host: ImageHost, path: string, signal?: AbortSignal): Promise<number | undefined> {
  const stat = await host.run(["stat", "-L", "-c", "%s", "--", path], { okExitCodes: [1], signal });
  return stat.exitCode === 0 ? Number(stat.stdout.trim()) : undefined;
}

/** Removes the file only when it still has `sha256` (see ImageDriver.removeHostImage). */
export async function removeHostImage(host: ImageHost, path: string, sha256: string): Promise<RemoveImageResult> {
  const size = await fileSize(host, path);
  if (size === undefined) return "absent";
  const result = await imageStep(`removing ${path} on ${host.name}`, () =>
    host.run(["sh", "-c", REMOVE_IF_UNCHANGED, "sh", path, sha256.toLowerCase()], { timeoutMs: checksumTimeoutMs(size) }),
  );
  const outcome = result.stdout.trim();
  if (outcome !== "removed" && outcome !== "absent" && outcome !== "changed")
    throw new InvalidInput(`removing ${path} on ${host.name} printed '${outcome.slice(0, 40)}'`);
  return outcome;
}
