import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { IscsiConnectionData } from "../../drivers/interface/types";
import { defaultName, resourceUuid } from "../../provider/identity";
import { createProgramDir, serializedProvider, spawnDynamicHost, spawnNativePlugin, urnOf, type Properties, type ProviderProcess } from "../../engine";
import { labDocumentWithInlineKeys, requireFreshBuild, secret } from "../fixtures/provider/lab";
import { entries, iscsiLogin, loginOf, readThroughIscsi, sha256, tpgDir, writeRandom } from "./attachSupport";
import { labConfigPath, onHost, onHostOk, unique } from "./support";

/**
 * The VolumeAttachment resource as the engine drives it: through the native plugin (which
 * returns the CHAP secret wrapped as a Pulumi secret) and through the dynamic-provider host
 * with the SDK's serialized shim. The attachment's outputs are used to read the volume through
 * the export from this machine.
 */
const PROJECT = "cbtest";
const STACK = unique("attach");
const MiB = 1024 * 1024;
const connector = { host: "pulumi-client", initiator: "iqn.2004-10.org.example:pulumi" };

type Kind = "Volume" | "VolumeAttachment";
interface Created {
  host: ProviderProcess;
  urn: string;
  id: string;
  outputs: Properties;
}

const processes: ProviderProcess[] = [];
const created: Created[] = [];
let program: Awaited<ReturnType<typeof createProgramDir>> | undefined;

async function create(host: ProviderProcess, style: "native" | "dynamic", kind: Kind, name: string, inputs: Properties): Promise<Created> {
  const urn = urnOf({ stack: STACK, project: PROJECT, kind, name, style });
  const declared = style === "native" ? inputs : { ...inputs, __provider: await serializedProvider(kind) };
  const checked = await host.client.check(urn, {}, declared);
  expect(checked.failures).toEqual([]);
  const { id, properties } = await host.client.create(urn, checked.inputs);
  const resource = { host, urn, id, outputs: properties };
  created.push(resource);
  return resource;
}

async function destroy(resource: Created): Promise<void> {
  await resource.host.client.delete(resource.id, resource.urn, resource.outputs);
  created.splice(created.indexOf(resource), 1);
}

/**
 * The host's iSCSI target state: the configfs tree (links included), every ACL's credentials,
 * and the export records with their inode and change time (a rewrite replaces the file).
 */
async function targetState(): Promise<string> {
  const script = [
    "cd /sys/kernel/config/target && find . -printf '%p %l\\n' | sort",
    'for f in iscsi/*/tpgt_*/acls/*/auth/userid iscsi/*/tpgt_*/acls/*/auth/password; do [ ! -e "$f" ] || echo "$f $(cat "$f")"; done',
    "find /etc/cinderblock/exports -type f -printf '%p %i %C@ %s\\n' | sort",
  ].join("; ");
  return onHostOk(script);
}

const isWrappedSecret = (value: unknown): value is { value: unknown } =>
  typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;

beforeAll(async () => {
  requireFreshBuild();
});

afterAll(async () => {
  for (const resource of [...created].reverse()) await resource.host.client.delete(resource.id, resource.urn, resource.outputs).catch(() => undefined);
  for (const process of processes) await process.close();
  await program?.remove();
});

