import { attachmentProvider, type AttachmentInputs, type AttachmentOutputs } from "./attachment";
import { consistencyGroupProvider, type ConsistencyGroupInputs, type ConsistencyGroupOutputs } from "./consistencyGroup";
import { groupSnapshotProvider, type GroupSnapshotInputs, type GroupSnapshotOutputs } from "./groupSnapshot";
import type { ResourceHandlers } from "./handlers";
import type { ResourceKind } from "./identity";
import type { SnapshotInputs, SnapshotOutputs, VolumeInputs, VolumeOutputs } from "./schemas";
import { snapshotProvider } from "./snapshot";
import { explainingUnadopted } from "./unadopted";
import { volumeProvider } from "./volume";
import { volumeImageProvider, type VolumeImageInputs, type VolumeImageOutputs } from "./volumeImage";

interface ResourceTypes {
  Volume: { inputs: VolumeInputs; outputs: VolumeOutputs };
  Snapshot: { inputs: SnapshotInputs; outputs: SnapshotOutputs };
  VolumeImage: { inputs: VolumeImageInputs; outputs: VolumeImageOutputs };
  VolumeAttachment: { inputs: AttachmentInputs; outputs: AttachmentOutputs };
  ConsistencyGroup: { inputs: ConsistencyGroupInputs; outputs: ConsistencyGroupOutputs };
  GroupSnapshot: { inputs: GroupSnapshotInputs; outputs: GroupSnapshotOutputs };
}

/**
 * The handlers of every resource kind, by kind. The SDK's shim loads this map by package name
 * (`pulumi-cinderblock/provider`) at call time, and the native plugin serves the same objects; a kind
 * without handlers does not compile.
 */
export const providers: {
  readonly [K in ResourceKind]: ResourceHandlers<ResourceTypes[K]["inputs"], ResourceTypes[K]["outputs"]>;
} = {
  Volume: explainingUnadopted(volumeProvider),
  Snapshot: explainingUnadopted(snapshotProvider),
  VolumeImage: explainingUnadopted(volumeImageProvider),
  VolumeAttachment: explainingUnadopted(attachmentProvider),
  ConsistencyGroup: explainingUnadopted(consistencyGroupProvider),
  GroupSnapshot: groupSnapshotProvider,
};

export { consistencyGroupInputSchema, type ConsistencyGroupInputs, type ConsistencyGroupOutputs } from "./consistencyGroup";
export { groupSnapshotInputSchema, type GroupSnapshotInputs, type GroupSnapshotOutputs } from "./groupSnapshot";
export { attachmentInputSchema, type AttachmentInputs, type AttachmentOutputs, type PublicConnectionInfo } from "./attachment";
export { backends, configure, configureFromStack, stackConfigKeys, type ProviderSettings } from "./config";
export type { ResourceHandlers } from "./handlers";
export { addressOfUrn, defaultName, resourceTokens, resourceUuid, type ResourceAddress, type ResourceKind } from "./identity";
export { volumeImageInputSchema, type VolumeImageInputs, type VolumeImageOutputs } from "./volumeImage";
export { snapshotInputSchema, volumeInputSchema, type SnapshotInputs, type SnapshotOutputs, type VolumeInputs, type VolumeOutputs } from "./schemas";
