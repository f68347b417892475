import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { attachmentId, attachmentInputSchema, attachmentProvider, parseAttachmentId } from "../../../provider/attachment";
import { CinderblockProvider } from "../../../provider/native/provider";
import { VolumeAttachment, type VolumeAttachmentArgs } from "../../../sdk";

const VOLUME = "lab/lab-1/cinder-volumes/data";
const iscsiInputs = { volumeId: VOLUME, protocol: "iscsi", connector: { host: "web-1", initiator: "iqn.2004-10.org.example:web-1" } };
const nvmeInputs = { volumeId: VOLUME, protocol: "nvme-tcp", connector: { host: "web-1", nqn: "nqn.2014-08.org.nvmexpress:uuid:1" } };

describe("VolumeAttachment's check", () => {
  it("accepts an iSCSI attachment with an initiator IQN and an NVMe/TCP one with a host NQN", async () => {
    const mutual = { ...iscsiInputs, connector: { ...iscsiInputs.connector, mutualChap: true } };
    for (const inputs of [iscsiInputs, nvmeInputs, mutual]) expect(await attachmentProvider.check({}, inputs)).toEqual({ inputs, failures: [] });
  });

  it.each([
    [{ ...iscsiInputs, connector: { host: "web-1", nqn: "nqn.2014-08.org.nvmexpress:uuid:1" } }, "connector.initiator", /is required for iscsi/],
    [{ ...nvmeInputs, connector: { host: "web-1" } }, "connector.nqn", /is required for nvme-tcp/],
    [{ ...iscsiInputs, connector: { host: "web-1", initiator: "IQN.2004-10.org.example:Web" } }, "connector.initiator", /must be an iSCSI name/],
    [{ ...iscsiInputs, connector: { ...iscsiInputs.connector, ip: "10.0.0.300" } }, "connector.ip", /IPv4 or IPv6/],
    [{ ...nvmeInputs, connector: { ...nvmeInputs.connector, mutualChap: true } }, "connector.mutualChap", /is for iscsi only/],
    [{ ...iscsiInputs, connector: { ...iscsiInputs.connector, mutualChap: "yes" } }, "connector.mutualChap", /boolean/],
    [{ ...iscsiInputs, protocol: "fc" }, "protocol", /iscsi or nvme-tcp/],
    [{ ...iscsiInputs, volumeId: "data" }, "volumeId", /volume id/],
    [{ ...iscsiInputs, connector: { ...iscsiInputs.connector, multipath: true } }, "multipath", /is not an input/],
  ])("refuses %j at %s", async (inputs, property, reason) => {
    const { failures } = await attachmentProvider.check({}, inputs);
    expect(failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });
});

describe("VolumeAttachment's diff", () => {
  const olds = { ...iscsiInputs, connectionInfo: {}, authSecret: "s" };

  it("sees nothing to do for the same inputs", async () => {
    expect(await attachmentProvider.diff("id", olds, iscsiInputs)).toEqual({ changes: false });
  });

  it.each([
    ["protocol", nvmeInputs],
    ["connector", { ...iscsiInputs, connector: { ...iscsiInputs.connector, ip: "10.0.0.5" } }],
  ])("replaces, detaching first, when %s changes on the same volume for the same initiator", async (key, news) => {
    expect(await attachmentProvider.diff("id", olds, news)).toMatchObject({
      changes: true,
      replaces: expect.arrayContaining([key]),
      deleteBeforeReplace: true,
    });
  });

  it("replaces, attaching first, when volumeId changes (two volumes, two exports)", async () => {
    expect(await attachmentProvider.diff("id", olds, { ...iscsiInputs, volumeId: `${VOLUME}2` })).toEqual({
      changes: true,
      replaces: ["volumeId"],
      deleteBeforeReplace: false,
    });
  });
});

describe("VolumeAttachment ids", () => {
  it("are <volume id>/<protocol>/<initiator> and parse back", () => {
    const inputs = attachmentInputSchema.parse(nvmeInputs);
    const id = attachmentId(inputs);
    expect(id).toBe(`${VOLUME}/nvme-tcp/nqn.2014-08.org.nvmexpress:uuid:1`);
    expect(parseAttachmentId(id)).toEqual({ volumeId: VOLUME, protocol: "nvme-tcp", initiator: "nqn.2014-08.org.nvmexpress:uuid:1" });
  });

  it.each([VOLUME, `${VOLUME}/fc/x`, `${VOLUME}/iscsi/`])("refuse %s", (id) => {
    expect(() => parseAttachmentId(id)).toThrow(expect.objectContaining({ code: "InvalidInput" }));
  });
});

describe("the native provider's check of a VolumeAttachment", () => {
  it("adds no uuid or LV name (an attachment has neither)", async () => {
    const urn = "urn:pulumi:dev::p::cinderblock:index:VolumeAttachment::a";
    expect(await new CinderblockProvider().check(urn, {}, iscsiInputs)).toEqual({ inputs: iscsiInputs, failures: [] });
  });
});

interface PropertySpec {
  secret?: boolean;
  description?: string;
}
const schema = JSON.parse(readFileSync(join(__dirname, "..", "..", "..", "schema.json"), "utf8")) as {
  resources: Record<
    string,
    { inputProperties: Record<string, PropertySpec>; requiredInputs: string[]; properties: Record<string, PropertySpec>; required: string[] }
  >;
};

describe("the SDK's VolumeAttachment, schema.json and the zod schema", () => {
  const spec = schema.resources["cinderblock:index:VolumeAttachment"]!;
  const args: Record<keyof VolumeAttachmentArgs, true> = { volumeId: true, protocol: true, connector: true };
  let registered: { inputs: string[]; secretOutputs: string[] };
  let outputs: string[];

  beforeAll(async () => {
    const secretOutputs = new Map<string, string[]>();
    const register = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (
      this: MockMonitor,
      request: { getName(): string; getAdditionalsecretoutputsList(): string[] },
      callback: unknown,
    ) {
      secretOutputs.set(request.getName(), request.getAdditionalsecretoutputsList());
      return Reflect.apply(register, this, [request, callback]) as Promise<void>;
    } as typeof register;
    let inputs: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (resource) => {
          inputs = Object.keys(resource.inputs).filter((key) => key !== "__provider");
          return { id: "id", state: resource.inputs };
        },
        call: () => ({}),
      },
      "project",
      "stack",
      false,
    );
    const attachment = new VolumeAttachment("a", { volumeId: VOLUME, protocol: "iscsi", connector: iscsiInputs.connector });
    await new Promise<void>((done) => attachment.urn.apply(() => done()));
    MockMonitor.prototype.registerResource = register;
    registered = { inputs: inputs.sort(), secretOutputs: secretOutputs.get("a") ?? [] };
    outputs = Object.entries(attachment)
      .filter(([key, value]) => pulumi.Output.isInstance(value) && !["urn", "id", "__provider"].includes(key))
      .map(([key]) => key)
      .sort();
  });

  it("registers exactly the inputs schema.json lists, all required, and zod validates the same", () => {
    expect(registered.inputs).toEqual(Object.keys(spec.inputProperties).sort());
    expect(Object.keys(args).sort()).toEqual(Object.keys(spec.inputProperties).sort());
    expect([...spec.requiredInputs].sort()).toEqual(Object.keys(args).sort());
    expect(Object.keys(attachmentInputSchema.shape).sort()).toEqual(Object.keys(spec.inputProperties).sort());
  });

  it("declares exactly the outputs schema.json lists", () => {
    expect(outputs).toEqual(Object.keys(spec.properties).sort());
    expect([...spec.required].sort()).toEqual(outputs.filter((key) => key !== "authSecret" && key !== "targetAuthSecret"));
  });

  it("asks the engine to keep authSecret and targetAuthSecret secret, which schema.json marks secret, and only them", () => {
    const secrets = ["authSecret", "targetAuthSecret"];
    expect(registered.secretOutputs).toEqual(secrets);
    expect(
      Object.entries(spec.properties)
        .filter(([, property]) => property.secret)
        .map(([key]) => key),
    ).toEqual(secrets);
    expect(attachmentProvider.secretOutputs).toEqual(secrets);
  });
});
