import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Backends, parseBackends } from "../../drivers";
import type { DriverWith } from "../../drivers/interface/capabilities";
import type { LvmBackendInput } from "../../drivers/lvm/config";
import { fullLabConfigPath, labConfigPath } from "./support";

export type LabDriver = DriverWith<"core" | "dataAccess">;

/**
 * Thick deletes wipe the whole volume by default: about 20 s per GiB under emulation. Tests
 * that are not about wiping wipe only the first MiBs; lvmWipe.test.ts covers the default.
 */
const FAST_WIPE = { volumeClearSizeMib: 4 };

/**
 * A driver for the lab's first host (or all its hosts) under a backend of its own, with `options` overriding the lab
 * backend's settings (volumeClear, lvmType, ...). Close it with `backends.close()`.
 */
export async function openLabDriver(
  name = "lab",
  options: Partial<Omit<LvmBackendInput, "hosts" | "driver">> = {},
  scope: { allHosts?: boolean } = {},
): Promise<{ backends: Backends; driver: LabDriver }> {
  const path = scope.allHosts ? fullLabConfigPath() : labConfigPath();
  const file = JSON.parse(readFileSync(path, "utf8")) as { backends: { lab: Record<string, unknown> } };
  const backends = new Backends(parseBackends({ backends: { [name]: { ...file.backends.lab, ...FAST_WIPE, ...options } } }));
  return { backends, driver: (await backends.withCapability(name, "dataAccess")) as LabDriver };
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** A recognisable 1 MiB block: `fill` repeated, with `label` at its start. */
export function pattern(label: string, fill: number): Buffer {
  const block = Buffer.alloc(MiB, fill);
  block.write(label, 0, "utf8");
  return block;
}

export const newUuid = (): string => randomUUID();
