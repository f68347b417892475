import { randomUUID } from "node:crypto";
import { Backends, loadBackendsFile, type Volume } from "../drivers";
import { SshPool, type SshTarget } from "../drivers/ssh";
import { timed } from "./report";

/**
 * Each copy is timed at two sizes. The time a copy's extra bytes add (its pace) is what the
 * hardware sets; what is left is a fixed cost paid once per copy (LVM's own steps, the image
 * checks), which a small copy on an emulated host is mostly made of. Both are reported, and so
 * is the copy step alone: the remote commands that move the bytes, as cinderblock ran them.
 */
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;
const IMAGE_BYTES = [128 * MIB, GIB] as const;
const CLONE_GIB = [1, 4] as const;
/**
 * Each side runs this many times at each size, alternating, and the medians are compared (the
 * host is shared and a run can take a second longer than the next): fewer for the checksummed
 * import, whose every run hashes the whole image at an emulated CPU's pace.
 */
const ROUNDS = 5;
const HASHED_ROUNDS = 3;
const IMAGE = "/var/tmp/cb-bench-image.qcow2";
/** Openssl's SHA-256 where there is one, as cinderblock's own hashing uses. */
const HASH = 'if command -v openssl >/dev/null; then openssl dgst -sha256 -r < "$1"; else sha256sum < "$1"; fi';
const LONG_MS = 30 * 60_000;
/** The remote programs (as the SSH stats name them) that move a copy's bytes: the baseline's work. */
const CHECKED_COPY = ["sha256", "qemu-img convert"] as const;
const UNCHECKED_COPY = ["qemu-img convert"] as const;
const CLONE_COPY = ["dd"] as const;
const TARGET = ">= 0.9x";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** The remote commands of one copy through cinderblock, by program: where its time went. */
export type Phases = Record<string, { commands: number; ms: number }>;

/** One size of a copy: both sides' medians. */
export interface SizedRun {
  bytes: number;
  baselineMs: number;
  candidateMs: number;
  /** The candidate's copy step: its commands that move the bytes (`copyPrograms`), as the client timed them. */
  copyMs: number;
}

export interface CopyBench {
  name: string;
  baseline: string;
  candidate: string;
  /** The programs of the candidate's copy step: the same work as the baseline's commands. */
  copyPrograms: readonly string[];
  /** How many runs of each side at each size the medians are of. */
  rounds: number;
  /** The smaller size first. */
  runs: [SizedRun, SizedRun];
  /** The candidate's remote commands in its run at the larger size closest to its median. */
  phases: Phases;
  /** Where the baseline is the copy alone: the candidate's every step done by hand at the larger size (median). */
  stepsByHand?: { steps: string; ms: number };
}

/** What a copy bench works out: the pace ratio, the fixed cost, the end-to-end ratio at the larger size. */
export interface CopyFigures {
  /** Baseline's seconds per extra GiB over the candidate's: the target is >= 0.9. */
  paceRatio: number;
  baselineSecondsPerGib: number;
  candidateSecondsPerGib: number;
  /** The candidate's time at zero bytes, beyond the baseline's. */
  fixedMs: number;
  /** Baseline over candidate at the larger size. */
  largeRatio: number;
  /** Baseline over the candidate's copy step at the larger size: the bytes moved at the hardware's pace or not. */
  copyRatio: number;
}

export function copyFigures(bench: CopyBench): CopyFigures {
  const [small, large] = bench.runs;
  const extraGib = (large.bytes - small.bytes) / GIB;
  const baselinePerGib = (large.baselineMs - small.baselineMs) / extraGib;
  const candidatePerGib = (large.candidateMs - small.candidateMs) / extraGib;
  const atZero = (ms: number, perGib: number): number => ms - (perGib * large.bytes) / GIB;
  return {
    paceRatio: baselinePerGib / candidatePerGib,
    baselineSecondsPerGib: baselinePerGib / 1000,
    candidateSecondsPerGib: candidatePerGib / 1000,
    fixedMs: atZero(large.candidateMs, candidatePerGib) - atZero(large.baselineMs, baselinePerGib),
    largeRatio: large.baselineMs / large.candidateMs,
    copyRatio: large.baselineMs / large.copyMs,
  };
}

