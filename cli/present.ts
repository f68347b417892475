import type { Snapshot, Volume } from "../drivers";

/** What `--json` prints for a volume: stable keys an operator can script against. */
export function volumeJson(volume: Volume) {
  return {
    id: volume.id,
    name: volume.name,
    uuid: volume.uuid,
    backend: volume.backend,
    host: volume.host,
    vg: volume.volumeGroup,
    lv: volume.lvName,
    devicePath: volume.devicePath,
    sizeGb: volume.sizeGib,
    sizeBytes: volume.sizeBytes,
    thin: volume.provisioning === "thin",
    createdAt: volume.createdAt,
    description: volume.description,
    labels: volume.labels,
    source: volume.source,
  };
}

export function snapshotJson(snapshot: Snapshot) {
  return {
    id: snapshot.id,
    name: snapshot.name,
    uuid: snapshot.uuid,
    volumeId: snapshot.volumeId,
    backend: snapshot.backend,
    host: snapshot.host,
    vg: snapshot.volumeGroup,
    lv: snapshot.lvName,
    sizeGb: snapshot.sizeGib,
    thin: snapshot.provisioning === "thin",
    createdAt: snapshot.createdAt,
    description: snapshot.description,
  };
}

export function volumeRow(volume: Volume) {
  return { id: volume.id, size: `${volume.sizeGib} GiB`, type: volume.provisioning, device: volume.devicePath };
}

export function snapshotRow(snapshot: Snapshot) {
  return { id: snapshot.id, volume: snapshot.volumeId, size: `${snapshot.sizeGib} GiB`, type: snapshot.provisioning };
}
