import * as pulumi from "@pulumi/pulumi";
import { Snapshot, Volume } from "pulumi-cinderblock";

const config = new pulumi.Config();
/** A backend name from the backends configuration; the lab's is `lab`. */
const backend = config.get("backend") ?? "lab";
/** Raise it (`pulumi config set sizeGb 2`, then `pulumi up`) to extend the data volume in place. */
const sizeGb = config.getNumber("sizeGb") ?? 1;

const data = new Volume("data", {
  backend,
  sizeGb,
  description: "quickstart data volume",
  labels: { app: "quickstart" },
});

const snapshot = new Snapshot("data-snapshot", {
  volumeId: data.id,
  description: "quickstart snapshot of data",
});

// A new volume holding the snapshot's data, as large as the volume was when it was taken.
const restored = new Volume("restored", {
  backend,
  sizeGb: snapshot.sizeGb,
  sourceSnapshotId: snapshot.id,
  labels: { app: "quickstart", "restored-from": "data-snapshot" },
});

export const dataVolume = { id: data.id, devicePath: data.devicePath, sizeGb: data.sizeGb, thin: data.thin, host: data.host };
export const snapshotId = snapshot.id;
export const restoredVolume = { id: restored.id, devicePath: restored.devicePath, sizeGb: restored.sizeGb, sourceSnapshotId: restored.sourceSnapshotId };
