import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { consistencyGroupInputSchema, groupSnapshotInputSchema, snapshotInputSchema, volumeImageInputSchema, volumeInputSchema } from "../../../provider";
import {
  ConsistencyGroup,
  GroupSnapshot,
  Snapshot,
  Volume,
  VolumeImage,
  type ConsistencyGroupArgs,
  type GroupSnapshotArgs,
  type SnapshotArgs,
  type VolumeArgs,
  type VolumeImageArgs,
} from "../../../sdk";

interface PropertySpec {
  description?: string;
  secret?: boolean;
}
interface ResourceSpec {
  description: string;
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
  properties: Record<string, PropertySpec>;
  required: string[];
}
interface PackageSchema {
  name: string;
  version: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { inputProperties: Record<string, PropertySpec> };
  resources: Record<string, ResourceSpec>;
  language: Record<string, Record<string, unknown>> & { nodejs: { packageName: string; dependencies: Record<string, string> } };
  homepage: string;
  repository: string;
  publisher: string;
  license: string;
  keywords: string[];
  pluginDownloadURL: string;
}

const root = join(__dirname, "..", "..", "..");
const schema = JSON.parse(readFileSync(join(root, "schema.json"), "utf8")) as PackageSchema;

/** Keys of T that must be given. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
/** Declared outputs of a resource class whose value may be undefined. */
type OptionalOutputs<R> = { [K in keyof R]: R[K] extends pulumi.Output<infer V> ? (undefined extends V ? K : never) : never }[Exclude<
  keyof R,
  keyof pulumi.CustomResource
>];

/*
 * The SDK's argument types, spelt out once. These records fail to compile when a property is
 * added to or removed from the args, made optional or required, or when an output changes
 * optionality; the tests then hold the lists against schema.json.
 */
const volumeArgs: Record<keyof VolumeArgs, true> = {
  backend: true,
  name: true,
  sizeGb: true,
  thin: true,
  host: true,
  sourceSnapshotId: true,
  sourceVolumeId: true,
  description: true,
  labels: true,
  adopt: true,
  image: true,
};
const volumeRequired: Record<RequiredKeys<VolumeArgs>, true> = { backend: true, sizeGb: true };
const volumeOptionalOutputs: Record<OptionalOutputs<Volume>, true> = {
  sourceSnapshotId: true,
  sourceVolumeId: true,
  description: true,
  adopt: true,
  image: true,
};
const snapshotArgs: Record<keyof SnapshotArgs, true> = { volumeId: true, name: true, description: true, adopt: true };
const snapshotRequired: Record<RequiredKeys<SnapshotArgs>, true> = { volumeId: true };
const snapshotOptionalOutputs: Record<OptionalOutputs<Snapshot>, true> = { description: true, adopt: true };

const fullVolumeArgs: Required<VolumeArgs> = {
  backend: "lab",
  name: "v",
  sizeGb: 1,
  thin: true,
  host: "lab-1",
  sourceSnapshotId: "lab/lab-1/vg/s",
  sourceVolumeId: "lab/lab-1/vg/v",
  description: "d",
  labels: { a: "b" },
  adopt: false,
  image: { url: "https://images.example/a.qcow2", format: "qcow2" },
};
const fullSnapshotArgs: Required<SnapshotArgs> = { volumeId: "lab/lab-1/vg/v", name: "s", description: "d", adopt: false };

const volumeImageArgs: Record<keyof VolumeImageArgs, true> = { volumeId: true, target: true, format: true, compress: true };
const volumeImageRequired: Record<RequiredKeys<VolumeImageArgs>, true> = { volumeId: true, target: true, format: true };
const volumeImageOptionalOutputs: Record<OptionalOutputs<VolumeImage>, true> = { compress: true };
const fullVolumeImageArgs: Required<VolumeImageArgs> = { volumeId: "lab/lab-1/vg/v", target: { hostPath: "/srv/v.qcow2" }, format: "qcow2", compress: true };
const groupArgs: Record<keyof ConsistencyGroupArgs, true> = { backend: true, name: true, volumeIds: true, sourceGroupSnapshotId: true, sourceGroupId: true };
const groupRequired: Record<RequiredKeys<ConsistencyGroupArgs>, true> = { backend: true };
const groupOptionalOutputs: Record<OptionalOutputs<ConsistencyGroup>, true> = { volumeIds: true, sourceGroupSnapshotId: true, sourceGroupId: true };
const fullGroupArgs: Required<ConsistencyGroupArgs> = {
  backend: "lab",
  name: "g",
  volumeIds: ["lab/lab-1/vg/v"],
  sourceGroupSnapshotId: "lab/lab-1/vg/s",
  sourceGroupId: "lab/lab-1/vg/g",
};
const groupSnapshotArgs: Record<keyof GroupSnapshotArgs, true> = { groupId: true, name: true };
const groupSnapshotRequired: Record<RequiredKeys<GroupSnapshotArgs>, true> = { groupId: true };
const groupSnapshotOptionalOutputs: Record<OptionalOutputs<GroupSnapshot>, true> = { ioPauseMs: true };
const fullGroupSnapshotArgs: Required<GroupSnapshotArgs> = { groupId: "lab/lab-1/vg/g", name: "gs" };

