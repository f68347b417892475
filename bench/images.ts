import { randomUUID } from "node:crypto";
import { Backends, loadBackendsFile, type DriverWith } from "../drivers";
import { SshPool, type SshTarget } from "../drivers/ssh";
import { timed, type Comparison } from "./report";

/** Sizes kept small enough for a shared, emulated lab; the phases show what each copy costs per byte and in fixed steps. */
const IMAGE_MIB = 128;
const CLONE_GIB = 1;
/** Each side runs this many times, alternating, and the medians are compared (the host is shared). */
const ROUNDS = 2;
const IMAGE = "/var/tmp/cb-bench-image.qcow2";
/** A qcow2 of $2 MiB of random data (it neither compresses nor dedupes) at $1. */
const MAKE_IMAGE = `head -c "$2"M /dev/urandom > "$1.raw" && qemu-img convert -f raw -O qcow2 "$1.raw" "$1" && rm -f "$1.raw"`;
const LONG_MS = 30 * 60_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** The remote commands of one copy through cinderblock, by program: where its time went. */
export type Phases = Record<string, { commands: number; ms: number }>;

export interface CopyBench {
  comparison: Comparison;
  phases: Phases;
}

/**
 * Image to volume through cinderblock (a host file read in place, checksummed or not,
 * inspected under limits, converted into the volume's gate) versus the bare `qemu-img convert`
 * of the same qcow2 into the same device, run directly on the host; and a thick clone versus a
 * bare `dd` of the same bytes between two LVs. Both sides run on the same host, alternating.
 */
export async function benchCopies(configPath: string, target: SshTarget): Promise<CopyBench[]> {
  const ssh = new SshPool();
  const backends = new Backends(await loadBackendsFile(configPath), undefined, ssh);
  const bare = new SshPool();
  const host = bare.runner("bench", target);
  const [backend] = backends.names;
  if (!backend) throw new Error(`${configPath} configures no backend`);
  const driver = await backends.withCapability(backend, "image");
  const volumeIds: string[] = [];
  const newVolume = async (sizeGib: number, provisioning: "thin" | "thick"): Promise<{ id: string; devicePath: string }> => {
    const volume = await driver.createVolume({ uuid: randomUUID(), name: `bench-copy-${randomUUID().slice(0, 8)}`, sizeGib, provisioning });
    volumeIds.push(volume.id);
    return volume;
  };
  /** Runs `work` and returns its time and what its remote commands took, by program. */
  const measured = async (work: () => Promise<unknown>): Promise<{ ms: number; phases: Phases }> => {
    ssh.resetStats();
    const ms = await timed(work);
    const stats = Object.values(ssh.stats())[0];
    const phases: Phases = {};
    for (const [program, commands] of Object.entries(stats?.byProgram ?? {})) phases[program] = { commands, ms: stats?.msByProgram[program] ?? 0 };
    return { ms, phases };
  };
  try {
    const image = await newVolume(1, "thick");
    await host.run(["sh", "-c", MAKE_IMAGE, "sh", IMAGE, String(IMAGE_MIB)], { timeoutMs: LONG_MS });
    const sha256 = (await host.run(["sh", "-c", 'sha256sum < "$1"', "sh", IMAGE], { timeoutMs: LONG_MS })).stdout.split(" ")[0] ?? "";
    const bareConvert = () =>
      host.run(["qemu-img", "convert", "-n", "-f", "qcow2", "-O", "raw", "-t", "none", IMAGE, image.devicePath], { timeoutMs: LONG_MS });
    const imports = await rounds(bareConvert, () =>
      measured(() => driver.copyImageToVolume(image.id, { source: { kind: "hostPath", path: IMAGE }, format: "qcow2", sha256 })),
    );
    const uncheckedImports = await rounds(bareConvert, () =>
      measured(() => driver.copyImageToVolume(image.id, { source: { kind: "hostPath", path: IMAGE }, format: "qcow2" })),
    );

    const source = await newVolume(CLONE_GIB, "thick");
    const copy = await newVolume(CLONE_GIB, "thick");
    // Random data in the first quarter (incompressible), zeros after: a thick copy moves every byte anyway.
    await host.run(["dd", "if=/dev/urandom", `of=${source.devicePath}`, "bs=4M", `count=${(CLONE_GIB * 1024) / 4 / 4}`, "oflag=direct", "status=none"], {
      timeoutMs: LONG_MS,
    });
    const ddArgv = ["dd", `if=${source.devicePath}`, `of=${copy.devicePath}`, "bs=4M", "iflag=direct", "oflag=direct", "conv=fsync", "status=none"];
    const clones = await rounds(
      () => host.run(ddArgv, { timeoutMs: LONG_MS }),
      () => measured(() => clone(driver, source.id, volumeIds)),
    );
    return [
      {
        comparison: {
          name: `image to volume: a ${IMAGE_MIB} MiB qcow2 of random data, from a path on the host (median of ${ROUNDS})`,
          baseline: { label: "qemu-img convert run directly on the host", ms: imports.baselineMs },
          candidate: { label: "cinderblock (read in place, sha256, checked, converted)", ms: imports.candidateMs },
          note: "of the direct conversion's throughput; target >= 0.9x",
        },
        phases: imports.phases,
      },
      {
        comparison: {
          name: `the same import without a sha256 to verify (median of ${ROUNDS})`,
          baseline: { label: "qemu-img convert run directly on the host", ms: uncheckedImports.baselineMs },
          candidate: { label: "cinderblock (read in place, checked, converted)", ms: uncheckedImports.candidateMs },
          note: "of the direct conversion's throughput; target >= 0.9x",
        },
        phases: uncheckedImports.phases,
      },
      {
        comparison: {
          name: `thick clone of a ${CLONE_GIB} GiB thick volume (median of ${ROUNDS})`,
          baseline: { label: "dd between two LVs run directly on the host", ms: clones.baselineMs },
          candidate: { label: "cinderblock createClonedVolume", ms: clones.candidateMs },
          note: "of the bare dd's throughput; target >= 0.9x",
        },
        phases: clones.phases,
      },
    ];
  } finally {
    await host.run(["rm", "-f", "--", IMAGE, `${IMAGE}.raw`]).catch(() => undefined);
    for (const id of volumeIds) await driver.deleteVolume(id).catch(() => undefined);
    await backends.close();
    bare.close();
  }
}

