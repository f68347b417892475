import { existsSync, readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { labStatePath } from "./paths";

export const labHostRecordSchema = z.object({
  name: z.string(),
  pid: z.number().int(),
  accel: z.enum(["kvm", "tcg"]),
  address: z.string(),
  port: z.number().int(),
  iscsiPort: z.number().int(),
  nvmePort: z.number().int(),
  user: z.string(),
  privateKeyPath: z.string(),
  hostKey: z.string(),
  volumeGroup: z.string(),
  dir: z.string(),
  imageId: z.string(),
});
export type LabHostRecord = z.infer<typeof labHostRecordSchema>;

const labStateSchema = z.object({ hosts: z.array(labHostRecordSchema) });
export type LabState = z.infer<typeof labStateSchema>;

export function readLabState(): LabState {
  const path = labStatePath();
  if (!existsSync(path)) return { hosts: [] };
  const parsed = labStateSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  return parsed.success ? parsed.data : { hosts: [] };
}

/** Written atomically: a crash mid-write must not lose track of running guests. */
export async function writeLabState(state: LabState): Promise<void> {
  const path = labStatePath();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, JSON.stringify(state, null, 2));
  await rename(`${path}.tmp`, path);
}
