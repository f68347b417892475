/**
 * `qemu-img info --output=json`, decoded. Only the fields the image checks read are kept;
 * everything else qemu-img reports is ignored, and anything malformed is an error, never a
 * silently missing field (a missing `backing-filename` must mean "none", not "unparsed").
 */
export interface QemuImageInfo {
  /** The format qemu-img read the file as (`raw`, `qcow2`, `vmdk`, ...). */
  format: string;
  virtualSizeBytes: number;
  /** Bytes the file occupies on disk. */
  actualSizeBytes: number | undefined;
  backingFile: string | undefined;
  /** qcow2's external data file (CVE-2024-32498). */
  dataFile: string | undefined;
  /** vmdk's create type (`monolithicSparse`, `streamOptimized`, `monolithicFlat`, ...). */
  vmdkCreateType: string | undefined;
  /** The files a vmdk's extents live in. */
  vmdkExtentFiles: string[];
}

export class QemuInfoParseError extends Error {
  constructor(message: string) {
    super(`qemu-img info printed ${message}`);
    Object.defineProperty(this, "name", { value: "QemuInfoParseError", enumerable: false });
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);

function optionalString(object: Json, key: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new QemuInfoParseError(`a non-string "${key}"`);
  return value;
}

function size(object: Json, key: string): number | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new QemuInfoParseError(`a bad "${key}"`);
  return value;
}

export function parseQemuImgInfo(text: string): QemuImageInfo {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new QemuInfoParseError("something that is not JSON");
  }
  if (!isObject(document)) throw new QemuInfoParseError("JSON that is not an object");
  const format = optionalString(document, "format");
  const virtualSizeBytes = size(document, "virtual-size");
  if (!format || virtualSizeBytes === undefined) throw new QemuInfoParseError("no format or virtual size");
  const specific = isObject(document["format-specific"]) && isObject(document["format-specific"].data) ? document["format-specific"].data : {};
  const extents = Array.isArray(specific.extents) ? specific.extents : [];
  return {
    format,
    virtualSizeBytes,
    actualSizeBytes: size(document, "actual-size"),
    // qemu-img names the backing file in either field depending on how it was given.
    backingFile: optionalString(document, "backing-filename") ?? optionalString(document, "full-backing-filename"),
    dataFile: optionalString(specific, "data-file"),
    vmdkCreateType: optionalString(specific, "create-type"),
    vmdkExtentFiles: extents.map((extent) => (isObject(extent) ? (optionalString(extent, "filename") ?? "") : "")),
  };
}
