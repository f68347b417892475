import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labUp, runningLab } from "../../lab/lab";
import { labConfigPath } from "../../lab/paths";
import { LAB_BOOT_STATUS, type LabBootStatus } from "./labBoot";

/**
 * Starts booting the lab and returns at once: the unit tests run first (test/sequencer.js) while
 * the guests boot, and every lab test file waits for the boot (jestSetup.ts). A lab that cannot
 * boot fails each lab test with the reason (missing QEMU, no disk space, the guest console): lab
 * tests never skip.
 *
 * Two hosts: placement across hosts and NVMe/TCP (one host as the other's initiator) need them.
 * Most tests check a volume on "the" host, so CINDERBLOCK_CONFIG names a backend with the first
 * host only; CINDERBLOCK_LAB_CONFIG is the lab's own file with every host.
 */
export default async function globalSetup(): Promise<void> {
  const alreadyRunning = runningLab() !== undefined;
  const hosts = Number(process.env.CINDERBLOCK_TEST_HOSTS ?? "2");
  const work = mkdtempSync(join(tmpdir(), "cinderblock-test-"));
  const single = join(work, "backends.json");
  const status = join(work, "boot.json");
  process.env.CINDERBLOCK_LAB_CONFIG = labConfigPath();
  process.env.CINDERBLOCK_CONFIG = single;
  process.env[LAB_BOOT_STATUS] = status;
  const boot = labUp({ hosts, log: (line) => process.stderr.write(`[lab] ${line}\n`) }).then(
    (summary) => {
      const full = JSON.parse(readFileSync(summary.config, "utf8")) as { backends: { lab: { hosts: unknown[] } } };
      const firstHostOnly = { backends: { lab: { ...full.backends.lab, hosts: full.backends.lab.hosts.slice(0, 1) } } };
      writeFileSync(single, JSON.stringify(firstHostOnly, null, 2), { mode: 0o600 });
      writeFileSync(status, JSON.stringify({ ready: true } satisfies LabBootStatus));
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      writeFileSync(status, JSON.stringify({ ready: false, error: message } satisfies LabBootStatus));
    },
  );
  Object.assign(globalThis, { __cinderblockLabBoot: boot, __cinderblockStartedLab: !alreadyRunning });
}
