export { Snapshot, type SnapshotArgs } from "./snapshot";
export { Volume, type VolumeArgs } from "./volume";
