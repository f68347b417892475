import { formatCapacity } from "../../drivers/interface/capacity";
import { noPositionals, parse } from "../args";
import { withBackends } from "../backends";
import { printJson, printTable } from "../render";

export const statsUsage = `cinderblock stats [--backend B] [--json]   capacity of every host of every backend (Cinder's stats)`;

export async function statsCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { backend: { type: "string" } });
  noPositionals(positionals);
  await withBackends(values.config, async (backends) => {
    const names = values.backend ? [values.backend] : backends.names;
    const stats = await Promise.all(names.map(async (name) => (await backends.driver(name)).getVolumeStats(true)));
    if (values.json) {
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
  });
}
