import type { ResourceHandlers } from "./handlers";
import type { ResourceKind } from "./identity";
import type { SnapshotInputs, SnapshotOutputs, VolumeInputs, VolumeOutputs } from "./schemas";
import { snapshotProvider } from "./snapshot";
import { volumeProvider } from "./volume";

interface ResourceTypes {
  Volume: { inputs: VolumeInputs; outputs: VolumeOutputs };
  Snapshot: { inputs: SnapshotInputs; outputs: SnapshotOutputs };
}

/**
 * The handlers of every resource kind, by kind. The SDK's shim loads this map by package name
 * (`cinderblock/provider`) at call time, and the native plugin serves the same objects; a kind
 * without handlers does not compile.
 */
export const providers: {
  readonly [K in ResourceKind]: ResourceHandlers<ResourceTypes[K]["inputs"], ResourceTypes[K]["outputs"]>;
} = {
  Volume: volumeProvider,
  Snapshot: snapshotProvider,
};

export { backends, configure, configureFromStack, stackConfigKeys, type ProviderSettings } from "./config";
export type { ResourceHandlers } from "./handlers";
export { addressOfUrn, defaultName, resourceTokens, resourceUuid, type ResourceAddress, type ResourceKind } from "./identity";
export { snapshotInputSchema, volumeInputSchema, type SnapshotInputs, type SnapshotOutputs, type VolumeInputs, type VolumeOutputs } from "./schemas";
