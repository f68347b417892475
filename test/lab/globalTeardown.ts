import { labDown } from "../../lab/lab";
import { hostLvs, labConfig } from "./support";

/**
 * Stops the lab if this test run started it (set CINDERBLOCK_KEEP_LAB=1 to keep it for the next
 * run). First it names every volume the lab files left on the hosts: they share the hosts, so one
 * file's leftovers take room another needs.
 */
export default async function globalTeardown(): Promise<void> {
  const { __cinderblockLabBoot: boot, __cinderblockStartedLab: started } = globalThis as {
    __cinderblockLabBoot?: Promise<void>;
    __cinderblockStartedLab?: boolean;
  };
  // A run of unit tests alone can end while the guests still boot.
  await boot;
  if (started && !process.env.CINDERBLOCK_KEEP_LAB) {
    await reportLeftovers().catch((error: unknown) =>
      process.stderr.write(`[lab] leftovers not listed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
    await labDown((line) => process.stderr.write(`[lab] ${line}\n`));
  }
}

async function reportLeftovers(): Promise<void> {
  const hosts = labConfig().backends.lab.hosts;
  for (const [index, host] of hosts.entries()) {
    const left = (await hostLvs(index)).filter((lv) => !lv.name.startsWith("[") && !lv.attr.startsWith("t")).map((lv) => lv.name);
    if (left.length > 0) process.stderr.write(`[lab] left on ${host.name} by the lab files: ${left.join(", ")}\n`);
  }
}