/**
 * Image to volume through cinderblock (a host file read in place, checksummed or not,
 * inspected under limits, converted into the volume's gate) versus the bare `qemu-img convert`
 * of the same qcow2 into the same device, run directly on the host (with a sha256, versus
 * hashing the file and then converting it, as a careful hand would); and a thick clone versus
 * a bare `dd` of the same bytes between two LVs. Both sides run on the same host, alternating.
 */
export async function benchCopies(configPath: string, target: SshTarget): Promise<CopyBench[]> {
  const ssh = new SshPool();
  const backends = new Backends(await loadBackendsFile(configPath), undefined, ssh);
  const bare = new SshPool();
  const host = bare.runner("bench", target);
  const run = (argv: string[]) => host.run(argv, { timeoutMs: LONG_MS });
  const [backend] = backends.names;
  if (!backend) throw new Error(`${configPath} configures no backend`);
  const driver = await backends.withCapability(backend, "image");
  const volumeIds = new Set<string>();
  const newVolume = async (sizeGib: number, prefix: string): Promise<Volume> => {
    const volume = await driver.createVolume({ uuid: randomUUID(), name: `${prefix}-${randomUUID().slice(0, 8)}`, sizeGib, provisioning: "thick" });
    volumeIds.add(volume.id);
    return volume;
  };
  const remove = async (id: string): Promise<void> => {
    await driver.deleteVolume(id);
    volumeIds.delete(id);
  };
  /** Runs `work` and returns its time and what its remote commands took, by program. */
  const measured = async (work: () => Promise<unknown>): Promise<Measured> => {
    ssh.resetStats();
    const ms = await timed(work);
    const stats = Object.values(ssh.stats())[0];
    const phases: Phases = {};
    for (const [program, commands] of Object.entries(stats?.byProgram ?? {})) phases[program] = { commands, ms: stats?.msByProgram[program] ?? 0 };
    return { ms, phases };
  };
  try {
    const image = await newVolume(Math.ceil(Math.max(...IMAGE_BYTES) / GIB), "bench-image");
    const imports = { checked: [] as Sized[], unchecked: [] as Sized[] };
    for (const bytes of IMAGE_BYTES) {
      // Random data (it neither compresses nor dedupes), made in the volume and turned into a qcow2 file beside it.
      await run(["dd", "if=/dev/urandom", `of=${image.devicePath}`, "bs=4M", `count=${bytes}`, "iflag=count_bytes", "oflag=direct", "status=none"]);
      await run(["qemu-img", "convert", "--image-opts", `driver=raw,size=${bytes},file.filename=${image.devicePath}`, "-O", "qcow2", IMAGE]);
      const hash = () => run(["sh", "-c", HASH, "sh", IMAGE]);
      const sha256 = (await hash()).stdout.split(" ")[0] ?? "";
      const convert = () => run(["qemu-img", "convert", "-n", "-f", "qcow2", "-O", "raw", "-t", "none", IMAGE, image.devicePath]);
      const copy = (checksum?: string) => () =>
        measured(() => driver.copyImageToVolume(image.id, { source: { kind: "hostPath", path: IMAGE }, format: "qcow2", sha256: checksum }));
      imports.checked.push({
        bytes,
        ...(await rounds(async () => (await hash(), await convert()), copy(sha256), CHECKED_COPY, HASHED_ROUNDS)),
      });
      imports.unchecked.push({ bytes, ...(await rounds(convert, copy(), UNCHECKED_COPY, ROUNDS)) });
    }
    await remove(image.id);

    const clones: Sized[] = [];
    let cloneByHandMs = Number.NaN;
    for (const sizeGib of CLONE_GIB) {
      const source = await newVolume(sizeGib, "bench-source");
      const copy = await newVolume(sizeGib, "bench-copy");
      // Random data all through: never-written blocks of the lab's sparse disk file read faster than written ones.
      await run(["dd", "if=/dev/urandom", `of=${source.devicePath}`, "bs=4M", `count=${sizeGib * 256}`, "oflag=direct", "status=none"]);
      const dd = ["dd", `if=${source.devicePath}`, `of=${copy.devicePath}`, "bs=4M", "iflag=direct", "oflag=direct", "conv=fsync", "status=none"];
      const clone = async (): Promise<Measured> => {
        let made: string | undefined;
        const result = await measured(async () => {
          made = (
            await driver.createClonedVolume({ uuid: randomUUID(), name: `bench-clone-${randomUUID().slice(0, 8)}`, sizeGib, provisioning: "thick" }, source.id)
          ).id;
          volumeIds.add(made);
        });
        // Each clone goes before the next: the lab's volume group holds one at a time at the larger size.
        if (made) await remove(made);
        return result;
      };
      clones.push({ bytes: sizeGib * GIB, ...(await rounds(() => run(dd), clone, CLONE_COPY, ROUNDS)) });
      await remove(copy.id);
      if (sizeGib === Math.max(...CLONE_GIB)) {
        const times: number[] = [];
        for (let round = 0; round < ROUNDS; round++) times.push(await cloneByHand(run, source));
        cloneByHandMs = median(times);
      }
      await remove(source.id);
    }
    const bench = (name: string, baseline: string, candidate: string, copyPrograms: readonly string[], sized: Sized[], count = ROUNDS): CopyBench => {
      const [small, large] = sized;
      if (!small || !large) throw new Error(`${name}: not measured at two sizes`);
      const strip = ({ bytes, baselineMs, candidateMs, copyMs }: Sized): SizedRun => ({ bytes, baselineMs, candidateMs, copyMs });
      return { name, baseline, candidate, copyPrograms, rounds: count, runs: [strip(small), strip(large)], phases: large.phases };
    };
    return [
      bench(
        "image to volume: a qcow2 of random data from a path on the host, with a sha256 to verify",
        "sha256 then qemu-img convert, by hand on the host",
        "cinderblock (read in place, sha256, checked, converted)",
        CHECKED_COPY,
        imports.checked,
        HASHED_ROUNDS,
      ),
      bench(
        "the same import without a sha256",
        "qemu-img convert run directly on the host",
        "cinderblock (read in place, checked, converted)",
        UNCHECKED_COPY,
        imports.unchecked,
      ),
      {
        ...bench("thick clone of a thick volume", "dd between two LVs run directly on the host", "cinderblock createClonedVolume", CLONE_COPY, clones),
        stepsByHand: { steps: CLONE_STEPS, ms: cloneByHandMs },
      },
    ];
  } finally {
    await run(["rm", "-f", "--", IMAGE]).catch(() => undefined);
    for (const id of volumeIds) await driver.deleteVolume(id).catch(() => undefined);
    await backends.close();
    bare.close();
  }
}

