import { statfsSync } from "node:fs";
import { mkdirSync } from "node:fs";
import execa from "execa";
import { LabError } from "./errors";

const APT_HINT = "install them with: sudo apt-get install -y qemu-system-x86 qemu-utils debootstrap openssh-client e2fsprogs";

/** Fails with the list of missing programs, and how to get them. */
export async function requirePrograms(programs: readonly string[]): Promise<void> {
  const missing: string[] = [];
  for (const program of programs) {
    const found = await execa("sh", ["-c", 'command -v "$1"', "sh", program], { reject: false });
    if (found.exitCode !== 0) missing.push(program);
  }
  if (missing.length > 0) {
    throw new LabError(`the lab needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed; ${APT_HINT}`);
  }
}

/** Fails unless `dir` has at least `bytes` free. */
export function requireFreeSpace(dir: string, bytes: number, purpose: string): void {
  mkdirSync(dir, { recursive: true });
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  if (free < bytes) {
    const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
    throw new LabError(
      `not enough disk space for ${purpose}: ${gib(free)} free in ${dir}, ${gib(bytes)} needed ` +
        "(free some space, or point CINDERBLOCK_CACHE at a larger disk)",
    );
  }
}

/** Commands that need root run directly as root, else through `sudo -n`. */
export function asRoot(argv: readonly string[]): [string, string[]] {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const [program, ...args] = argv;
  if (!program) throw new TypeError("empty command");
  return isRoot ? [program, args] : ["sudo", ["-n", "--", program, ...args]];
}
