import { randomUUID } from "node:crypto";
import { Backends, loadBackendsFile } from "../drivers";
import { SshPool, type SshTarget } from "../drivers/ssh";
import { timed, type Comparison } from "./report";

const IMAGE_MIB = 128;
const IMAGE = "/var/tmp/cb-bench-image.qcow2";
/** A qcow2 of $2 MiB of random data (it neither compresses nor dedupes) at $1. */
const MAKE_IMAGE = `head -c "$2"M /dev/urandom > "$1.raw" && qemu-img convert -f raw -O qcow2 "$1.raw" "$1" && rm -f "$1.raw"`;
const CONVERSION_TIMEOUT_MS = 30 * 60_000;

/**
 * Image to volume through cinderblock (staged in the conversion directory, checksummed,
 * inspected twice under limits, converted into the volume's gate) versus the bare
 * `qemu-img convert` of the same qcow2 into the same device, run directly on the host: the
 * ratio is the price of the staging copy and the checks.
 */
export async function benchImageToVolume(configPath: string, target: SshTarget): Promise<Comparison> {
  const backends = new Backends(await loadBackendsFile(configPath));
  const ssh = new SshPool();
  const host = ssh.runner("bench", target);
  const [backend] = backends.names;
  if (!backend) throw new Error(`${configPath} configures no backend`);
  const driver = await backends.withCapability(backend, "image");
  const volume = await driver.createVolume({ uuid: randomUUID(), name: `bench-image-${randomUUID().slice(0, 8)}`, sizeGib: 1 });
  try {
    await host.run(["sh", "-c", MAKE_IMAGE, "sh", IMAGE, String(IMAGE_MIB)], { timeoutMs: CONVERSION_TIMEOUT_MS });
    const sha256 = (await host.run(["sh", "-c", 'sha256sum < "$1"', "sh", IMAGE])).stdout.split(" ")[0] ?? "";
    const directMs = await timed(() =>
      host.run(["qemu-img", "convert", "-n", "-f", "qcow2", "-O", "raw", "-t", "none", IMAGE, volume.devicePath], { timeoutMs: CONVERSION_TIMEOUT_MS }),
    );
    const cinderblockMs = await timed(() => driver.copyImageToVolume(volume.id, { source: { kind: "hostPath", path: IMAGE }, format: "qcow2", sha256 }));
    return {
      name: `image to volume: a ${IMAGE_MIB} MiB qcow2 of random data, from a path on the host`,
      baseline: { label: "qemu-img convert run directly on the host", ms: directMs },
      candidate: { label: "cinderblock (staged, sha256, checked, converted)", ms: cinderblockMs },
      note: "of the direct conversion's throughput; 1.00 would be no overhead",
    };
  } finally {
    await host.run(["rm", "-f", "--", IMAGE, `${IMAGE}.raw`]).catch(() => undefined);
    await driver.deleteVolume(volume.id).catch(() => undefined);
    await backends.close();
    ssh.close();
  }
}
