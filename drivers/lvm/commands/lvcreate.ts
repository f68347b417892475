import type { LvmHost } from "../core/host";

const tagArgs = (tags: readonly string[]): string[] => tags.flatMap((tag) => ["--addtag", tag]);
const bytes = (size: number): string => `${size}b`;

/** What to create; each variant maps to exactly one `lvcreate` form. */
export type LvcreateRequest =
  | { kind: "thick"; name: string; sizeBytes: number; tags: readonly string[] }
  | { kind: "thin"; name: string; pool: string; sizeBytes: number; tags: readonly string[] }
  | { kind: "thinPool"; name: string; percentOfFree: number }
  /** A thin snapshot of a thin LV. `activate` makes it a normal, active LV (no activation skip). */
  | { kind: "thinSnapshot"; name: string; origin: string; tags: readonly string[]; activate: boolean }
  /** A classic copy-on-write snapshot with a COW area of `cowBytes`, in chunks of `chunk` (LVM's default, 4 KiB, when unset). */
  | { kind: "thickSnapshot"; name: string; origin: string; cowBytes: number; tags: readonly string[]; chunk?: "512k" };

export function lvcreateArgv(vg: string, request: LvcreateRequest): string[] {
  const common = ["lvcreate", "--yes", "--quiet"];
  switch (request.kind) {
    case "thick":
      return [...common, "--wipesignatures", "y", "--zero", "y", "-n", request.name, "-L", bytes(request.sizeBytes), ...tagArgs(request.tags), vg];
    case "thin":
      return [...common, "-T", `${vg}/${request.pool}`, "-V", bytes(request.sizeBytes), "-n", request.name, ...tagArgs(request.tags)];
    case "thinPool":
      // --zero y: newly provisioned blocks read as zeros, which is what keeps deleted thin
      // volumes' data out of new ones (they are never wiped).
      return [...common, "--type", "thin-pool", "--zero", "y", "-l", `${request.percentOfFree}%FREE`, "-n", request.name, vg];
    case "thinSnapshot":
      return [...common, "-s", ...(request.activate ? ["-k", "n", "-a", "y"] : []), "-n", request.name, ...tagArgs(request.tags), `${vg}/${request.origin}`];
    case "thickSnapshot":
      return [
        ...common,
        "-s",
        "-L",
        bytes(request.cowBytes),
        ...(request.chunk ? ["--chunksize", request.chunk] : []),
        "-n",
        request.name,
        ...tagArgs(request.tags),
        `${vg}/${request.origin}`,
      ];
  }
}

export async function lvcreate(host: LvmHost, request: LvcreateRequest): Promise<void> {
  await host.lvm(lvcreateArgv(host.volumeGroup, request));
}
