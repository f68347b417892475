import { readFileSync } from "node:fs";
import { join } from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { resourceUuid } from "../../../provider";
import { CinderblockProvider } from "../../../provider/native/provider";
import { settingsOf } from "../../../provider/native/serve";
import { providerProto, toStruct } from "../../../engine/runtime";
import { conceal, reveal, secretKeys } from "../../../provider/secrets";
import { useTestBackends } from "../../fixtures/provider/backends";

useTestBackends();

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const urn = "urn:pulumi:dev::quickstart::cinderblock:index:Volume::data";
const uuid = resourceUuid({ project: "quickstart", stack: "dev", kind: "Volume", name: "data" });

describe("the native provider", () => {
  const provider = new CinderblockProvider();

  it("serves schema.json and package.json's version", async () => {
    const root = join(__dirname, "..", "..", "..");
    expect(await provider.getSchema()).toBe(readFileSync(join(root, "schema.json"), "utf8"));
    expect(provider.version).toBe((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version);
  });

  it("derives the uuid and default name from the URN, as the dynamic SDK does in the program", async () => {
    const result = await provider.check(urn, {}, { backend: "lab", sizeGb: 1 });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ backend: "lab", sizeGb: 1, uuid, name: `data-${uuid.slice(0, 8)}` });
  });

  it("keeps the uuid and name of a resource that exists (an imported volume keeps its name)", async () => {
    const olds = { backend: "lab", sizeGb: 1, uuid: "imported-uuid", name: "legacy-data" };
    expect((await provider.check(urn, olds, { backend: "lab", sizeGb: 2 })).inputs).toEqual({ ...olds, sizeGb: 2 });
  });

  it("validates with the same handlers, secrets unwrapped, and keeps a secret input secret", async () => {
    const result = await provider.check(urn, {}, { backend: "lab", sizeGb: 1, description: secret("internal") });
    expect(result.failures).toEqual([]);
    expect(result.inputs.description).toEqual(secret("internal"));
    expect((await provider.check(urn, {}, { backend: "lab", sizeGb: secret(0) })).failures).toEqual([{ property: "sizeGb", reason: expect.any(String) }]);
  });

  it("diffs with the same handlers", async () => {
    const olds = { backend: "lab", name: "n", sizeGb: 1, uuid, thin: true, host: "lab-1", labels: {} };
    expect(await provider.diff("id", urn, olds, { backend: "lab", name: "n", sizeGb: 2, uuid })).toEqual({ changes: true });
    expect(await provider.diff("id", urn, olds, { backend: "lab", name: "m", sizeGb: 1, uuid })).toMatchObject({ replaces: ["name"] });
  });

  it("refuses a URN of another package", async () => {
    await expect(provider.check("urn:pulumi:dev::p::aws:s3/bucket:Bucket::b", {}, {})).rejects.toThrow(/no resource type/);
  });
});

describe("settingsOf (the Configure request)", () => {
  const request = (args: Record<string, unknown>, variables: Record<string, string> = {}) => {
    const configure = new providerProto.ConfigureRequest().setArgs(toStruct(args));
    for (const [key, value] of Object.entries(variables)) configure.getVariablesMap().set(key, value);
    return configure;
  };

  it("reads the provider arguments", () => {
    expect(settingsOf(request({ backends: secret("{}"), configFile: "/etc/cb.json" }))).toEqual({ backends: secret("{}"), configFile: "/etc/cb.json" });
  });

  it("falls back to the config variables", () => {
    expect(settingsOf(request({}, { "cinderblock:config:backends": "{}", "cinderblock:config:configFile": "/f" }))).toEqual({
      backends: "{}",
      configFile: "/f",
    });
  });

  it("is empty when nothing is configured", () => {
    expect(settingsOf(request({}))).toEqual({ backends: undefined, configFile: undefined });
  });
});

describe("secret wrappers", () => {
  const properties = { a: secret("x"), b: { c: secret(1), d: 2 }, e: [secret(true)], f: "plain" };

  it("reveal removes them at any depth", () => {
    expect(reveal(properties)).toEqual({ a: "x", b: { c: 1, d: 2 }, e: [true], f: "plain" });
  });

  it("secretKeys names the top-level properties holding one", () => {
    expect(secretKeys(properties)).toEqual(new Set(["a", "b", "e"]));
  });

  it("conceal wraps those properties again", () => {
    expect(conceal({ a: "x", f: "plain" }, new Set(["a"]))).toEqual({ a: secret("x"), f: "plain" });
  });
});
