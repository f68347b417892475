import { backendOf, type ConnectionInfo, type Connector, type ExportProtocol } from "../../drivers";
import { choiceFlag, idPositional, noPositionals, parse } from "../args";
import { withBackends } from "../backends";
import { printJson, printTable, progress } from "../render";
import { UsageError } from "../usage";

export const attachUsage = `cinderblock attach create VOLUME_ID --protocol iscsi|nvme-tcp --host NAME (--initiator IQN | --nqn NQN) [--ip IP] [--mutual-chap] [--show-secret]
cinderblock attach delete VOLUME_ID (--initiator IQN | --nqn NQN | --all)
cinderblock attach show VOLUME_ID
cinderblock attach restore [--backend B]   (after a storage host rebooted: rebuild every export)
  (each takes --json and --config PATH)`;

const CONNECTOR_FLAGS = { host: { type: "string" }, initiator: { type: "string" }, nqn: { type: "string" }, ip: { type: "string" } } as const;

const PROTOCOLS: readonly ExportProtocol[] = ["iscsi", "nvme-tcp"];

/** The connection info as printed: the secret only with --show-secret. */
function shown(info: ConnectionInfo, showSecret: boolean): ConnectionInfo {
  if (showSecret) return info;
  const hidden = "(hidden; add --show-secret)";
  return info.driver_volume_type === "iscsi"
    ? { ...info, data: { ...info.data, auth_password: hidden, ...(info.data.auth_target_password !== undefined && { auth_target_password: hidden }) } }
    : { ...info, data: { ...info.data, ...(info.data.host_secret !== undefined && { host_secret: hidden }) } };
}

export async function attachCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "create": {
      const { values, positionals } = parse(rest, {
        ...CONNECTOR_FLAGS,
        protocol: { type: "string" },
        "mutual-chap": { type: "boolean" },
        "show-secret": { type: "boolean" },
      });
      const volumeId = idPositional(positionals, "a volume id");
      const protocol = choiceFlag(values.protocol, "--protocol", PROTOCOLS);
      if (!values.host) throw new UsageError("--host (the initiator machine's name) is required");
      // Mutual CHAP is the target proving itself to an iSCSI initiator; NVMe/TCP has DH-HMAC-CHAP.
      if (values["mutual-chap"] && protocol !== "iscsi") throw new UsageError("--mutual-chap is for --protocol iscsi");
      const connector: Connector = { host: values.host, initiator: values.initiator, nqn: values.nqn, ip: values.ip, mutualChap: values["mutual-chap"] };
      return withBackends(values.config, async (backends) => {
        const driver = await backends.withCapability(backendOf(volumeId), "export");
        await driver.createExport(volumeId, connector, protocol);
        const info = await driver.initializeConnection(volumeId, connector);
        printJson(shown(info, values["show-secret"] ?? false));
      });
    }
    case "delete": {
      const { values, positionals } = parse(rest, { ...CONNECTOR_FLAGS, all: { type: "boolean" } });
      const volumeId = idPositional(positionals, "a volume id");
      if (!values.all && !values.initiator && !values.nqn) throw new UsageError("say whose access to revoke: --initiator, --nqn or --all");
      const connector = values.all ? undefined : { host: values.host ?? "cli", initiator: values.initiator, nqn: values.nqn };
      return withBackends(values.config, async (backends) => {
        const driver = await backends.withCapability(backendOf(volumeId), "export");
        const othersRemain = await driver.terminateConnection(volumeId, connector);
        const removed = !othersRemain && (await driver.removeExport(volumeId));
        if (values.json) printJson({ volumeId, exportRemoved: removed });
        else process.stdout.write(`detached from ${volumeId}${removed ? "; its export is removed" : "; other initiators keep the export"}\n`);
      });
    }
    case "show": {
      const { values, positionals } = parse(rest, {});
      const volumeId = idPositional(positionals, "a volume id");
      return withBackends(values.config, async (backends) => {
        const exported = await (await backends.withCapability(backendOf(volumeId), "export")).findExport(volumeId);
        if (values.json) printJson(exported ?? null);
        else if (!exported) process.stdout.write(`${volumeId} is not exported\n`);
        else
          printTable(
            exported.initiators.map((initiator) => ({ protocol: exported.protocol, target: exported.target, initiator })),
            ["protocol", "target", "initiator"],
          );
      });
    }
    case "restore": {
      const { values, positionals } = parse(rest, { backend: { type: "string" } });
      noPositionals(positionals);
      return withBackends(values.config, async (backends) => {
        const restored: string[] = [];
        for (const name of values.backend ? [values.backend] : backends.names) {
          const driver = await backends.withCapability(name, "export");
          for (const volume of await driver.listVolumes()) {
            if (await driver.ensureExport(volume.id)) {
              restored.push(volume.id);
              progress(`restored the export of ${volume.id}`);
            }
          }
        }
        if (values.json) printJson({ restored });
        else process.stdout.write(`${restored.length} export(s) restored\n`);
      });
    }
    default:
      throw new UsageError(action ? `unknown attach action '${action}'` : "attach needs an action");
  }
}
