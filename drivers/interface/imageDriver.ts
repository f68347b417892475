import type { CopyProgress, ImageInfo, ImageSpec, ImageTarget, VolumeId } from "./types";

export interface CopyOptions {
  /** Called every few seconds during a long copy. */
  onProgress?: ((progress: CopyProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/** Copy image to volume and volume to image (Cinder's generic image path, run on the host). */
export interface ImageDriver {
  /**
   * Writes an image into an existing volume, converting it to raw on the host. The image is
   * inspected first; a refused image writes nothing.
   * @throws ImageUnacceptable (format mismatch, backing or data file, checksum), ImageTooBig
   */
  copyImageToVolume(volumeId: VolumeId, image: ImageSpec, options?: CopyOptions): Promise<ImageInfo>;
  /**
   * Converts the volume (from a temporary snapshot, so the copy is consistent while the
   * volume is in use) into an image; the temporary snapshot is always removed.
   */
  copyVolumeToImage(volumeId: VolumeId, target: ImageTarget, options?: CopyOptions): Promise<ImageInfo>;
}
