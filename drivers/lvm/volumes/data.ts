import { Writable } from "node:stream";
import { InvalidInput, SnapshotNotFound, VolumeNotFound } from "../../interface/errors";
import type { LvmBackend } from "../core/backend";
import { readDevice, writeDevice } from "../commands/dd";
import { activate } from "../commands/lvchange";
import { toVolume } from "../model/model";
import { lvMapperPath } from "../model/names";
import { guard } from "../core/errors";
import { lookup } from "../core/lookups";

/** Raw block access for the conformance scenario (VolumeDataAccess). */

export async function writeData(b: LvmBackend, volumeId: string, offsetBytes: number, data: Buffer): Promise<void> {
  checkBlockRange(offsetBytes, data.length);
  const found = await lookup(b, volumeId, "volume");
  if (!found) throw new VolumeNotFound(volumeId);
  const volume = toVolume(b.placeOf(found.ready), found.lv, found.tags);
  if (offsetBytes + data.length > volume.sizeBytes) throw new InvalidInput(`the write ends beyond the ${volume.sizeGib} GiB volume`);
  await guard(`writing to ${volumeId}`, () => writeDevice(found.ready.lvm, volume.devicePath, offsetBytes, data));
}

export async function readData(b: LvmBackend, target: { volumeId: string } | { snapshotId: string }, offsetBytes: number, length: number): Promise<Buffer> {
  checkBlockRange(offsetBytes, length);
  const isVolume = "volumeId" in target;
  const id = isVolume ? target.volumeId : target.snapshotId;
  const found = await lookup(b, id, isVolume ? "volume" : "snapshot");
  if (!found) throw isVolume ? new VolumeNotFound(id) : new SnapshotNotFound(id);
  const { ready, lv } = found;
  return guard(`reading ${id}`, async () => {
    let device: string;
    if (isVolume) device = toVolume(b.placeOf(ready), lv, found.tags).devicePath;
    else {
      if (!lv.attr.active) await activate(ready.lvm, lv.name);
      device = lvMapperPath(ready.lvm.volumeGroup, lv.name);
    }
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await readDevice(ready.lvm, device, offsetBytes, length, sink);
    return Buffer.concat(chunks);
  });
}

function checkBlockRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset % 512 !== 0 || !Number.isSafeInteger(length) || length <= 0 || length % 512 !== 0) {
    throw new InvalidInput("data offsets and lengths must be non-negative multiples of 512 bytes");
  }
}