const keys = (record: object) => Object.keys(record).sort();
const sorted = (list: Iterable<string>) => [...list].sort();

/** The zod schema's properties, and which of them it requires. */
function zodProperties(schema: z.ZodObject): { all: string[]; required: string[] } {
  const entries = Object.entries(schema.shape as Record<string, z.ZodType>);
  return { all: sorted(entries.map(([key]) => key)), required: sorted(entries.filter(([, field]) => !field.safeParse(undefined).success).map(([key]) => key)) };
}

/**
 * Properties only the dynamic SDK sends: the serialized provider, and the identity seed its
 * check derives a new resource's uuid and default name from (the native check derives them
 * from the URN).
 */
const DYNAMIC_ONLY = ["__provider", "identity"];

/** What the SDK registers (inputs sent to the engine) and declares (Output properties) for one resource. */
async function sdkView(construct: () => pulumi.CustomResource): Promise<{ inputs: string[]; outputs: string[] }> {
  let inputs: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        inputs = Object.keys(args.inputs).filter((key) => !DYNAMIC_ONLY.includes(key));
        return { id: "id", state: args.inputs };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
  const resource = construct();
  await new Promise<void>((done) => resource.urn.apply(() => done()));
  // urn and id are every resource's; the dynamic provider's own properties are not part of the schema.
  const outputs = Object.entries(resource).filter(([key, value]) => pulumi.Output.isInstance(value) && !["urn", "id", ...DYNAMIC_ONLY].includes(key));
  return { inputs: sorted(inputs), outputs: sorted(outputs.map(([key]) => key)) };
}

/** Volumes, snapshots, groups and sets get their uuid and default name from check (from the SDK's seed, or the URN); zod also takes the seed. */
const IDENTIFIED = { validated: ["uuid", "identity"], filled: ["name", "uuid"] };

describe.each([
  {
    token: "cinderblock:index:Volume",
    args: volumeArgs,
    required: volumeRequired,
    optionalOutputs: volumeOptionalOutputs,
    zod: volumeInputSchema,
    construct: () => new Volume("v", fullVolumeArgs),
    ...IDENTIFIED,
  },
  {
    token: "cinderblock:index:Snapshot",
    args: snapshotArgs,
    required: snapshotRequired,
    optionalOutputs: snapshotOptionalOutputs,
    zod: snapshotInputSchema,
    construct: () => new Snapshot("s", fullSnapshotArgs),
    ...IDENTIFIED,
  },
  // A VolumeImage is a file named by its target: no uuid, no name.
  {
    token: "cinderblock:index:ConsistencyGroup",
    args: groupArgs,
    required: groupRequired,
    optionalOutputs: groupOptionalOutputs,
    zod: consistencyGroupInputSchema,
    construct: () => new ConsistencyGroup("g", fullGroupArgs),
    ...IDENTIFIED,
  },
  {
    token: "cinderblock:index:GroupSnapshot",
    args: groupSnapshotArgs,
    required: groupSnapshotRequired,
    optionalOutputs: groupSnapshotOptionalOutputs,
    zod: groupSnapshotInputSchema,
    construct: () => new GroupSnapshot("gs", fullGroupSnapshotArgs),
    ...IDENTIFIED,
  },
  {
    token: "cinderblock:index:VolumeImage",
    args: volumeImageArgs,
    required: volumeImageRequired,
    optionalOutputs: volumeImageOptionalOutputs,
    zod: volumeImageInputSchema,
    construct: () => new VolumeImage("i", fullVolumeImageArgs),
    validated: [],
    filled: [],
  },
])("$token: schema.json, the SDK class and the zod schema agree", ({ token, args, required, optionalOutputs, zod, construct, validated, filled }) => {
  const spec = schema.resources[token]!;

  it("has the SDK's arguments as inputProperties and its required arguments as requiredInputs", () => {
    expect(keys(spec.inputProperties)).toEqual(keys(args));
    expect(sorted(spec.requiredInputs)).toEqual(keys(required));
  });

  it("lists as properties exactly the outputs the SDK class declares, requiring those that are never undefined", async () => {
    const { outputs } = await sdkView(construct);
    expect(keys(spec.properties)).toEqual(outputs);
    expect(sorted(spec.required)).toEqual(outputs.filter((key) => !(key in optionalOutputs)));
  });

  it("sees the SDK register every input property (and nothing but its identity seed besides)", async () => {
    const { inputs } = await sdkView(construct);
    expect(inputs).toEqual(sorted(Object.keys(spec.inputProperties)));
  });

  it("validates with zod the same properties plus uuid and the seed, requiring also the name and uuid that check fills in", () => {
    const properties = zodProperties(zod);
    expect(properties.all).toEqual(sorted([...Object.keys(spec.inputProperties), ...validated]));
    expect(properties.required).toEqual(sorted([...spec.requiredInputs, ...filled]));
  });

  it("describes the resource and every property", () => {
    expect(spec.description).not.toBe("");
    for (const property of [...Object.values(spec.inputProperties), ...Object.values(spec.properties)]) expect(property.description).toMatch(/\S/);
  });
});

