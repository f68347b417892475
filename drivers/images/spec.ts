import { isAbsolute, posix, resolve } from "node:path";
import { EXPORT_FORMATS, IMAGE_FORMATS, SHA256_PATTERN, SHA256_RULE } from "../interface/imageDriver";
import { InvalidInput } from "../interface/errors";
import type { ImageFormat, ImageSpec, ImageTarget } from "../interface/types";
import type { CommandResult, RunOptions } from "../ssh/exec";
import { registerSecret } from "../ssh/redact";

/** The host side of image copies: any host that runs argv commands (an LvmHost is one). */
export interface ImageHost {
  readonly name: string;
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

const MAX_PATH = 4096;
const MAX_URL = 8192;
/** Control characters, which no sane path or URL holds and which would garble messages. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A path on a host: absolute, with no `..`, no control characters, not a directory name.
 * It is only ever passed as one argv element, so any other character is harmless.
 */
export function checkHostPath(path: string, what = "hostPath"): string {
  if (path.length === 0 || path.length > MAX_PATH || CONTROL.test(path)) {
    throw new InvalidInput(`${what} must be 1 to ${MAX_PATH} characters without control characters`);
  }
  if (!path.startsWith("/") || path.endsWith("/") || path.split("/").some((part) => part === "..")) {
    throw new InvalidInput(`${what} '${path}' must be an absolute file path without '..' components`);
  }
  return path;
}

/** A local path, made absolute against the working directory (the Pulumi program's, or the CLI's). */
export function checkLocalPath(path: string, what = "localFile"): string {
  if (path.length === 0 || path.length > MAX_PATH || CONTROL.test(path)) {
    throw new InvalidInput(`${what} must be 1 to ${MAX_PATH} characters without control characters`);
  }
  return isAbsolute(path) ? path : resolve(path);
}

/**
 * An http(s) URL for the host to fetch. Its password and query string may be credentials (a
 * pre-signed URL), so they are registered as secrets before the URL reaches any command: the
 * transport redacts them from every log line and error.
 */
export function checkUrl(url: string): string {
  if (url.length > MAX_URL || CONTROL.test(url) || /\s/.test(url)) throw new InvalidInput(`url must be at most ${MAX_URL} characters, without spaces`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInput("url is not a valid URL");
  }
  registerSecret(parsed.password ? decodeURIComponent(parsed.password) : undefined);
  registerSecret(parsed.password || undefined);
  registerSecret(parsed.search.length > 1 ? parsed.search.slice(1) : undefined);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new InvalidInput(`url must be http or https, not ${parsed.protocol.replace(/:$/, "")}`);
  return url;
}

export function checkSha256(sha256: string | undefined): string | undefined {
  if (sha256 === undefined) return undefined;
  if (!SHA256_PATTERN.test(sha256)) throw new InvalidInput(`sha256 ${SHA256_RULE}`);
  return sha256.toLowerCase();
}

function checkFormat(format: ImageFormat, allowed: readonly ImageFormat[], what: string): void {
  if (!allowed.includes(format)) throw new InvalidInput(`${what} must be one of ${allowed.join(", ")}, not '${String(format).slice(0, 20)}'`);
}

/** Validates an image source before any command is built; returns it normalized. */
export function checkImageSpec(image: ImageSpec): ImageSpec {
  checkFormat(image.format, IMAGE_FORMATS, "the image format");
  const sha256 = checkSha256(image.sha256);
  const { source } = image;
  switch (source.kind) {
    case "url":
      return { format: image.format, sha256, source: { kind: "url", url: checkUrl(source.url) } };
    case "hostPath":
      return { format: image.format, sha256, source: { kind: "hostPath", path: checkHostPath(source.path) } };
    case "localFile":
      return { format: image.format, sha256, source: { kind: "localFile", path: checkLocalPath(source.path) } };
    default:
      throw new InvalidInput(`unknown image source kind '${String((source as { kind: unknown }).kind)}'`);
  }
}

/** Validates where a volume is copied to; compression is qcow2's alone. */
export function checkImageTarget(target: ImageTarget): ImageTarget {
  checkFormat(target.format, EXPORT_FORMATS, "the target format");
  if (target.compress && target.format !== "qcow2") throw new InvalidInput("compress is only possible with format qcow2");
  if (target.kind === "hostPath") return { ...target, path: checkHostPath(target.path) };
  if (target.kind === "localFile") return { ...target, path: checkLocalPath(target.path) };
  throw new InvalidInput(`unknown image target kind '${String((target as { kind: unknown }).kind)}'`);
}

/**
 * Where an export is written before it is complete: a hidden name beside the target, renamed
 * into place only at the end, so a crash never leaves a half-written file under the final
 * name (and the leftover is found again by its name).
 */
export function partialPathOf(path: string): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.cb-partial`);
}
