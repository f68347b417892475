import type { VolumeDataAccess } from "./dataAccess";
import type { ExportDriver } from "./exportDriver";
import type { LeftoverSweeper } from "./doctorDriver";
import type { ConsistencyGroupDriver } from "./groupDriver";
import type { ImageDriver } from "./imageDriver";
import type { SnapshotManagementDriver, VolumeListManageableDriver, VolumeManagementDriver } from "./manageableDriver";
import type { DriverInfo, VolumeDriverCore } from "./volumeDriver";

/** What each capability name promises. */
export interface CapabilityInterfaces {
  core: VolumeDriverCore;
  dataAccess: VolumeDataAccess;
  export: ExportDriver;
  image: ImageDriver;
  manage: VolumeManagementDriver;
  listManageable: VolumeListManageableDriver;
  manageSnapshots: SnapshotManagementDriver;
  groups: ConsistencyGroupDriver;
  doctor: LeftoverSweeper;
}

export type Capability = keyof CapabilityInterfaces;

/** The driver type that declares `C`. */
export type DriverWith<C extends Capability> = VolumeDriverCore & UnionToIntersection<CapabilityInterfaces[C]>;
type UnionToIntersection<U> = (U extends unknown ? (arg: U) => void : never) extends (arg: infer I) => void ? I : never;

type MethodNames<T> = { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];
type AttributeNames<T> = Exclude<keyof T, MethodNames<T>>;

/**
 * Runtime tables of every method (name → most parameters it takes) and attribute of each
 * interface. Typed as complete Records, so a method added to an interface and forgotten here
 * is a compile error: the shape check can never silently check less than the contract.
 */
export const CAPABILITY_METHODS: { [C in Capability]: Record<MethodNames<CapabilityInterfaces[C]>, number> } = {
  core: {
    doSetup: 0,
    checkForSetupError: 0,
    getVolumeStats: 1,
    createVolume: 1,
    findVolume: 1,
    listVolumes: 0,
    deleteVolume: 1,
    updateVolume: 2,
    extendVolume: 2,
    createSnapshot: 1,
    findSnapshot: 1,
    listSnapshots: 0,
    deleteSnapshot: 1,
    createVolumeFromSnapshot: 2,
    createClonedVolume: 2,
    close: 0,
  },
  dataAccess: { writeData: 3, readData: 3 },
  export: { createExport: 3, ensureExport: 1, findExport: 1, removeExport: 1, initializeConnection: 2, findConnection: 2, terminateConnection: 2 },
  image: { copyImageToVolume: 3, copyVolumeToImage: 3, findHostImage: 2, removeHostImage: 3 },
  manage: { manageExisting: 3, manageExistingGetSize: 1, unmanage: 1 },
  listManageable: { getManageableVolumes: 1, getManageableSnapshots: 1 },
  manageSnapshots: { manageExistingSnapshot: 3, manageExistingSnapshotGetSize: 1, unmanageSnapshot: 1 },
  groups: {
    createGroup: 1,
    findGroup: 1,
    listGroups: 0,
    updateGroup: 3,
    deleteGroup: 2,
    createGroupSnapshot: 1,
    findGroupSnapshot: 1,
    listGroupSnapshots: 0,
    deleteGroupSnapshot: 1,
    createGroupFromSource: 2,
  },
  doctor: { findLeftovers: 0, fixLeftovers: 0 },
};

/** The basic attributes, each a non-empty string. */
export const DRIVER_ATTRIBUTES: Record<AttributeNames<DriverInfo>, "string"> = {
  version: "string",
  ciWikiName: "string",
  driverName: "string",
  description: "string",
};

/** What every registered driver must declare: the core contract, and data access for conformance. */
export const REQUIRED_CAPABILITIES: readonly Capability[] = ["core", "dataAccess"];

/**
 * Cinder's minimum features also include attach/detach and image copies. A driver without
 * them is usable but incomplete; the compliance report says so.
 */
export const CINDER_MINIMUM_CAPABILITIES: readonly Capability[] = ["core", "export", "image"];
