import { labDown, labStatus, labUp } from "../../lab/lab";
import { noPositionals, parseOnly } from "../args";
import { printJson, printTable, progress } from "../render";
import { UsageError } from "../usage";

export const labUsage = `cinderblock lab up [--hosts N] [--json]   boot N lab LVM hosts (QEMU guests), reusing running ones
cinderblock lab status [--json]           show the lab hosts
cinderblock lab down                      stop the lab hosts and delete their disks`;

export async function labCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "up": {
      const { values, positionals } = parseOnly(rest, { hosts: { type: "string" }, json: { type: "boolean" } });
      noPositionals(positionals);
      const hosts = values.hosts === undefined ? 1 : Number(values.hosts);
      if (!Number.isInteger(hosts) || hosts < 1) throw new UsageError(`--hosts must be a positive whole number, not ${values.hosts}`);
      const summary = await labUp({ hosts, log: progress });
      if (values.json) printJson(summary);
      else {
        printTable(
          summary.hosts.map((host) => ({ name: host.name, ssh: `${host.user}@${host.address}:${host.port}` })),
          ["name", "ssh"],
        );
        process.stdout.write(`backends config: ${summary.config}\n`);
      }
      return;
    }
    case "status": {
      const { values, positionals } = parseOnly(rest, { json: { type: "boolean" } });
      noPositionals(positionals);
      const status = labStatus();
      if (values.json) printJson(status);
      else {
        printTable(
          status.hosts.map((host) => ({
            name: host.name,
            state: host.running ? "running" : "stopped",
            accel: host.accel,
            ssh: `${host.user}@${host.address}:${host.port}`,
            iscsi: `${host.address}:${host.iscsiPort}`,
            nvme: `${host.address}:${host.nvmePort}`,
          })),
          ["name", "state", "accel", "ssh", "iscsi", "nvme"],
        );
        if (status.config) process.stdout.write(`backends config: ${status.config}\n`);
      }
      return;
    }
    case "down": {
      noPositionals(parseOnly(rest, {}).positionals);
      const stopped = await labDown(progress);
      process.stdout.write(stopped.length > 0 ? `lab stopped (${stopped.join(", ")})\n` : "no lab was running\n");
      return;
    }
    default:
      throw new UsageError(action ? `unknown lab action '${action}'` : "lab needs an action");
  }
}
