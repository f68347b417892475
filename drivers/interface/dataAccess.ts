import type { SnapshotId, VolumeId } from "./types";

/**
 * Raw reads and writes of a volume's or snapshot's blocks. The conformance scenario needs it
 * to prove that data survives each step; it is not meant for bulk copies.
 */
export interface VolumeDataAccess {
  /** Writes `data` at `offsetBytes` (both multiples of 512) through the volume's device. */
  writeData(volumeId: VolumeId, offsetBytes: number, data: Buffer): Promise<void>;
  /** Reads `length` bytes at `offsetBytes` from a volume or a snapshot. */
  readData(target: { volumeId: VolumeId } | { snapshotId: SnapshotId }, offsetBytes: number, length: number): Promise<Buffer>;
}
