import { labDown } from "../../lab/lab";

/** Stops the lab if this test run started it (set CINDERBLOCK_KEEP_LAB=1 to keep it for the next run). */
export default async function globalTeardown(): Promise<void> {
  const { __cinderblockLabBoot: boot, __cinderblockStartedLab: started } = globalThis as {
    __cinderblockLabBoot?: Promise<void>;
    __cinderblockStartedLab?: boolean;
  };
  // A run of unit tests alone can end while the guests still boot.
  await boot;
  if (started && !process.env.CINDERBLOCK_KEEP_LAB) {
    await labDown((line) => process.stderr.write(`[lab] ${line}\n`));
  }
}
