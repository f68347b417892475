import { attachment, volumeAttachmentConnector } from "./attachment";
import { consistencyGroup } from "./consistencyGroup";
import { groupSnapshot } from "./groupSnapshot";
import type { ObjectTypeDefinition, PropertyDefinition, ResourceDefinition } from "./model";
import { snapshot } from "./snapshot";
import { volume, volumeImageSource } from "./volume";
import { volumeImage, volumeImageTarget } from "./volumeImage";

/** The package's own parts of schema.json: who it is, where it lives, its language SDKs and its provider's settings. */

export const PACKAGE_NAME = "cinderblock";
export const REPOSITORY = "https://github.com/cinderblock-project/pulumi-cinderblock";

export const packageInfo = {
  name: PACKAGE_NAME,
  displayName: PACKAGE_NAME,
  description: "LVM block storage as code: volumes and snapshots on LVM hosts reached over SSH.",
  keywords: ["lvm", "block-storage", "volumes", "snapshots", "pulumi", "cinder", "iscsi", "nvme", "category/infrastructure", "kind/native"],
  publisher: "cinderblock",
};

/** What Pulumi's SDK generators take for each language (the nodejs dependencies come from package.json). */
export const languages = {
  nodejs: {
    packageName: "pulumi-cinderblock/native",
    packageDescription:
      "The package's native-plugin SDK: `pulumi-cinderblock/native` declares these resources under their package tokens, served by pulumi-resource-cinderblock; the code `pulumi import` generates imports it. The package's main export serves the same resources as dynamic-provider resources.",
  },
  python: { packageName: "pulumi_cinderblock", respectSchemaVersion: true },
  go: { importBasePath: `${REPOSITORY.replace(/^https:\/\//, "")}/sdk/go/cinderblock`, generateResourceContainerTypes: true, respectSchemaVersion: true },
  csharp: { rootNamespace: "CinderblockProject", packageReferences: { Pulumi: "3.*" }, respectSchemaVersion: true },
  java: { basePackage: "io.github.cinderblockproject", buildFiles: "gradle", dependencies: { "com.pulumi:pulumi": "1.+" } },
};

/** The provider's settings: the same as stack config (`cinderblock:<name>`) and as explicit provider arguments. */
export const providerSettings = {
  backends: {
    type: "any",
    secret: true,
    description:
      'The backends document, as an object or as JSON text: the backends file\'s shape `{"backends": {"NAME": {...}}}` or just the inner `{"NAME": {...}}` map (an object with a `backends` key is taken as the file\'s shape). Holds SSH credentials, so it is a secret. Takes precedence over `configFile`.',
  },
  configFile: {
    type: "string",
    description:
      "Path of a backends file on the machine running Pulumi. Used when `backends` is not set; when neither is, `$CINDERBLOCK_CONFIG`, then `~/.config/cinderblock/backends.json`.",
  },
} as const satisfies Record<string, PropertyDefinition>;

export const providerDescription =
  "The cinderblock provider. Without arguments it reads the stack config `cinderblock:backends` / `cinderblock:configFile`, then `$CINDERBLOCK_CONFIG`.";

/** Every resource, in schema.json's order. */
export const resources = [volume, snapshot, volumeImage, attachment, consistencyGroup, groupSnapshot] as const satisfies readonly ResourceDefinition[];

/** The object types resources' properties refer to (`{ ref: name }`), in schema.json's order. */
export const objectTypes = {
  VolumeImageSource: volumeImageSource,
  VolumeImageTarget: volumeImageTarget,
  VolumeAttachmentConnector: volumeAttachmentConnector,
} as const satisfies Record<string, ObjectTypeDefinition>;
