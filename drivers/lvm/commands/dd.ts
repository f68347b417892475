import type { Writable } from "node:stream";
import type { LvmHost } from "../core/host";

/** dd moves data in blocks of this size (Cinder's `volume_dd_blocksize` is 1M; bigger is faster on virtio). */
const BLOCK = "4M";
/** A copy gets at least a minute, plus time for the bytes at a slow disk's pace. */
export const copyTimeoutMs = (bytes: number): number => 60_000 + Math.ceil(bytes / (5 * 1024 * 1024)) * 1000;

/**
 * Copies `bytes` from one device to another on the host, with direct I/O. `sparse` skips
 * writing zero blocks and is only correct when the target already reads as zeros (a new thin
 * volume).
 */
export async function copyDevice(host: LvmHost, from: string, to: string, bytes: number, options: { sparse: boolean }): Promise<void> {
  await host.run(
    [
      "dd",
      `if=${from}`,
      `of=${to}`,
      `bs=${BLOCK}`,
      `count=${bytes}`,
      "iflag=direct,count_bytes,fullblock",
      "oflag=direct",
      `conv=${options.sparse ? "sparse,fsync" : "fsync"}`,
      "status=none",
    ],
    { timeoutMs: copyTimeoutMs(bytes) },
  );
}

/** Overwrites the first `bytes` of a device with zeros. */
export function zeroArgv(device: string, bytes: number): string[] {
  return ["dd", "if=/dev/zero", `of=${device}`, `bs=${BLOCK}`, `count=${bytes}`, "iflag=count_bytes", "oflag=direct", "conv=fsync", "status=none"];
}

export async function zeroDevice(host: LvmHost, device: string, bytes: number): Promise<void> {
  await host.run(zeroArgv(device, bytes), { timeoutMs: copyTimeoutMs(bytes) });
}

/** Streams `length` bytes at `offset` of a device into `sink`. Offsets and lengths are multiples of 512. */
export async function readDevice(host: LvmHost, device: string, offset: number, length: number, sink: Writable): Promise<void> {
  await host.run(["dd", `if=${device}`, "bs=1M", `skip=${offset}`, `count=${length}`, "iflag=direct,skip_bytes,count_bytes,fullblock", "status=none"], {
    stdout: sink,
    timeoutMs: copyTimeoutMs(length),
  });
}

/** Writes `data` at `offset` of a device. */
export async function writeDevice(host: LvmHost, device: string, offset: number, data: Buffer): Promise<void> {
  await host.run(["dd", `of=${device}`, "bs=1M", `seek=${offset}`, "iflag=fullblock", "oflag=direct,seek_bytes", "conv=notrunc,fsync", "status=none"], {
    stdin: data,
    timeoutMs: copyTimeoutMs(data.length),
  });
}
