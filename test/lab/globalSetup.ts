import { labUp, runningLab } from "../../lab/lab";

/**
 * Boots the lab before any lab test runs. A lab that cannot boot fails the run with the reason
 * (missing QEMU, no disk space, the guest console): lab tests never skip.
 */
export default async function globalSetup(): Promise<void> {
  const alreadyRunning = runningLab() !== undefined;
  const hosts = Number(process.env.CINDERBLOCK_TEST_HOSTS ?? "1");
  const summary = await labUp({ hosts, log: (line) => process.stderr.write(`[lab] ${line}\n`) });
  process.env.CINDERBLOCK_CONFIG = summary.config;
  (globalThis as { __cinderblockStartedLab?: boolean }).__cinderblockStartedLab = !alreadyRunning;
}