const CLONE_STEPS = "lvcreate -s (512 KiB chunks, as cinderblock's), lvcreate, dd from the snapshot, lvremove of the snapshot";

/**
 * A consistent thick clone of `source` by hand: the steps cinderblock takes, without its
 * bookkeeping (tags, gate, locks, checks); times it and removes the clone after, untimed.
 */
async function cloneByHand(run: (argv: string[]) => Promise<unknown>, source: Volume): Promise<number> {
  const suffix = randomUUID().slice(0, 8);
  const vg = source.volumeGroup;
  const [snapshot, clone] = [`bench-hand-tmp-${suffix}`, `bench-hand-${suffix}`];
  const size = `${source.sizeBytes}b`;
  try {
    return await timed(async () => {
      await run(["lvcreate", "-q", "-s", "-c", "512k", "-L", size, "-n", snapshot, `${vg}/${source.lvName}`]);
      await run(["lvcreate", "-q", "-y", "-L", size, "-n", clone, vg]);
      await run(["dd", `if=/dev/${vg}/${snapshot}`, `of=/dev/${vg}/${clone}`, "bs=4M", "iflag=direct", "oflag=direct", "conv=fsync", "status=none"]);
      await run(["lvremove", "-q", "-y", `${vg}/${snapshot}`]);
    });
  } finally {
    for (const lv of [clone, snapshot]) await run(["lvremove", "-q", "-y", `${vg}/${lv}`]).catch(() => undefined);
  }
}

