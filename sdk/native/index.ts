export { ConsistencyGroup } from "./consistencyGroup";
export { GroupSnapshot } from "./groupSnapshot";
export { Snapshot } from "./snapshot";
export { Volume } from "./volume";
export { VolumeAttachment } from "./volumeAttachment";
export { VolumeImage } from "./volumeImage";
export type {
  ConsistencyGroupArgs,
  GroupSnapshotArgs,
  SnapshotArgs,
  VolumeArgs,
  VolumeAttachmentArgs,
  VolumeAttachmentConnector,
  VolumeImageArgs,
  VolumeImageSource,
  VolumeImageTarget,
} from "../index";
export type { ExportProtocol, IscsiConnectionDetails, NvmeofConnectionDetails, VolumeConnectionInfo } from "../types";
