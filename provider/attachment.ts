import { isIP } from "node:net";
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { backendOf, InvalidInput, isIqn, isNqn, type ConnectionInfo, type Connector, type ExportDriver } from "../drivers";
import { backends, configureFromStack } from "./config";
import type { VolumeConnectionInfo } from "../sdk/types";
import type { ResourceHandlers } from "./handlers";
import { createNotingTakeOver, leaveToTakeOver } from "./takeOver";
import { objectId } from "./schemas";
import { differs, parseInputs, validate, type RawProperties } from "./validation";

/**
 * The VolumeAttachment resource: a volume exported to one initiator (Cinder's attach: create
 * the export, then initialize the connection), with the connection info as outputs. The CHAP
 * secret or DH-HMAC-CHAP key is the one secret output, `authSecret`: the SDK lists it in
 * additionalSecretOutputs and the native provider returns it wrapped, so Pulumi encrypts it in
 * state. Deleting detaches that initiator, and removes the export with the last one.
 */

export const attachmentInputSchema = z
  .object({
    volumeId: objectId("volume"),
    protocol: z.enum(["iscsi", "nvme-tcp"], "must be iscsi or nvme-tcp"),
    connector: z
      .object({
        host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/, "must be a host name (letters, digits, '_', '.', '-')"),
        initiator: z.string().refine(isIqn, "must be an iSCSI name: iqn.YYYY-MM.domain[:id] in lower case, eui.<16 hex> or naa.<16|32 hex>").optional(),
        nqn: z.string().refine(isNqn, "must be an NVMe qualified name: nqn.YYYY-MM.domain:id").optional(),
        ip: z
          .string()
          .refine((value) => isIP(value) !== 0, "must be an IPv4 or IPv6 address")
          .optional(),
        mutualChap: z.boolean("must be true or false").optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((attachment, ctx) => {
    const [needs, what] = attachment.protocol === "iscsi" ? (["initiator", "its iSCSI initiator name (IQN)"] as const) : (["nqn", "its host NQN"] as const);
    if (attachment.connector[needs] === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["connector", needs],
        message: `is required for ${attachment.protocol}: ${what}`,
        params: { dependsOn: ["protocol"] },
      });
    }
    if (attachment.connector.mutualChap && attachment.protocol !== "iscsi") {
      ctx.addIssue({
        code: "custom",
        path: ["connector", "mutualChap"],
        message: "is for iscsi only (NVMe/TCP authenticates with DH-HMAC-CHAP where the target's kernel supports it)",
        params: { dependsOn: ["protocol"] },
      });
    }
  });

export type AttachmentInputs = z.output<typeof attachmentInputSchema>;

/** The connection info without its secret (that is `authSecret`): the SDK's public type, which the drivers' info must fit. */
export type PublicConnectionInfo = VolumeConnectionInfo;

export type AttachmentOutputs = AttachmentInputs & {
  connectionInfo: PublicConnectionInfo;
  /** The CHAP secret (iSCSI) or the host's DH-HMAC-CHAP key (NVMe/TCP, where the target supports it). */
  authSecret?: string | undefined;
  /** Mutual CHAP (iSCSI): the target's secret, which the initiator checks. */
  targetAuthSecret?: string | undefined;
};

/** Outputs Pulumi must keep secret; the native provider wraps them, the SDK names them in additionalSecretOutputs. */
export const ATTACHMENT_SECRET_OUTPUTS = ["authSecret", "targetAuthSecret"] as const;

const REPLACE_KEYS = ["volumeId", "protocol", "connector"] as const;

/** `<volume id>/<protocol>/<initiator>`: self-describing, so read (and import) need nothing else. */
export function attachmentId(inputs: AttachmentInputs): string {
  return [inputs.volumeId, inputs.protocol, initiatorOf(inputs)].join("/");
}

export function parseAttachmentId(id: string): { volumeId: string; protocol: AttachmentInputs["protocol"]; initiator: string } {
  const parts = id.split("/");
  const [protocol, initiator] = parts.slice(4);
  if (parts.length !== 6 || (protocol !== "iscsi" && protocol !== "nvme-tcp") || !initiator) {
    throw new InvalidInput(`'${id.slice(0, 200)}' is not a volume attachment id (<volume id>/<iscsi|nvme-tcp>/<initiator>)`);
  }
  return { volumeId: parts.slice(0, 4).join("/"), protocol, initiator };
}

/** The input properties among stored outputs (which carry the connection info besides). */
const inputsIn = (properties: RawProperties | undefined): RawProperties =>
  Object.fromEntries(Object.entries(properties ?? {}).filter(([key]) => key in attachmentInputSchema.shape));

/** The initiator named by unvalidated properties (possibly unknown in a preview). */
function rawInitiatorOf(properties: RawProperties): unknown {
  const connector = properties.connector;
  if (connector === null || typeof connector !== "object") return connector;
  return (connector as Record<string, unknown>)[properties.protocol === "iscsi" ? "initiator" : "nqn"];
}

const initiatorOf = (inputs: AttachmentInputs): string => (inputs.protocol === "iscsi" ? inputs.connector.initiator : inputs.connector.nqn) ?? "";

function outputsOf(inputs: AttachmentInputs, info: ConnectionInfo): AttachmentOutputs {
  if (info.driver_volume_type === "iscsi") {
    const { auth_password: authSecret, auth_target_password: targetAuthSecret, ...data } = info.data;
    return { ...inputs, connectionInfo: { driver_volume_type: "iscsi", data }, authSecret, ...(targetAuthSecret !== undefined && { targetAuthSecret }) };
  }
  const { host_secret: authSecret, ...data } = info.data;
  return { ...inputs, connectionInfo: { driver_volume_type: "nvmeof", data }, ...(authSecret !== undefined && { authSecret }) };
}

async function driverFor(volumeId: string): Promise<ExportDriver> {
  return (await backends()).withCapability(backendOf(volumeId), "export");
}

/** Attaches; when the connection cannot be made, an export this call left unused is removed again. */
async function attach(inputs: AttachmentInputs): Promise<ConnectionInfo> {
  const driver = await driverFor(inputs.volumeId);
  const connector: Connector = inputs.connector;
  await driver.createExport(inputs.volumeId, connector, inputs.protocol);
  try {
    return await driver.initializeConnection(inputs.volumeId, connector);
  } catch (error) {
    const othersRemain = await driver.terminateConnection(inputs.volumeId, connector).catch(() => true);
    if (!othersRemain) await driver.removeExport(inputs.volumeId).catch(() => undefined);
    throw error;
  }
}

export const attachmentProvider = {
  configure: configureFromStack,
  secretOutputs: ATTACHMENT_SECRET_OUTPUTS,

  async check(_olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.CheckResult<AttachmentInputs>> {
    const { value, failures } = validate(attachmentInputSchema, news);
    return { inputs: value ?? (news as AttachmentInputs), failures };
  },

  /**
   * Any change is another attachment. It is made before the old one goes (both initiators have
   * access for a moment), except on the same volume when the protocol changes (a volume is
   * exported over one protocol at a time) or the initiator stays (the old one's delete would
   * revoke the access the new one was just given): then detach first.
   */
  async diff(_id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult> {
    const replaces = REPLACE_KEYS.filter((key) => differs(olds, news, key));
    if (replaces.length === 0) return { changes: false };
    const sameVolume = !differs(olds, news, "volumeId");
    const sameInitiator = !differs({ initiator: rawInitiatorOf(olds) }, { initiator: rawInitiatorOf(news) }, "initiator");
    return { changes: true, replaces, deleteBeforeReplace: sameVolume && (differs(olds, news, "protocol") || sameInitiator) };
  },

  async create(raw: RawProperties): Promise<pulumi.dynamic.CreateResult<AttachmentOutputs>> {
    const inputs = parseInputs(attachmentInputSchema, raw, "VolumeAttachment");
    const exists = async () => {
      const exported = await (await driverFor(inputs.volumeId)).findExport(inputs.volumeId);
      return exported?.protocol === inputs.protocol && exported.initiators.includes(initiatorOf(inputs));
    };
    return createNotingTakeOver(exists, async () => ({ id: attachmentId(inputs), outs: outputsOf(inputs, await attach(inputs)) }));
  },

  /**
   * `{}` once the initiator has lost its access (detached outside Pulumi, or the volume is
   * gone). With stored outputs (refresh) they are returned as they are: credentials never
   * change while the export exists. Without (import by id), the connection details come from
   * the host's export record and target configuration, read only: an import grants nothing.
   */
  async read(id: string, props?: RawProperties): Promise<{ id?: string; props?: AttachmentOutputs; inputs?: AttachmentInputs }> {
    const { volumeId, protocol, initiator } = parseAttachmentId(id);
    const driver = await driverFor(volumeId);
    const exported = await driver.findExport(volumeId);
    if (exported?.protocol !== protocol || !exported.initiators.includes(initiator)) return {};
    const stored = validate(attachmentInputSchema, inputsIn(props)).value;
    if (stored) return { id, props: props as AttachmentOutputs, inputs: stored };
    const info = await driver.findConnection(volumeId, initiator);
    if (!info) return {};
    const inputs: AttachmentInputs = { volumeId, protocol, connector: { host: "imported", ...(protocol === "iscsi" ? { initiator } : { nqn: initiator }) } };
    return { id, props: outputsOf(inputs, info), inputs };
  },

  /** Revokes this initiator's access; the export goes with the last one. Absent is success. */
  async delete(id: string, props: RawProperties): Promise<void> {
    if (leaveToTakeOver(id, "attachment")) return;
    const inputs = parseInputs(attachmentInputSchema, inputsIn(props), "VolumeAttachment");
    const driver = await driverFor(inputs.volumeId);
    if (!(await driver.terminateConnection(inputs.volumeId, inputs.connector))) await driver.removeExport(inputs.volumeId);
  },
} satisfies ResourceHandlers<AttachmentInputs, AttachmentOutputs>;
