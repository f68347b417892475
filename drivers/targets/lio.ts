import { InvalidConnector, VolumeBackendAPIException } from "../interface/errors";
import type { ConnectionInfo, Connector } from "../interface/types";
import { generateChapCredentials, type ChapCredentials } from "./credentials";
import { joinPortal, targetName } from "./identifiers";
import type { AppliedExport, ExportedVolume, Target, TargetSettings } from "./target";
import { LIO_APPLY, LIO_PROBE, LIO_REMOVE } from "./scripts";
import type { ExportRecord } from "./records";
import { runScript, type HostShell } from "./shell";

/** LIO exports every volume as LUN 0 of its own target (Cinder's lioadm does the same). */
const LUN = 0;

/** A backstore is named after the device it serves: the gate's device-mapper name. */
const backstoreOf = (record: ExportRecord): string => record.device.slice("/dev/mapper/".length);

/**
 * iSCSI through the kernel's LIO target: one target per volume, an ACL per initiator with its own
 * CHAP credentials, CHAP always on; with mutual CHAP the ACL also holds the target's own
 * credentials for that initiator.
 */
export class LioTarget implements Target {
  readonly protocol = "iscsi";

  constructor(private readonly settings: TargetSettings) {}

  initiatorOf(connector: Connector): string {
    if (!connector.initiator)
      throw new InvalidConnector(`an iSCSI attachment needs the connector's initiator (its IQN); connector for ${connector.host} has none`);
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
      initiatorChap: {},
    };
  }

  grant(record: ExportRecord, initiator: string, mutualChap = false): ExportRecord {
    const granted = record.initiators.includes(initiator)
      ? record
      : { ...record, initiators: [...record.initiators, initiator], initiatorChap: { ...record.initiatorChap, [initiator]: generateChapCredentials() } };
    if (mutualChap === (granted.mutualChap?.[initiator] !== undefined)) return granted;
    return { ...granted, mutualChap: mutualChap ? { ...granted.mutualChap, [initiator]: generateChapCredentials() } : without(granted.mutualChap, initiator) };
  }

  revoke(record: ExportRecord, initiator: string): ExportRecord {
    const revoked = {
      ...record,
      initiators: record.initiators.filter((granted) => granted !== initiator),
      initiatorChap: without(record.initiatorChap, initiator),
    };
    return record.mutualChap ? { ...revoked, mutualChap: without(record.mutualChap, initiator) } : revoked;
  }

  async apply(host: HostShell, record: ExportRecord, path: string): Promise<AppliedExport> {
    const listen = joinPortal(this.settings.listen.address, this.settings.listen.port);
    const args = [record.target, backstoreOf(record), record.device, listen, record.volumeUuid, path, ...record.initiators];
    const credentials = record.initiators.map((initiator) => {
      const chap = credentialsOf(record, initiator);
      const mutual = record.mutualChap?.[initiator];
      return `${[initiator, chap.username, chap.password, ...(mutual ? [mutual.username, mutual.password] : [])].join(" ")}\n`;
    });
    const output = await runScript(host, LIO_APPLY, args, `${JSON.stringify(record)}\n${credentials.join("")}`);
    return { discard: output.get("discard") === "1", dhchap: false };
  }

  async probe(host: HostShell, record: ExportRecord, _initiator: string): Promise<AppliedExport> {
    const output = await runScript(host, LIO_PROBE, [record.device]);
    return { discard: output.get("discard") === "1", dhchap: false };
  }

  async remove(host: HostShell, record: ExportRecord, path: string): Promise<void> {
    await runScript(host, LIO_REMOVE, [record.target, backstoreOf(record), path]);
  }

  async connectionInfo(_host: HostShell, record: ExportRecord, applied: AppliedExport, initiator: string): Promise<ConnectionInfo> {
    const chap = credentialsOf(record, initiator);
    const mutual = record.mutualChap?.[initiator];
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
        ...(mutual && { auth_target_username: mutual.username, auth_target_password: mutual.password }),
        discard: applied.discard,
      },
    };
  }
}

/** `credentials` without the entry of `initiator`. */
function without(credentials: Record<string, ChapCredentials> | undefined, initiator: string): Record<string, ChapCredentials> {
  const { [initiator]: _dropped, ...kept } = credentials ?? {};
  return kept;
}

/** The initiator's own credentials, or the volume's for an initiator attached before per-initiator CHAP. */
function credentialsOf(record: ExportRecord, initiator: string): ChapCredentials {
  const chap = record.initiatorChap?.[initiator] ?? record.chap;
  if (!chap) throw new VolumeBackendAPIException(`the iSCSI export of ${record.volumeId} has no CHAP credentials on record for ${initiator}`);
  return chap;
}