interface Measured {
  ms: number;
  phases: Phases;
}

interface Sized extends SizedRun {
  phases: Phases;
}

/**
 * Both sides `count` times, each going first in turn (what one leaves in the host's page cache
 * favours the other); the medians (of the whole candidate and of its copy step, the commands of
 * `copyPrograms`), and the phases of the candidate's round closest to its median.
 */
async function rounds(
  baseline: () => Promise<unknown>,
  candidate: () => Promise<Measured>,
  copyPrograms: readonly string[],
  count: number,
): Promise<Omit<Sized, "bytes">> {
  const baselines: number[] = [];
  const candidates: Measured[] = [];
  for (let round = 0; round < count; round++) {
    if (round % 2 === 1) candidates.push(await candidate());
    baselines.push(await timed(baseline));
    if (round % 2 === 0) candidates.push(await candidate());
  }
  const candidateMs = median(candidates.map((run) => run.ms));
  const copyMs = median(candidates.map((run) => copyPrograms.reduce((sum, program) => sum + (run.phases[program]?.ms ?? Number.NaN), 0)));
  const closest = [...candidates].sort((a, b) => Math.abs(a.ms - candidateMs) - Math.abs(b.ms - candidateMs))[0];
  return { baselineMs: median(baselines), candidateMs, copyMs, phases: closest?.phases ?? {} };
}

const size = (bytes: number): string => (bytes >= GIB ? `${bytes / GIB} GiB` : `${bytes / MIB} MiB`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export function printCopy(bench: CopyBench): void {
  const figures = copyFigures(bench);
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  out(`${bench.name} (medians of ${bench.rounds} at each size)`);
  out(`  ${"size".padEnd(8)} ${bench.baseline.padEnd(52)} ${bench.candidate.padEnd(56)} ratio`);
  for (const run of bench.runs) {
    out(
      `  ${size(run.bytes).padEnd(8)} ${seconds(run.baselineMs).padStart(10).padEnd(52)} ${seconds(run.candidateMs).padStart(10).padEnd(56)} ${(run.baselineMs / run.candidateMs).toFixed(2)}x`,
    );
  }
  out(
    `  pace (what each further GiB adds): ${figures.baselineSecondsPerGib.toFixed(2)} s by hand, ${figures.candidateSecondsPerGib.toFixed(2)} s through cinderblock: ` +
      `${figures.paceRatio.toFixed(2)}x (target ${TARGET})`,
  );
  out(`  fixed cost beyond the bare command's, paid once per copy whatever its size: ${seconds(figures.fixedMs)}`);
  const large = bench.runs[1];
  out(
    `  the copy step alone at ${size(large.bytes)} (${bench.copyPrograms.join(", then ")}, as cinderblock ran it): ${seconds(large.copyMs)} against ${seconds(large.baselineMs)} by hand: ` +
      `${figures.copyRatio.toFixed(2)}x (target ${TARGET})`,
  );
  if (bench.stepsByHand) {
    out(
      `  the same steps by hand at ${size(large.bytes)} (${bench.stepsByHand.steps}): ${seconds(bench.stepsByHand.ms)} against ${seconds(large.candidateMs)} through cinderblock: ` +
        `${(bench.stepsByHand.ms / large.candidateMs).toFixed(2)}x`,
    );
  }
  out(`  where cinderblock's time went at ${size(large.bytes)} (remote commands by program; parallel ones overlap):`);
  for (const [program, { commands, ms }] of Object.entries(bench.phases).sort(([, a], [, b]) => b.ms - a.ms)) {
    out(`    ${program.padEnd(44)} ${String(commands).padStart(3)} x ${(ms / 1000).toFixed(2).padStart(8)} s`);
  }
  out("");
}
