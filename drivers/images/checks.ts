import { ImageTooBig, ImageUnacceptable } from "../interface/errors";
import type { ImageFormat } from "../interface/types";
import type { QemuImageInfo } from "./info";

/**
 * Cinder's image checks (image_utils.check_image_format and fetch_to_volume_format), as pure
 * functions over what qemu-img reported, so that every rule is tested without a host.
 */

/** Single-file vmdk types (Cinder's vmdk_allowed_types); the others reference extent files. */
export const VMDK_ALLOWED_CREATE_TYPES: readonly string[] = ["monolithicSparse", "streamOptimized"];

/** qemu-img's answer for one way of reading the image: its info, or why it could not. */
export type InfoResult = { ok: true; info: QemuImageInfo } | { ok: false; error: string };

export interface Inspection {
  declared: ImageFormat;
  /** `qemu-img info -f <declared>`: how the conversion will read the file. */
  asDeclared: InfoResult;
  /** `qemu-img info` without a format: what the file really is. */
  probed: InfoResult;
  /** The staged file's path (a single-file vmdk's only extent is the file itself). */
  path: string;
  /** The volume's size in bytes. */
  volumeBytes: number;
}

const GIB = 1024 ** 3;
export const shown = (text: string): string => {
  const printable = text.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 120 ? `${printable.slice(0, 120)}...` : printable;
};
const gib = (bytes: number): string => `${(bytes / GIB).toFixed(2)} GiB`;

/**
 * Checks a staged image; returns its info as the declared format reads it.
 * @throws ImageUnacceptable when it lies about its format, references other files or cannot
 *   be read; ImageTooBig when its virtual size exceeds the volume
 */
export function checkImage(inspection: Inspection): QemuImageInfo {
  const { declared, asDeclared, probed } = inspection;
  if (!probed.ok) throw new ImageUnacceptable(`qemu-img cannot read the image: ${shown(probed.error)}`);
  if (probed.info.format !== declared) {
    throw new ImageUnacceptable(
      `the image is declared ${declared} but it is ${shown(probed.info.format)}; declare its real format (a mismatch is refused, as it can smuggle headers)`,
    );
  }
  if (!asDeclared.ok) throw new ImageUnacceptable(`qemu-img cannot read the image as ${declared}: ${shown(asDeclared.error)}`);
  for (const info of [asDeclared.info, probed.info]) checkSelfContained(info, inspection.path);
  const { info } = asDeclared;
  if (info.virtualSizeBytes > inspection.volumeBytes) {
    throw new ImageTooBig(
      `the image's virtual size is ${gib(info.virtualSizeBytes)} (${info.virtualSizeBytes} bytes), larger than the volume's ${gib(inspection.volumeBytes)}; use a volume of at least ${Math.ceil(info.virtualSizeBytes / GIB)} GiB`,
    );
  }
  return info;
}

/** An image must not make qemu-img read any file but itself. */
function checkSelfContained(info: QemuImageInfo, path: string): void {
  if (info.backingFile !== undefined) {
    throw new ImageUnacceptable(
      `the image has a backing file (${shown(info.backingFile)}); only self-contained images are accepted (flatten it with \`qemu-img convert\`)`,
    );
  }
  if (info.dataFile !== undefined) {
    throw new ImageUnacceptable(`the qcow2 image has an external data file (${shown(info.dataFile)}); such images are refused (CVE-2024-32498)`);
  }
  if (info.format === "vmdk") {
    const type = info.vmdkCreateType ?? "unknown";
    if (!VMDK_ALLOWED_CREATE_TYPES.includes(type)) {
      throw new ImageUnacceptable(`vmdk create type ${shown(type)} is not allowed (allowed: ${VMDK_ALLOWED_CREATE_TYPES.join(", ")})`);
    }
    const foreign = info.vmdkExtentFiles.find((file) => file !== path);
    if (foreign !== undefined) throw new ImageUnacceptable(`the vmdk image has an extent in another file (${shown(foreign)})`);
  }
}
