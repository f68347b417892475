import { InvalidInput, VolumeIsBusy, VolumeNotFound } from "../../interface/errors";
import type { ConnectionInfo, Connector, ExportProtocol, VolumeExport } from "../../interface/types";
import { checkConnector, exportOf, joinPortal, readRecord, recordPath, targetFor, type Target, type TargetSettings } from "../../targets";
import type { LvmBackend } from "../core/backend";
import { guard, toDriverError } from "../core/errors";
import { ensureGate } from "../core/gates";
import type { ReadyHost } from "../core/hosts";
import { TARGETS_LOCK } from "../core/locks";
import { gatePath } from "../model/names";
import { type Found, locate, lookup } from "../core/lookups";

/**
 * The export capability of the LVM driver (ExportDriver; see its TSDoc for each method's
 * contract): which volume to export and how, over the target helpers in drivers/targets.
 * LIO and nvmet configurations are host-wide, so every change runs under one host-side lock
 * (`/run/lock/cinderblock-targets.lock`), which also excludes other processes: read the
 * volume's export record, change it, make the kernel match it, all in one locked section.
 */
/** Attaching many volumes at once queues every attachment of a host on this lock, in turn. */
const TARGETS_LOCK_WAIT_S = 600;
const PROTOCOLS: readonly ExportProtocol[] = ["iscsi", "nvme-tcp"];

function settingsOf(b: LvmBackend, ready: ReadyHost, protocol: ExportProtocol): TargetSettings {
  const iscsi = protocol === "iscsi";
  const port = iscsi ? b.config.iscsiPort : b.config.nvmePort;
  return {
    prefix: iscsi ? b.config.iscsiTargetPrefix : b.config.nvmeTargetPrefix,
    listen: { address: b.config.targetListenAddress, port },
    portals: (iscsi ? ready.config.iscsiPortals : ready.config.nvmePortals) ?? [joinPortal(ready.config.address, port)],
  };
}

const targetOn = (b: LvmBackend, ready: ReadyHost, protocol: ExportProtocol): Target => targetFor(protocol, settingsOf(b, ready, protocol));
const pathOf = (ready: ReadyHost, lvName: string): string => recordPath(ready.lvm.volumeGroup, lvName);

function locked<T>(ready: ReadyHost, doing: string, work: () => Promise<T>): Promise<T> {
  return guard(doing, () => ready.lvm.withLock(TARGETS_LOCK, work, { waitSeconds: TARGETS_LOCK_WAIT_S }));
}

async function volumeOf(b: LvmBackend, volumeId: string): Promise<Found> {
  const found = await lookup(b, volumeId, "volume");
  if (!found) throw new VolumeNotFound(volumeId);
  return found;
}

export async function createExport(b: LvmBackend, volumeId: string, connector: Connector, protocol: ExportProtocol): Promise<VolumeExport> {
  if (!PROTOCOLS.includes(protocol)) throw new InvalidInput(`protocol must be ${PROTOCOLS.join(" or ")}, not '${String(protocol).slice(0, 40)}'`);
  checkConnector(connector);
  const { ready, lv, tags } = await volumeOf(b, volumeId);
  const target = targetOn(b, ready, protocol);
  target.initiatorOf(connector);
  const path = pathOf(ready, lv.name);
  const portals = settingsOf(b, ready, protocol).portals;
  // The common case, another attachment of an exported volume, needs no lock: records are
  // replaced by rename, so an unlocked read sees a whole one.
  const current = await guard(`exporting ${volumeId}`, () => readRecord(ready.lvm, path));
  if (current?.protocol === protocol) return exportOf(current, portals);
  await guard(`exporting ${volumeId}`, () => ensureGate(ready.lvm, lv));
  return locked(ready, `exporting ${volumeId}`, async () => {
    let record = await readRecord(ready.lvm, path);
    if (record?.protocol === protocol) return exportOf(record, portals);
    if (record) {
      if (record.initiators.length > 0) {
        throw new InvalidInput(
          `volume ${volumeId} is exported over ${record.protocol} to ${record.initiators.length} initiator(s); detach them before exporting it over ${protocol}`,
        );
      }
      await targetOn(b, ready, record.protocol).remove(ready.lvm, record, path);
    }
    record = target.newRecord({ volumeId, uuid: tags.uuid, device: gatePath(ready.lvm.volumeGroup, lv.name) });
    await target.apply(ready.lvm, record, path);
    return exportOf(record, portals);
  });
}

export async function ensureExport(b: LvmBackend, volumeId: string): Promise<VolumeExport | undefined> {
  const { ready, lv } = await volumeOf(b, volumeId);
  const path = pathOf(ready, lv.name);
  return locked(ready, `restoring the export of ${volumeId}`, async () => {
    const record = await readRecord(ready.lvm, path);
    if (!record) return undefined;
    await ensureGate(ready.lvm, lv);
    await targetOn(b, ready, record.protocol).apply(ready.lvm, record, path);
    return exportOf(record, settingsOf(b, ready, record.protocol).portals);
  });
}

/**
 * The last step of a host's setup when its checks found export records the kernel does not
 * serve (after a reboot: every one): rebuilds each with its initiators and credentials, as
 * Cinder re-exports at service start, so no operator command is needed. Gates exist by then
 * (setup recreated them). Never fatal: a host whose restore partly failed is still usable for
 * everything else; the failure is logged with what to do.
 */
