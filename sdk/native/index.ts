export { Snapshot } from "./snapshot";
export { Volume } from "./volume";
export type { SnapshotArgs, VolumeArgs, VolumeImageSource } from "../index";
