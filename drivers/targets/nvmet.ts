import { InvalidConnector, VolumeBackendAPIException } from "../interface/errors";
import type { ConnectionInfo, Connector } from "../interface/types";
import { registerSecret } from "../ssh/redact";
import { DHCHAP_KEY, generateDhchapKey } from "./credentials";
import { splitPortal, targetName } from "./identifiers";
import type { AppliedExport, ExportedVolume, Target, TargetSettings } from "./target";
import { NVMET_APPLY, NVMET_PROBE, NVMET_REMOVE } from "./scripts";
import type { ExportRecord } from "./records";
import { runScript, type HostShell } from "./shell";

/** One file per host NQN holding its DH-HMAC-CHAP key (nvmet keeps one key per host, for every subsystem). */
export const HOST_KEYS_DIR = "/etc/cinderblock/nvme-host-keys";

/** Each volume is namespace 1 of its own subsystem. */
const NAMESPACE_ID = 1;
/** nvmet's device_uuid takes an RFC 4122 UUID; other volume uuids leave the kernel's own. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** NVMe/TCP through the kernel's nvmet: one subsystem per volume, an allow-list of host NQNs. */
export class NvmetTarget implements Target {
  readonly protocol = "nvme-tcp";

  constructor(private readonly settings: TargetSettings) {}

  initiatorOf(connector: Connector): string {
    if (!connector.nqn) throw new InvalidConnector(`an NVMe/TCP attachment needs the connector's nqn (its host NQN); connector for ${connector.host} has none`);
    return connector.nqn;
  }

  newRecord(volume: ExportedVolume): ExportRecord {
    return {
      version: 1,
      protocol: "nvme-tcp",
      volumeId: volume.volumeId,
      volumeUuid: volume.uuid,
      target: targetName(this.settings.prefix, volume.uuid),
      device: volume.device,
      initiators: [],
    };
  }

  grant(record: ExportRecord, initiator: string, mutualChap = false): ExportRecord {
    if (mutualChap)
      throw new InvalidConnector("mutual CHAP is for iSCSI attachments; NVMe/TCP authenticates with DH-HMAC-CHAP where the target's kernel supports it");
    return record.initiators.includes(initiator) ? record : { ...record, initiators: [...record.initiators, initiator] };
  }

  revoke(record: ExportRecord, initiator: string): ExportRecord {
    return { ...record, initiators: record.initiators.filter((granted) => granted !== initiator) };
  }

  async apply(host: HostShell, record: ExportRecord, path: string): Promise<AppliedExport> {
    const { address, port } = this.settings.listen;
    const uuid = UUID.test(record.volumeUuid) ? record.volumeUuid.toLowerCase() : "";
    const args = [record.target, record.device, String(NAMESPACE_ID), address, String(port), uuid, path, HOST_KEYS_DIR, ...record.initiators];
    // A fresh candidate key per host: the script keeps a host's stored key and uses the
    // candidate only for a host that has none yet.
    const keys = record.initiators.map((initiator) => `${initiator} ${generateDhchapKey()}\n`).join("");
    const output = await runScript(host, NVMET_APPLY, args, `${JSON.stringify(record)}\n${keys}`);
    return { discard: output.get("discard") === "1", dhchap: output.get("dhchap") === "1" };
  }

  async probe(host: HostShell, record: ExportRecord, initiator: string): Promise<AppliedExport> {
    const output = await runScript(host, NVMET_PROBE, [record.device, initiator, HOST_KEYS_DIR]);
    return { discard: output.get("discard") === "1", dhchap: output.get("dhchap") === "1" };
  }

  async remove(host: HostShell, record: ExportRecord, path: string): Promise<void> {
    await runScript(host, NVMET_REMOVE, [record.target, path, HOST_KEYS_DIR]);
  }

  async connectionInfo(host: HostShell, record: ExportRecord, applied: AppliedExport, initiator: string): Promise<ConnectionInfo> {
    const portals = this.settings.portals.map((portal): [string, string, "tcp"] => {
      const { address, port } = splitPortal(portal);
      return [address, port, "tcp"];
    });
    const auth = applied.dhchap ? { auth_method: "DH-HMAC-CHAP" as const, host_secret: await hostKey(host, initiator) } : {};
    return {
      driver_volume_type: "nvmeof",
      data: { target_nqn: record.target, portals, ns_id: NAMESPACE_ID, vol_uuid: record.volumeUuid, host_nqn: initiator, ...auth, discard: applied.discard },
    };
  }
}

async function hostKey(host: HostShell, initiator: string): Promise<string> {
  const key = (await host.run(["cat", "--", `${HOST_KEYS_DIR}/${initiator}`])).stdout.trim();
  registerSecret(key);
  if (!DHCHAP_KEY.test(key))
    throw new VolumeBackendAPIException(
      `the stored DH-HMAC-CHAP key of ${initiator} is malformed; remove ${HOST_KEYS_DIR}/${initiator} on the host and attach again`,
    );
  return key;
}
