import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labUp, runningLab } from "../../lab/lab";

/**
 * Boots the lab before any lab test runs. A lab that cannot boot fails the run with the reason
 * (missing QEMU, no disk space, the guest console): lab tests never skip.
 *
 * Two hosts: placement across hosts and NVMe/TCP (one host as the other's initiator) need them.
 * Most tests check a volume on "the" host, so CINDERBLOCK_CONFIG names a backend with the first
 * host only; CINDERBLOCK_LAB_CONFIG is the lab's own file with every host.
 */
export default async function globalSetup(): Promise<void> {
  const alreadyRunning = runningLab() !== undefined;
  const hosts = Number(process.env.CINDERBLOCK_TEST_HOSTS ?? "2");
  const summary = await labUp({ hosts, log: (line) => process.stderr.write(`[lab] ${line}\n`) });
  const full = JSON.parse(readFileSync(summary.config, "utf8")) as { backends: { lab: { hosts: unknown[] } } };
  const firstHostOnly = { backends: { lab: { ...full.backends.lab, hosts: full.backends.lab.hosts.slice(0, 1) } } };
  const single = join(mkdtempSync(join(tmpdir(), "cinderblock-test-")), "backends.json");
  writeFileSync(single, JSON.stringify(firstHostOnly, null, 2), { mode: 0o600 });
  process.env.CINDERBLOCK_LAB_CONFIG = summary.config;
  process.env.CINDERBLOCK_CONFIG = single;
  (globalThis as { __cinderblockStartedLab?: boolean }).__cinderblockStartedLab = !alreadyRunning;
}
