import { existsSync, readFileSync } from "node:fs";

/** The environment variable naming the file where globalSetup records how the lab's boot ended. */
export const LAB_BOOT_STATUS = "CINDERBLOCK_LAB_BOOT_STATUS";

export type LabBootStatus = { ready: true } | { ready: false; error: string };

/** Waits for the lab that globalSetup is booting; throws its boot error, so no lab test skips. */
export async function labBooted(timeoutMs: number): Promise<void> {
  const path = process.env[LAB_BOOT_STATUS];
  if (!path) throw new Error(`${LAB_BOOT_STATUS} is not set: run lab tests through jest's lab project, whose globalSetup boots the lab`);
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`the lab did not finish booting within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const status = JSON.parse(readFileSync(path, "utf8")) as LabBootStatus;
  if (!status.ready) throw new Error(`the lab did not boot: ${status.error}`);
}
