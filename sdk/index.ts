export { ConsistencyGroup, type ConsistencyGroupArgs } from "./consistencyGroup";
export { GroupSnapshot, type GroupSnapshotArgs } from "./groupSnapshot";
export { Snapshot, type SnapshotArgs } from "./snapshot";
export { Volume, type VolumeArgs, type VolumeImageSource } from "./volume";
export { VolumeAttachment, type VolumeAttachmentArgs, type VolumeAttachmentConnector } from "./volumeAttachment";
export { VolumeImage, type VolumeImageArgs, type VolumeImageTarget } from "./volumeImage";
export type { ExportProtocol, IscsiConnectionDetails, NvmeofConnectionDetails, VolumeConnectionInfo } from "./types";
