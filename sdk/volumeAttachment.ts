import * as pulumi from "@pulumi/pulumi";
import { dynamicType, isResourceOf } from "./instance";
import { shims } from "./shim";
import type { ExportProtocol, VolumeConnectionInfo } from "./types";

/** The initiator side of a {@link VolumeAttachment}, as os-brick describes a connector. */
export interface VolumeAttachmentConnector {
  /** Host name of the initiator machine. */
  host: string;
  /** The iSCSI initiator name (IQN, lower case): required for `iscsi`. */
  initiator?: string;
  /** The NVMe host NQN: required for `nvme-tcp`. */
  nqn?: string;
  /** The initiator's IP address (informational). */
  ip?: string;
  /** iSCSI only: mutual CHAP, the target authenticates itself to the initiator too (its secret is `targetAuthSecret`). */
  mutualChap?: boolean;
}

/** The arguments for constructing a {@link VolumeAttachment}. Changing any of them replaces the attachment. */
export interface VolumeAttachmentArgs {
  /** The volume to attach (a Volume's id). */
  readonly volumeId: pulumi.Input<string>;
  /** `iscsi` (LIO, CHAP) or `nvme-tcp` (nvmet). A volume is exported over one protocol at a time. */
  readonly protocol: pulumi.Input<ExportProtocol>;
  /** Who gets access: only this initiator (its own ACL or allowed-host entry). */
  readonly connector: pulumi.Input<{ [K in keyof VolumeAttachmentConnector]: pulumi.Input<VolumeAttachmentConnector[K]> }>;
}

/**
 * A volume exported to one initiator: iSCSI through LIO (one target per volume, CHAP, an ACL per
 * initiator) or NVMe/TCP through nvmet (one subsystem per volume, an allow-list of host NQNs).
 * Its outputs are Cinder's connection info; the CHAP secret (or DH-HMAC-CHAP key) is the secret
 * output `authSecret`, encrypted in state. Deleting it revokes this initiator's access; the
 * volume's export goes with its last attachment. Its id is `<volume id>/<protocol>/<initiator>`.
 */
export class VolumeAttachment extends pulumi.dynamic.Resource {
  /** The attached volume. */
  declare readonly volumeId: pulumi.Output<string>;
  /** The export protocol. */
  declare readonly protocol: pulumi.Output<ExportProtocol>;
  /** The initiator that has access. */
  declare readonly connector: pulumi.Output<VolumeAttachmentConnector>;
  /**
   * How to connect, as Cinder's initialize_connection returns it (`driver_volume_type` `iscsi`
   * or `nvmeof`, and `data`: portals, target IQN and LUN or subsystem NQN and namespace, the
   * CHAP user name, `discard`), without the secret.
   */
  declare readonly connectionInfo: pulumi.Output<VolumeConnectionInfo>;
  /** The CHAP secret (iSCSI), or the host's DH-HMAC-CHAP key where the target supports it (NVMe/TCP). Secret. */
  declare readonly authSecret: pulumi.Output<string | undefined>;
  /** Mutual CHAP (iSCSI): the target's secret for this initiator, which the initiator checks. Secret. */
  declare readonly targetAuthSecret: pulumi.Output<string | undefined>;

  /** Whether `obj` is a VolumeAttachment of this SDK (also one another copy of the package made). */
  static override isInstance(obj: unknown): obj is VolumeAttachment {
    return isResourceOf(obj, dynamicType("VolumeAttachment"));
  }

  /** Looks up an existing attachment by id (`<volume id>/<protocol>/<initiator>`) and tracks it read-only: Read grants nothing. */
  static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): VolumeAttachment {
    return new VolumeAttachment(name, undefined, { ...opts, id });
  }

  constructor(name: string, args: VolumeAttachmentArgs, opts?: pulumi.CustomResourceOptions);
  constructor(name: string, args: undefined, opts: pulumi.CustomResourceOptions & { id: pulumi.Input<pulumi.ID> });
  constructor(name: string, args: VolumeAttachmentArgs | undefined, opts?: pulumi.CustomResourceOptions) {
    super(shims.VolumeAttachment, name, volumeAttachmentProperties(args), withSecretOutputs(opts), "cinderblock", "VolumeAttachment");
  }
}

/**
 * The properties a VolumeAttachment registers, shared with the native class (sdk/native): every
 * output is listed, even when undefined, since Pulumi only makes Outputs of properties it is given.
 */
export function volumeAttachmentProperties(
  args: VolumeAttachmentArgs | undefined,
): Record<Exclude<keyof VolumeAttachment, keyof pulumi.CustomResource>, unknown> {
  return {
    volumeId: args?.volumeId,
    protocol: args?.protocol,
    connector: args?.connector,
    connectionInfo: undefined,
    authSecret: undefined,
    targetAuthSecret: undefined,
  };
}

/** The secrets are new outputs no secret input carries, so the engine would store them in plain text unless named here. */
export function withSecretOutputs<O extends pulumi.CustomResourceOptions>(opts: O | undefined): O {
  return { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "authSecret", "targetAuthSecret"] } as O;
}