export async function restoreExports(b: LvmBackend, ready: ReadyHost, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const host = ready.lvm.name;
  const restored: string[] = [];
  try {
    await locked(ready, `restoring the exports on ${host}`, async () => {
      for (const path of paths) {
        try {
          // Read again under the lock: another process may have removed or changed it meanwhile.
          const record = await readRecord(ready.lvm, path);
          if (!record) continue;
          await targetOn(b, ready, record.protocol).apply(ready.lvm, record, path);
          restored.push(record.volumeId);
        } catch (error) {
          b.logger.warn(
            `${host}: could not restore the export recorded in ${path} (${toDriverError(error, `restoring ${path}`).message}); fix the cause, then run \`cinderblock attach restore\``,
          );
        }
      }
    });
  } catch (error) {
    b.logger.warn(
      `${host}: could not restore its exports (${toDriverError(error, `restoring the exports on ${host}`).message}); run \`cinderblock attach restore\``,
    );
  }
  if (restored.length > 0) b.logger.info(`${host}: restored ${restored.length} export(s) lost to a reboot: ${restored.join(", ")}`);
}

/**
 * Why a volume whose gate is held open cannot be deleted, when it is exported: its attachments
 * (`<volume id>/<protocol>/<initiator>`, the ids VolumeAttachment resources have) and what to
 * do. Undefined when it is not exported (something else holds the gate).
 */
export async function exportRefusal(ready: ReadyHost, volumeId: string, lvName: string): Promise<VolumeIsBusy | undefined> {
  const record = await readRecord(ready.lvm, pathOf(ready, lvName));
  if (!record) return undefined;
  const attachments = record.initiators.map((initiator) => `${volumeId}/${record.protocol}/${initiator}`);
  const what =
    attachments.length > 0
      ? `it has ${attachments.length} attachment(s): ${attachments.join(", ")}`
      : `it is exported over ${record.protocol} with no initiator left`;
  return new VolumeIsBusy(
    volumeId,
    `volume ${volumeId} cannot be deleted: ${what}. Nothing was changed; detach it first (delete the VolumeAttachment resources, or \`cinderblock attach delete ${volumeId} --all\`)`,
  );
}

export async function findExport(b: LvmBackend, volumeId: string): Promise<VolumeExport | undefined> {
  const { location, ready } = await locate(b, volumeId, "volume", "read");
  const record = await guard(`reading the export of ${volumeId}`, () => readRecord(ready.lvm, pathOf(ready, location.lvName)));
  return record && exportOf(record, settingsOf(b, ready, record.protocol).portals);
}

export async function removeExport(b: LvmBackend, volumeId: string): Promise<boolean> {
  const { location, ready } = await locate(b, volumeId, "volume");
  const path = pathOf(ready, location.lvName);
  return locked(ready, `removing the export of ${volumeId}`, async () => {
    const record = await readRecord(ready.lvm, path);
    if (!record) return true;
    if (record.initiators.length > 0) return false;
    await targetOn(b, ready, record.protocol).remove(ready.lvm, record, path);
    return true;
  });
}

export async function initializeConnection(b: LvmBackend, volumeId: string, connector: Connector): Promise<ConnectionInfo> {
  checkConnector(connector);
  const { ready, lv } = await volumeOf(b, volumeId);
  const path = pathOf(ready, lv.name);
  return locked(ready, `attaching ${volumeId} to ${connector.host}`, async () => {
    const record = await readRecord(ready.lvm, path);
    if (!record) throw new InvalidInput(`volume ${volumeId} is not exported; export it first (createExport)`);
    const target = targetOn(b, ready, record.protocol);
    const initiator = target.initiatorOf(connector);
    const granted = target.grant(record, initiator, connector.mutualChap);
    // Applied even when the initiator is on record already: that also repairs what a reboot lost.
    const applied = await target.apply(ready.lvm, granted, path);
    return target.connectionInfo(ready.lvm, granted, applied, initiator);
  });
}

export async function findConnection(b: LvmBackend, volumeId: string, initiator: string): Promise<ConnectionInfo | undefined> {
  const { location, ready } = await locate(b, volumeId, "volume", "read");
  return guard(`reading the connection of ${volumeId} for ${initiator}`, async () => {
    const record = await readRecord(ready.lvm, pathOf(ready, location.lvName));
    if (!record?.initiators.includes(initiator)) return undefined;
    const target = targetOn(b, ready, record.protocol);
    return target.connectionInfo(ready.lvm, record, await target.probe(ready.lvm, record, initiator), initiator);
  });
}

export async function terminateConnection(b: LvmBackend, volumeId: string, connector: Connector | undefined): Promise<boolean> {
  if (connector) checkConnector(connector);
  const { location, ready } = await locate(b, volumeId, "volume");
  const path = pathOf(ready, location.lvName);
  return locked(ready, `detaching ${volumeId}${connector ? ` from ${connector.host}` : ""}`, async () => {
    const record = await readRecord(ready.lvm, path);
    if (!record) return false;
    const target = targetOn(b, ready, record.protocol);
    const revoked = connector ? [target.initiatorOf(connector)] : record.initiators;
    const remaining = revoked.reduce((kept, initiator) => target.revoke(kept, initiator), record);
    if (remaining.initiators.length !== record.initiators.length) await target.apply(ready.lvm, remaining, path);
    return remaining.initiators.length > 0;
  });
}
