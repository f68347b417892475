import type { CopyProgress, ImageFormat, ImageInfo, ImageSpec, ImageTarget, VolumeId } from "./types";

/** Every format an image may be copied into a volume from (what qemu-img reads). */
export const IMAGE_FORMATS: readonly ImageFormat[] = ["raw", "qcow2", "vmdk", "vdi", "vhdx", "vpc"];
/** The formats a volume may be copied out to; only qcow2 can be compressed. */
export const EXPORT_FORMATS: readonly ImageFormat[] = ["raw", "qcow2"];
/** A hex SHA-256, as `sha256sum` prints it (either case is accepted). */
export const SHA256_PATTERN = /^[0-9a-fA-F]{64}$/;
export const SHA256_RULE = "must be 64 hex digits (a SHA-256)";

export interface CopyOptions {
  /**
   * Called at most every two seconds while a phase of the copy runs, starting two seconds
   * into it, and once more when a reported phase ends: short copies report nothing.
   */
  onProgress?: ((progress: CopyProgress) => void) | undefined;
  /** Aborting stops the remote commands; the copy then fails and cleans up as on any failure. */
  signal?: AbortSignal | undefined;
}

/** What removing an image file found. */
export type RemoveImageResult = "removed" | "absent" | "changed";

/**
 * Copy image to volume and volume to image (Cinder's generic image path), run on the volume's
 * host with qemu-img. Images are staged in the backend's conversion directory, which is
 * emptied of them whatever happens.
 */
export interface ImageDriver {
  /**
   * Writes an image into an existing volume, converting it to raw on the host, straight into
   * the volume's device. The image is checked before any byte reaches the volume: its sha256
   * (when given), its real format against the declared one, backing files, qcow2 data files,
   * vmdk create types, and its virtual size against the volume's size. A refused image writes
   * nothing. Safe to retry: the same image gives the same bytes; bytes past the image's
   * virtual size are left as they were.
   * @returns the image as inspected: format, virtual and file size in bytes, sha256 when known
   * @throws InvalidInput (malformed source, missing local file), VolumeNotFound,
   *   ImageUnacceptable (format mismatch, backing or data file, vmdk type, checksum, unreadable),
   *   ImageTooBig (virtual size larger than the volume, or no room to stage it),
   *   ImageCopyFailure (download or conversion failed), BackendUnavailable
   */
  copyImageToVolume(volumeId: VolumeId, image: ImageSpec, options?: CopyOptions): Promise<ImageInfo>;

  /**
   * Converts the volume into an image file (raw, or qcow2 optionally compressed) from a
   * temporary snapshot, so the copy is consistent while the volume is in use; the temporary
   * snapshot is always removed. A `hostPath` target is written on the volume's host, a
   * `localFile` one on this machine; either is written under a temporary name and renamed
   * into place when complete, and an existing file is never overwritten.
   * @returns format, virtual and file size in bytes, and the file's sha256
   * @throws InvalidInput (bad path or format, the target exists), VolumeNotFound,
   *   VolumeSizeExceedsAvailableQuota (no room for a thick temporary snapshot),
   *   ImageTooBig (the conversion ran out of space), ImageCopyFailure, BackendUnavailable
   */
  copyVolumeToImage(volumeId: VolumeId, target: ImageTarget, options?: CopyOptions): Promise<ImageInfo>;

  /**
   * The image file at `path` on the volume's host (the host is read from `volumeId`, which
   * need not exist any more), or undefined when there is no file.
   * @returns format as qemu-img detects it, sizes in bytes, sha256
   * @throws InvalidInput (bad path), ImageUnacceptable (not an export format), BackendUnavailable
   */
  findHostImage(volumeId: VolumeId, path: string): Promise<ImageInfo | undefined>;

  /**
   * Removes an image file that `copyVolumeToImage` wrote on the volume's host, only if it still
   * has `sha256`: a file that changed since belongs to someone else and is left alone.
   * Idempotent: a missing file is `absent`.
   * @throws InvalidInput (bad path), BackendUnavailable
   */
  removeHostImage(volumeId: VolumeId, path: string, sha256: string): Promise<RemoveImageResult>;
}
