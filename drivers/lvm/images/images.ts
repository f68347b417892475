import { ImageUnacceptable, VolumeNotFound } from "../../interface/errors";
import type { CopyOptions, RemoveImageResult } from "../../interface/imageDriver";
import type { ImageInfo, ImageSpec, ImageTarget } from "../../interface/types";
import { checkHostTarget, exportToHostPath, findHostImage as findOnHost, removeHostImage as removeOnHost } from "../../images/hostImage";
import { checkLocalTarget, downloadToLocalFile } from "../../images/localImage";
import { convert, hostSha256, inspectImage } from "../../images/qemuImg";
import { checkHostPath, checkImageSpec, checkImageTarget, checkSha256 } from "../../images/spec";
import { withImageFile } from "../../images/imageFile";
import { imageFileAllowance, localFileSize, withStagingFile } from "../../images/staging";
import type { LvmBackend } from "../core/backend";
import { imageLock } from "../core/locks";
import { toVolume } from "../model/model";
import { guard } from "../core/errors";
import { locate, lookup } from "../core/lookups";
import { withTempSnapshot } from "../core/tempSnapshots";

/** The image capability of the LVM driver (see ImageDriver for the contract of each). */

export async function copyImageToVolume(b: LvmBackend, volumeId: string, image: ImageSpec, options: CopyOptions = {}): Promise<ImageInfo> {
  const spec = checkImageSpec(image);
  if (spec.source.kind === "localFile") await localFileSize(spec.source.path);
  const found = await lookup(b, volumeId, "volume");
  if (!found) throw new VolumeNotFound(volumeId);
  const volume = toVolume(b.placeOf(found.ready), found.lv, found.tags);
  const host = found.ready.lvm;
  return guard(`copying an image into ${volumeId}`, () =>
    host.withLock(imageLock(host, volume.lvName), () =>
      withImageFile(host, b.config.imageConversionDir, spec.source, imageFileAllowance(volume.sizeBytes), options, async (file) => {
        // Hashing and inspecting both only read the file: side by side, the slower one alone
        // sets the pace. A wrong checksum is still reported first, and both before any write.
        const [hashed, inspected] = await Promise.allSettled([
          spec.sha256 ? (file.sha256 ?? hostSha256(host, file.path, file.sizeBytes, options.signal)) : file.sha256,
          inspectImage(host, file.path, spec.format, { volumeBytes: volume.sizeBytes, fileBytes: file.sizeBytes }, options.signal),
        ]);
        const sha256 = settled(hashed);
        if (spec.sha256 && sha256 !== spec.sha256)
          throw new ImageUnacceptable(`the image's sha256 is ${sha256}, not the expected ${spec.sha256}; nothing was written`);
        const info = settled(inspected);
        await convert(
          host,
          { from: file.path, fromFormat: spec.format, fromDevice: false, to: volume.devicePath, toFormat: "raw", toDevice: true, bytes: info.virtualSizeBytes },
          options,
        );
        return { format: spec.format, virtualSizeBytes: info.virtualSizeBytes, sizeBytes: file.sizeBytes, sha256 };
      }),
    ),
  );
}

/** A settled promise's value, or its error thrown. */
function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

export async function copyVolumeToImage(b: LvmBackend, volumeId: string, target: ImageTarget, options: CopyOptions = {}): Promise<ImageInfo> {
  const checked = checkImageTarget(target);
  if (checked.kind === "localFile") await checkLocalTarget(checked.path);
  const found = await lookup(b, volumeId, "volume");
  if (!found) throw new VolumeNotFound(volumeId);
  const { ready, lv, tags } = found;
  const host = ready.lvm;
  return guard(`copying ${volumeId} to an image`, () =>
    host.withLock(imageLock(host, lv.name), async () => {
      // Refused before anything is made.
      if (checked.kind === "hostPath") await checkHostTarget(host, checked.path);
      // The temporary snapshot is named after the volume, so an export that crashed leaves one the next export removes.
      return withTempSnapshot(b, ready, lv, `export-${tags.uuid}`, async (device) => {
        if (checked.kind === "hostPath") return exportToHostPath(host, device, checked, lv.sizeBytes, options);
        return withStagingFile(host, b.config.imageConversionDir, async (file) => {
          await convert(
            host,
            {
              from: device,
              fromFormat: "raw",
              fromDevice: true,
              to: file.path,
              toFormat: checked.format,
              toDevice: false,
              compress: checked.compress,
              bytes: lv.sizeBytes,
            },
            options,
          );
          const sizeBytes = Number((await host.run(["stat", "-c", "%s", "--", file.path])).stdout.trim());
          const sha256 = await downloadToLocalFile(host, file.path, sizeBytes, checked.path, options);
          return { format: checked.format, virtualSizeBytes: lv.sizeBytes, sizeBytes, sha256 };
        });
      });
    }),
  );
}

export async function findHostImage(b: LvmBackend, volumeId: string, path: string): Promise<ImageInfo | undefined> {
  checkHostPath(path);
  const { ready } = await locate(b, volumeId, "volume", "read");
  return guard(`reading ${path} on ${ready.lvm.name}`, () => findOnHost(ready.lvm, path));
}

export async function removeHostImage(b: LvmBackend, volumeId: string, path: string, sha256: string): Promise<RemoveImageResult> {
  checkHostPath(path);
  const expected = checkSha256(sha256) ?? "";
  const { ready } = await locate(b, volumeId, "volume");
  return guard(`removing ${path} on ${ready.lvm.name}`, () => removeOnHost(ready.lvm, path, expected));
}
