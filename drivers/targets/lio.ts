import { InvalidConnector, VolumeBackendAPIException } from "../interface/errors";
import type { ConnectionInfo, Connector } from "../interface/types";
import { generateChapCredentials } from "./credentials";
import { joinPortal, targetName } from "./identifiers";
import type { AppliedExport, ExportedVolume, Target, TargetSettings } from "./index";
import { LIO_APPLY, LIO_PROBE, LIO_REMOVE } from "./lioScripts";
import type { ExportRecord } from "./records";
import { runScript, type HostShell } from "./shell";

/** LIO exports every volume as LUN 0 of its own target (Cinder's lioadm does the same). */
const LUN = 0;

/** A backstore is named after the device it serves: the gate's device-mapper name. */
const backstoreOf = (record: ExportRecord): string => record.device.slice("/dev/mapper/".length);

/** iSCSI through the kernel's LIO target: one target per volume, an ACL per initiator, CHAP always on. */
export class LioTarget implements Target {
  readonly protocol = "iscsi";

  constructor(private readonly settings: TargetSettings) {}

  initiatorOf(connector: Connector): string {
    if (!connector.initiator) throw new InvalidConnector(`an iSCSI attachment needs the connector's initiator (its IQN); connector for ${connector.host} has none`);
    return connector.initiator;
  }

  newRecord(volume: ExportedVolume): ExportRecord {
    return {
      version: 1,
      protocol: "iscsi",
      volumeId: volume.volumeId,
      volumeUuid: volume.uuid,
      target: targetName(this.settings.prefix, volume.uuid),
      device: volume.device,
      initiators: [],
      chap: generateChapCredentials(),
    };
  }

  async apply(host: HostShell, record: ExportRecord, path: string): Promise<AppliedExport> {
    const chap = credentialsOf(record);
    const listen = joinPortal(this.settings.listen.address, this.settings.listen.port);
    const args = [record.target, backstoreOf(record), record.device, listen, record.volumeUuid, path, ...record.initiators];
    const output = await runScript(host, LIO_APPLY, args, `${JSON.stringify(record)}\n${chap.username} ${chap.password}\n`);
    return { discard: output.get("discard") === "1", dhchap: false };
  }

  async probe(host: HostShell, record: ExportRecord, _initiator: string): Promise<AppliedExport> {
    const output = await runScript(host, LIO_PROBE, [record.device]);
    return { discard: output.get("discard") === "1", dhchap: false };
  }

  async remove(host: HostShell, record: ExportRecord, path: string): Promise<void> {
    await runScript(host, LIO_REMOVE, [record.target, backstoreOf(record), path]);
  }

  async connectionInfo(_host: HostShell, record: ExportRecord, applied: AppliedExport, _initiator: string): Promise<ConnectionInfo> {
    const chap = credentialsOf(record);
    const portals = [...this.settings.portals];
    return {
      driver_volume_type: "iscsi",
      data: {
        target_discovered: false,
        target_portal: portals[0] ?? "",
        target_portals: portals,
        target_iqn: record.target,
        target_iqns: portals.map(() => record.target),
        target_lun: LUN,
        target_luns: portals.map(() => LUN),
        volume_id: record.volumeId,
        auth_method: "CHAP",
        auth_username: chap.username,
        auth_password: chap.password,
        discard: applied.discard,
      },
    };
  }
}

function credentialsOf(record: ExportRecord): { username: string; password: string } {
  if (!record.chap) throw new VolumeBackendAPIException(`the iSCSI export of ${record.volumeId} has no CHAP credentials on record`);
  return record.chap;
}
