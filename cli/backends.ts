import { existsSync } from "node:fs";
import { Backends, backendsFilePath, loadBackendsFile, stderrLogger } from "../drivers";
import { InvalidConfiguration } from "../drivers";
import { runningLab } from "../lab/lab";

/**
 * The backends the CLI works on: `--config`, else `$CINDERBLOCK_CONFIG`, else the default
 * file, else the running lab's. One set per command run; close it when done.
 */
export async function openBackends(explicit: string | undefined): Promise<Backends> {
  return new Backends(await loadBackendsFile(resolveConfigPath(explicit)), stderrLogger());
}

export function resolveConfigPath(explicit: string | undefined): string {
  const configured = backendsFilePath(explicit);
  if (explicit || process.env.CINDERBLOCK_CONFIG || existsSync(configured)) return configured;
  const lab = runningLab();
  if (lab) return lab.config;
  throw new InvalidConfiguration(
    `no backends configured: write ${configured} (see README, "Configuration"), pass --config, or start the lab with \`npx cinderblock lab up\``,
  );
}

/** Runs `work` with the backends open, and closes them whatever happens. */
export async function withBackends<T>(explicit: string | undefined, work: (backends: Backends) => Promise<T>): Promise<T> {
  const backends = await openBackends(explicit);
  try {
    return await work(backends);
  } finally {
    await backends.close();
  }
}

/** The one backend a command acts on: `--backend`, or the only one configured. */
export function pickBackend(backends: Backends, wanted: string | undefined): string {
  if (wanted) return wanted;
  const [only, ...others] = backends.names;
  if (!only) throw new InvalidConfiguration(`the backends file lists no backends: add one under "backends" (see README, "Configuration")`);
  if (others.length > 0) {
    throw new InvalidConfiguration(`several backends are configured (${backends.names.join(", ")}); choose one with --backend`);
  }
  return only;
}
