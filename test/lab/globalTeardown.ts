import { labDown } from "../../lab/lab";

/** Stops the lab if this test run started it (set CINDERBLOCK_KEEP_LAB=1 to keep it for the next run). */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __cinderblockStartedLab?: boolean }).__cinderblockStartedLab;
  if (started && !process.env.CINDERBLOCK_KEEP_LAB) {
    await labDown((line) => process.stderr.write(`[lab] ${line}\n`));
  }
}
