import type { ExportProtocol } from "../interface/types";
import { LioTarget } from "./lio";
import { NvmetTarget } from "./nvmet";
import type { Target, TargetSettings } from "./target";

/**
 * Target helpers (Cinder's cinder/volume/targets): how one protocol exports a block device of
 * a storage host. They know nothing of LVM; the LVM driver's export capability
 * (drivers/lvm/exports/exports.ts) decides what to export and holds the host's target lock around
 * every call that changes something.
 */

export function targetFor(protocol: ExportProtocol, settings: TargetSettings): Target {
  return protocol === "iscsi" ? new LioTarget(settings) : new NvmetTarget(settings);
}

export { checkConnector, IQN_PREFIX, joinPortal, NQN_PREFIX, splitPortal } from "./identifiers";
export { exportOf, readRecord, recordPath, recordsDir, type ExportRecord } from "./records";
export type { HostShell } from "./shell";
export type { AppliedExport, ExportedVolume, Target, TargetSettings } from "./target";
