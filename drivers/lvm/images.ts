import { ImageUnacceptable, VolumeNotFound } from "../interface/errors";
import type { CopyOptions, RemoveImageResult } from "../interface/imageDriver";
import type { ImageInfo, ImageSpec, ImageTarget } from "../interface/types";
import { checkHostTarget, exportToHostPath, findHostImage as findOnHost, removeHostImage as removeOnHost } from "../images/hostImage";
import { checkLocalTarget, downloadToLocalFile } from "../images/localImage";
import { convert, hostSha256, inspectImage } from "../images/qemuImg";
import { checkHostPath, checkImageSpec, checkImageTarget, checkSha256 } from "../images/spec";
import { imageFileAllowance, localFileSize, stageImage, withStagingFile } from "../images/staging";
import type { LvmBackend } from "./backend";
import { imageLock } from "./locks";
import { toVolume } from "./model";

/** The image capability of the LVM driver (see ImageDriver for the contract of each). */

export async function copyImageToVolume(b: LvmBackend, volumeId: string, image: ImageSpec, options: CopyOptions = {}): Promise<ImageInfo> {
  const spec = checkImageSpec(image);
  if (spec.source.kind === "localFile") await localFileSize(spec.source.path);
  const found = await b.lookup(volumeId, "volume");
  if (!found) throw new VolumeNotFound(volumeId);
  const volume = toVolume(b.placeOf(found.ready), found.lv, found.tags);
  const host = found.ready.lvm;
  return b.guard(`copying an image into ${volumeId}`, () =>
    host.withLock(imageLock(host, volume.lvName), () =>
      withStagingFile(host, b.config.imageConversionDir, async (file) => {
        const staged = await stageImage(host, file, spec.source, imageFileAllowance(volume.sizeBytes), options);
        let sha256 = staged.sha256;
        if (spec.sha256) {
          sha256 ??= await hostSha256(host, file.path, staged.sizeBytes, options.signal);
          if (sha256 !== spec.sha256) throw new ImageUnacceptable(`the image's sha256 is ${sha256}, not the expected ${spec.sha256}; nothing was written`);
        }
        const info = await inspectImage(host, file.path, spec.format, { volumeBytes: volume.sizeBytes, fileBytes: staged.sizeBytes }, options.signal);
        await convert(
          host,
          { from: file.path, fromFormat: spec.format, fromDevice: false, to: volume.devicePath, toFormat: "raw", toDevice: true, bytes: info.virtualSizeBytes },
          options,
        );
        return { format: spec.format, virtualSizeBytes: info.virtualSizeBytes, sizeBytes: staged.sizeBytes, sha256 };
      }),
    ),
  );
}

export async function copyVolumeToImage(b: LvmBackend, volumeId: string, target: ImageTarget, options: CopyOptions = {}): Promise<ImageInfo> {
  const checked = checkImageTarget(target);
  if (checked.kind === "localFile") await checkLocalTarget(checked.path);
  const found = await b.lookup(volumeId, "volume");
  if (!found) throw new VolumeNotFound(volumeId);
  const { ready, lv, tags } = found;
  const host = ready.lvm;
  return b.guard(`copying ${volumeId} to an image`, () =>
    host.withLock(imageLock(host, lv.name), async () => {
      // Refused before anything is made.
      if (checked.kind === "hostPath") await checkHostTarget(host, checked.path);
      // The temporary snapshot is named after the volume, so an export that crashed leaves one the next export removes.
      return b.withTempSnapshot(ready, lv, `export-${tags.uuid}`, async (device) => {
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
  const { ready } = await b.locate(volumeId, "volume", "read");
  return b.guard(`reading ${path} on ${ready.lvm.name}`, () => findOnHost(ready.lvm, path));
}

export async function removeHostImage(b: LvmBackend, volumeId: string, path: string, sha256: string): Promise<RemoveImageResult> {
  checkHostPath(path);
  const expected = checkSha256(sha256) ?? "";
  const { ready } = await b.locate(volumeId, "volume");
  return b.guard(`removing ${path} on ${ready.lvm.name}`, () => removeOnHost(ready.lvm, path, expected));
}