/** A thick clone of `sourceId` (removed with the bench's other volumes at the end). */
async function clone(driver: DriverWith<"image">, sourceId: string, volumeIds: string[]): Promise<void> {
  const made = await driver.createClonedVolume(
    { uuid: randomUUID(), name: `bench-clone-${randomUUID().slice(0, 8)}`, sizeGib: CLONE_GIB, provisioning: "thick" },
    sourceId,
  );
  volumeIds.push(made.id);
}

/** Both sides ROUNDS times, alternating; the medians, and the phases of the candidate's round closest to its median. */
async function rounds(
  baseline: () => Promise<unknown>,
  candidate: () => Promise<{ ms: number; phases: Phases }>,
): Promise<{ baselineMs: number; candidateMs: number; phases: Phases }> {
  const baselines: number[] = [];
  const candidates: Array<{ ms: number; phases: Phases }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselines.push(await timed(baseline));
    candidates.push(await candidate());
  }
  const candidateMs = median(candidates.map((run) => run.ms));
  const closest = [...candidates].sort((a, b) => Math.abs(a.ms - candidateMs) - Math.abs(b.ms - candidateMs))[0];
  return { baselineMs: median(baselines), candidateMs, phases: closest?.phases ?? {} };
}

export function printPhases(phases: Phases): void {
  const rows = Object.entries(phases).sort(([, a], [, b]) => b.ms - a.ms);
  process.stdout.write("  where cinderblock's time went (remote commands by program; parallel ones overlap):\n");
  for (const [program, { commands, ms }] of rows) {
    process.stdout.write(`    ${program.padEnd(44)} ${String(commands).padStart(3)} x ${(ms / 1000).toFixed(2).padStart(8)} s\n`);
  }
  process.stdout.write("\n");
}