describe("VolumeAttachment through the native plugin", () => {
  let plugin: ProviderProcess;
  let volume: Created;
  let attachment: Created;
  let written: string;

  beforeAll(async () => {
    plugin = await spawnNativePlugin({ env: { CINDERBLOCK_CONFIG: "/nonexistent/backends.json" } });
    processes.push(plugin);
    await plugin.client.configure({ args: { backends: secret(labDocumentWithInlineKeys().text) } });
    volume = await create(plugin, "native", "Volume", "data", { backend: "lab", sizeGb: 1, host: "lab-1" });
    written = await writeRandom(String(volume.outputs.devicePath), 1);
  });

  it("creates the export and the initiator's ACL; the CHAP secret comes back only as a Pulumi secret", async () => {
    attachment = await create(plugin, "native", "VolumeAttachment", "data-web", { volumeId: volume.id, protocol: "iscsi", connector });
    expect(attachment.id).toBe(`${volume.id}/iscsi/${connector.initiator}`);
    const { authSecret, connectionInfo, ...rest } = attachment.outputs;
    expect(rest).toEqual({ volumeId: volume.id, protocol: "iscsi", connector });
    expect(isWrappedSecret(authSecret) && typeof authSecret.value === "string" && authSecret.value.length === 16).toBe(true);
    const info = connectionInfo as { driver_volume_type: string; data: Omit<IscsiConnectionData, "auth_password"> };
    expect(info.driver_volume_type).toBe("iscsi");
    expect(info.data).not.toHaveProperty("auth_password");
    expect(JSON.stringify(connectionInfo)).not.toContain((authSecret as { value: string }).value);
    expect(await entries(`${tpgDir(info.data.target_iqn)}/acls`)).toEqual([connector.initiator]);
  });

  it("gives outputs with which the initiator reads the volume from outside the lab host", async () => {
    const info = attachment.outputs.connectionInfo as { data: IscsiConnectionData };
    const data = { ...info.data, auth_password: String((attachment.outputs.authSecret as { value: string }).value) };
    expect(sha256(await readThroughIscsi(loginOf(data, connector.initiator), MiB))).toBe(written);
  });

  it("reads it back on refresh, and from its id alone (import) without writing, with the same secret still wrapped", async () => {
    const refreshed = await plugin.client.read(attachment.id, attachment.urn, attachment.outputs);
    expect(refreshed.properties).toEqual(attachment.outputs);
    const before = await targetState();
    const imported = await plugin.client.read(attachment.id, attachment.urn);
    expect(await targetState()).toEqual(before);
    expect(imported.properties.authSecret).toEqual(attachment.outputs.authSecret);
    expect(imported.properties.connectionInfo).toEqual(attachment.outputs.connectionInfo);
    expect(imported.inputs).toMatchObject({ volumeId: volume.id, protocol: "iscsi", connector: { initiator: connector.initiator } });
  });

  it("refuses to delete the attached volume, naming the attachment and what to do, changing nothing", async () => {
    const refused = await plugin.client.delete(volume.id, volume.urn, volume.outputs).catch((error: unknown) => error);
    expect((refused as { details?: string }).details).toContain(
      `volume ${volume.id} cannot be deleted: it has 1 attachment(s): ${attachment.id}. Nothing was changed; detach it first`,
    );
    expect((await plugin.client.read(volume.id, volume.urn, volume.outputs)).properties).toEqual(volume.outputs);
    const info = attachment.outputs.connectionInfo as { data: IscsiConnectionData };
    expect(await entries(`${tpgDir(info.data.target_iqn)}/acls`)).toEqual([connector.initiator]);
  });

  it("replaces on a connector change, and deleting it removes the export (it was the last attachment)", async () => {
    const diff = await plugin.client.diff(attachment.id, attachment.urn, attachment.outputs, {
      volumeId: volume.id,
      protocol: "iscsi",
      connector: { ...connector, ip: "10.0.0.9" },
    });
    expect(diff).toEqual({ changes: "some", replaces: ["connector"], deleteBeforeReplace: true });
    const iqn = (attachment.outputs.connectionInfo as { data: IscsiConnectionData }).data.target_iqn;
    await destroy(attachment);
    expect((await onHost(`test -e /sys/kernel/config/target/iscsi/${iqn}`)).code).not.toBe(0);
    expect((await plugin.client.read(attachment.id, attachment.urn, attachment.outputs)).id).toBe("");
  });
});

describe("VolumeAttachment through the dynamic-provider host (the SDK's shim)", () => {
  it("attaches and detaches a volume; the engine gets the secret in authSecret, which the SDK marks secret", async () => {
    program = await createProgramDir();
    const host = await spawnDynamicHost({ cwd: program.dir, project: PROJECT, env: { CINDERBLOCK_CONFIG: undefined } });
    processes.push(host);
    await host.client.configure({ args: { "cinderblock:configFile": labConfigPath() } });
    const uuid = resourceUuid({ project: PROJECT, stack: STACK, kind: "Volume", name: "dyn" });
    const volume = await create(host, "dynamic", "Volume", "dyn", { backend: "lab", sizeGb: 1, uuid, name: defaultName("dyn", "Volume", uuid) });
    const attachment = await create(host, "dynamic", "VolumeAttachment", "dyn-web", { volumeId: volume.id, protocol: "iscsi", connector });
    const data = { ...(attachment.outputs.connectionInfo as { data: IscsiConnectionData }).data, auth_password: String(attachment.outputs.authSecret) };
    expect(data.auth_password).toMatch(/^[2-9A-HJ-NP-Za-km-z]{16}$/);
    expect((await iscsiLogin(loginOf(data, connector.initiator))).ok).toBe(true);
    await destroy(attachment);
    expect((await iscsiLogin(loginOf(data, connector.initiator))).ok).toBe(false);
    await destroy(volume);
  });
});
