import { join } from "node:path";
import { z } from "zod";
import { VolumeBackendAPIException } from "../interface/errors";
import type { VolumeExport } from "../interface/types";
import { registerSecret } from "../ssh/redact";
import { CHAP_ALPHABET } from "./credentials";
import { isIqn, isNqn } from "./identifiers";
import type { HostShell } from "./shell";
import { declareScriptFile } from "../ssh/scriptFiles";

/**
 * The export record: everything needed to rebuild a volume's export after the storage host
 * reboots (the kernel's target configuration is not persistent), kept on that host as
 * `/etc/cinderblock/exports/<vg>/<lv>.json`, mode 0600 in a 0700 directory, because it holds
 * the CHAP secret. Secrets never go into LV tags (anyone who can run `lvs` reads those).
 */
export const EXPORTS_DIR = "/etc/cinderblock/exports";

const chapString = z
  .string()
  .refine((value) => value.length >= 12 && [...value].every((char) => CHAP_ALPHABET.includes(char)), "is not a generated CHAP credential");
const chapCredentials = z.object({ username: chapString, password: chapString }).strict();

export const exportRecordSchema = z
  .object({
    version: z.literal(1),
    protocol: z.enum(["iscsi", "nvme-tcp"]),
    volumeId: z.string(),
    volumeUuid: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
    /** The target IQN or subsystem NQN. */
    target: z.string(),
    /** The volume's gate device. */
    device: z.string().regex(/^\/dev\/mapper\/[A-Za-z0-9+_.-]+$/, "must be a device-mapper device"),
    /** Initiator IQNs or host NQNs with access, in the order they were granted. */
    initiators: z.array(z.string()),
    /**
     * iSCSI only: each initiator's own CHAP credentials, by IQN, in its own ACL, so that detaching
     * one invalidates only its secret (a shared secret would let a detached initiator log in
     * under the name of one still attached).
     */
    initiatorChap: z.record(z.string(), chapCredentials).optional(),
    /**
     * iSCSI records made before per-initiator CHAP: the volume's credentials, still used by the
     * initiators attached then (they have no entry in initiatorChap); gone with the export.
     */
    chap: chapCredentials.optional(),
    /** iSCSI only: the target's own credentials for each initiator attached with mutual CHAP, by IQN. */
    mutualChap: z.record(z.string(), chapCredentials).optional(),
  })
  .strict()
  .superRefine((record, ctx) => {
    const valid = record.protocol === "iscsi" ? isIqn : isNqn;
    for (const name of [record.target, ...record.initiators]) {
      if (!valid(name)) ctx.addIssue({ code: "custom", message: `'${name.slice(0, 80)}' is not a valid ${record.protocol} name` });
    }
    if (record.protocol !== "iscsi") {
      if (record.chap || record.initiatorChap || record.mutualChap) ctx.addIssue({ code: "custom", message: "CHAP credentials belong to iSCSI records only" });
      return;
    }
    const without = record.initiators.find((initiator) => !record.initiatorChap?.[initiator] && !record.chap);
    if (without !== undefined) ctx.addIssue({ code: "custom", message: `initiator '${without.slice(0, 80)}' has no CHAP credentials` });
    const stray = Object.keys(record.mutualChap ?? {}).find((initiator) => !record.initiators.includes(initiator));
    if (stray !== undefined) ctx.addIssue({ code: "custom", message: `mutual CHAP credentials for '${stray.slice(0, 80)}', which is not granted` });
  });

export type ExportRecord = z.output<typeof exportRecordSchema>;

/** The directory of the export records of one volume group's volumes. */
export function recordsDir(volumeGroup: string): string {
  return `${EXPORTS_DIR}/${volumeGroup}`;
}

export function recordPath(volumeGroup: string, lvName: string): string {
  return `${recordsDir(volumeGroup)}/${lvName}.json`;
}

/** Prints the file, or nothing when it does not exist; any other failure is an error. */
const READ_RECORD = declareScriptFile(join(__dirname, "scripts"), "export-record-read.sh");

/**
 * The record at `path`, or undefined when the volume is not exported. A record that does not
 * parse is an error, not "absent": that would silently drop someone's access.
 */
export async function readRecord(host: HostShell, path: string): Promise<ExportRecord | undefined> {
  const text = (await host.run(["sh", "-c", READ_RECORD, "sh", path])).stdout.trim();
  if (text === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VolumeBackendAPIException(`the export record ${path} is not JSON; fix or remove it on the host`);
  }
  const record = exportRecordSchema.safeParse(parsed);
  if (!record.success) {
    throw new VolumeBackendAPIException(`the export record ${path} is malformed (${record.error.issues[0]?.message}); fix or remove it on the host`);
  }
  registerSecret(record.data.chap?.password);
  for (const credentials of [...Object.values(record.data.initiatorChap ?? {}), ...Object.values(record.data.mutualChap ?? {})])
    registerSecret(credentials.password);
  return record.data;
}

/** The public view of a record: no credentials. */
export function exportOf(record: ExportRecord, portals: readonly string[]): VolumeExport {
  return { volumeId: record.volumeId, protocol: record.protocol, target: record.target, portals: [...portals], initiators: [...record.initiators] };
}
