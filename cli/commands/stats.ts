import { formatCapacity } from "../../drivers";
import type { BackendStats } from "../../drivers";
import { noPositionals, parse } from "../args";
import { withBackends } from "../backends";
import { printJson, printTable } from "../render";

export const statsUsage = `cinderblock stats [--backend B] [--json] [--fail-on-down]   capacity of every host of every backend (Cinder's stats);
                          --fail-on-down: exit 1 when a host is down (for monitoring and scripts)`;

/** The hosts reported down, as backend/host. */
export function downHosts(stats: readonly BackendStats[]): string[] {
  return stats.flatMap((backend) =>
    backend.pools.filter((pool) => pool.backend_state === "down").map((pool) => `${backend.volume_backend_name}/${pool.pool_name}`),
  );
}

/** Prints the stats; with --fail-on-down, exit status 1 when a host is down, after the full report. */
export async function statsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { backend: { type: "string" }, "fail-on-down": { type: "boolean" } });
  noPositionals(positionals);
  const stats = await withBackends(values.config, async (backends) => {
    const names = values.backend ? [values.backend] : backends.names;
    return Promise.all(names.map(async (name) => (await backends.driver(name)).getVolumeStats(true)));
  });
  print(stats, values.json);
  const down = downHosts(stats);
  if (!values["fail-on-down"] || down.length === 0) return 0;
  process.stderr.write(`cinderblock: ${down.length} host(s) down: ${down.join(", ")}\n`);
  return 1;
}

function print(stats: readonly BackendStats[], json: boolean | undefined): void {
  if (json) {
    printJson(stats);
    return;
  }
  printTable(
    stats.flatMap((backend) =>
      backend.pools.map((pool) => ({
        backend: backend.volume_backend_name,
        host: pool.pool_name,
        state: pool.backend_state,
        total: formatCapacity(pool.total_capacity_gb),
        free: formatCapacity(pool.free_capacity_gb),
        provisioned: `${pool.provisioned_capacity_gb.toFixed(2)} GiB`,
        thin: pool.thin_provisioning_support,
        volumes: pool.total_volumes,
      })),
    ),
    ["backend", "host", "state", "total", "free", "provisioned", "thin", "volumes"],
  );
}