describe("schema.json's package metadata", () => {
  it("names the package and carries package.json's version", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(schema.name).toBe("cinderblock");
    expect(schema.version).toBe(manifest.version);
    expect(keys(schema.resources)).toEqual([
      "cinderblock:index:ConsistencyGroup",
      "cinderblock:index:GroupSnapshot",
      "cinderblock:index:Snapshot",
      "cinderblock:index:Volume",
      "cinderblock:index:VolumeAttachment",
      "cinderblock:index:VolumeImage",
    ]);
    expect(schema.language.nodejs.packageName).toMatch(/\S/);
  });

  it("says where the package lives, who publishes it, under which license, and where the engine downloads the plugin", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      license: string;
      dependencies: Record<string, string>;
      repository: { url: string };
    };
    expect(schema.license).toBe(manifest.license);
    expect(manifest.repository.url).toContain(schema.repository.replace(/^https:\/\//, ""));
    expect(schema.homepage).toMatch(/^https:\/\//);
    expect(schema.publisher).toMatch(/\S/);
    expect(schema.keywords).toEqual(expect.arrayContaining(["kind/native", "lvm"]));
    // Pulumi's scheme for a GitHub release: github://api.github.com/<owner>/<repository>.
    expect(schema.pluginDownloadURL).toBe(`github://api.github.com/${new URL(schema.repository).pathname.slice(1)}`);
    expect(schema.language.nodejs.dependencies["@pulumi/pulumi"]).toBe(manifest.dependencies["@pulumi/pulumi"]);
  });

  it("names a package for every SDK Pulumi can generate: nodejs (this package's native classes), python, go, dotnet and java", () => {
    expect(keys(schema.language)).toEqual(["csharp", "go", "java", "nodejs", "python"]);
    expect(schema.language.nodejs.packageName).toBe("pulumi-cinderblock/native");
    expect(schema.language.python).toMatchObject({ packageName: "pulumi_cinderblock" });
    expect(schema.language.go).toMatchObject({ importBasePath: `${schema.repository.replace(/^https:\/\//, "")}/sdk/go/cinderblock` });
    expect(schema.language.csharp).toMatchObject({ rootNamespace: expect.stringMatching(/^[A-Z]\w*$/) });
    expect(schema.language.java).toMatchObject({ basePackage: expect.stringMatching(/^[a-z]+(\.[a-z]+)+$/) });
  });

  it.each(Object.keys(schema.resources))("documents importing %s: the id's shape and the exact `pulumi import` command", (token) => {
    const [, section] = schema.resources[token]!.description.split("\n\n## Import\n\n");
    expect(section).toMatch(/imported by its id, `[^`]+`/);
    expect(section).toMatch(new RegExp(`\\$ pulumi import ${token} [a-z-]+ '[^']+'\n`));
  });

  it("takes backends (a secret) and configFile, as stack config and as provider arguments", () => {
    for (const properties of [schema.config.variables, schema.provider.inputProperties]) {
      expect(keys(properties)).toEqual(["backends", "configFile"]);
      expect(properties.backends!.secret).toBe(true);
      for (const property of Object.values(properties)) expect(property.description).toMatch(/\S/);
    }
  });
});
