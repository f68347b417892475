import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
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
  type VolumeAttachment,
  type VolumeAttachmentArgs,
  type VolumeImageArgs,
} from "../../../sdk";
import { attachment } from "../../../provider/schema/attachment";
import { consistencyGroup } from "../../../provider/schema/consistencyGroup";
import { schemaText, type Manifest } from "../../../provider/schema/generate";
import { groupSnapshot } from "../../../provider/schema/groupSnapshot";
import type { InputDefinition, OutputDefinition, PropertyType } from "../../../provider/schema/model";
import { objectTypes } from "../../../provider/schema/package";
import { snapshot } from "../../../provider/schema/snapshot";
import { volume } from "../../../provider/schema/volume";
import { volumeImage } from "../../../provider/schema/volumeImage";

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
 * The SDK's argument types against the definition (provider/schema/), at compile time: these
 * fail to compile when an argument is added, removed, made optional or required, or given
 * another type on one side only, or when an output changes optionality.
 */
/** The TypeScript type a definition's property type stands for (object types with their own properties). */
type TsOf<T> = T extends "string"
  ? string
  : T extends "integer" | "number"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "stringList"
        ? string[]
        : T extends "stringMap"
          ? Record<string, string>
          : T extends "any"
            ? unknown
            : T extends { readonly enum: readonly (infer E)[] }
              ? E
              : T extends { readonly ref: infer R extends keyof typeof objectTypes }
                ? PlainInputs<(typeof objectTypes)[R]["properties"]>
                : never;
type RequiredDefined<P> = { [K in keyof P]: P[K] extends { readonly required: true } ? K : never }[keyof P];
type PlainInputs<P> = { [K in RequiredDefined<P>]: P[K] extends { readonly type: infer T } ? TsOf<T> : never } & {
  [K in Exclude<keyof P, RequiredDefined<P>>]?: P[K] extends { readonly type: infer T } ? TsOf<T> : never;
};
type OptionalDefined<P> = { [K in keyof P]: P[K] extends { readonly optional: true } ? K : never }[keyof P];
/** The values the definition lets each output take (undefined only for optional ones). */
type DefinedOutputs<P> = {
  [K in keyof P]: (P[K] extends { readonly type: infer T } ? TsOf<T> : never) | (P[K] extends { readonly optional: true } ? undefined : never);
};
/** The values the SDK class's Output properties declare. */
type DeclaredOutputs<C> = { [K in Exclude<keyof C, keyof pulumi.CustomResource>]: C[K] extends pulumi.Output<infer V> ? pulumi.Unwrap<V> : never };
/** True when each type is assignable to the other (optionality included), else a compile error at the use. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SameKeys<A, B> = Same<A, B> extends true ? true : { differs: [Exclude<A, B>, Exclude<B, A>] };
const agrees = <Checks extends readonly true[]>(checks: Checks): Checks => checks;

/**
 * The SDK's args, unwrapped, are the definition's plain inputs; its optional outputs are the
 * definition's, and every output it declares takes only values the definition allows (the SDK
 * may be narrower: a format output is `"raw" | "qcow2"` where the schema says string).
 */
type ArgsAgree<Args, R extends { inputs: object; outputs: object }, Class> = [
  Same<pulumi.Unwrap<Args>, PlainInputs<R["inputs"]>>,
  SameKeys<RequiredKeys<Args>, RequiredDefined<R["inputs"]>>,
  SameKeys<OptionalOutputs<Class>, OptionalDefined<R["outputs"]>>,
  [DeclaredOutputs<Class>] extends [DefinedOutputs<R["outputs"]>] ? true : false,
];
agrees<ArgsAgree<VolumeArgs, typeof volume, Volume>>([true, true, true, true]);
agrees<ArgsAgree<SnapshotArgs, typeof snapshot, Snapshot>>([true, true, true, true]);
agrees<ArgsAgree<VolumeImageArgs, typeof volumeImage, VolumeImage>>([true, true, true, true]);
agrees<ArgsAgree<VolumeAttachmentArgs, typeof attachment, VolumeAttachment>>([true, true, true, true]);
agrees<ArgsAgree<ConsistencyGroupArgs, typeof consistencyGroup, ConsistencyGroup>>([true, true, true, true]);
agrees<ArgsAgree<GroupSnapshotArgs, typeof groupSnapshot, GroupSnapshot>>([true, true, true, true]);

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
const fullVolumeImageArgs: Required<VolumeImageArgs> = { volumeId: "lab/lab-1/vg/v", target: { hostPath: "/srv/v.qcow2" }, format: "qcow2", compress: true };
const fullGroupArgs: Required<ConsistencyGroupArgs> = {
  backend: "lab",
  name: "g",
  volumeIds: ["lab/lab-1/vg/v"],
  sourceGroupSnapshotId: "lab/lab-1/vg/s",
  sourceGroupId: "lab/lab-1/vg/g",
};
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

/** The JSON Schema type zod's schema of a property stands for, to hold against the definition's. */
function jsonTypeOf(field: z.ZodType): unknown {
  const spec = z.toJSONSchema(field, { unrepresentable: "any" }) as { type?: string; enum?: string[]; items?: { type?: string } };
  if (spec.enum) return { enum: spec.enum };
  if (spec.type === "array") return `${spec.type} of ${spec.items?.type}`;
  return spec.type;
}
function definedJsonType(type: PropertyType): unknown {
  if (type === "stringList") return "array of string";
  if (type === "stringMap") return "object";
  if (typeof type === "string") return type;
  return "enum" in type ? { enum: [...type.enum] } : "object";
}

describe.each([
  { resource: volume, zod: volumeInputSchema, construct: () => new Volume("v", fullVolumeArgs), ...IDENTIFIED },
  { resource: snapshot, zod: snapshotInputSchema, construct: () => new Snapshot("s", fullSnapshotArgs), ...IDENTIFIED },
  { resource: consistencyGroup, zod: consistencyGroupInputSchema, construct: () => new ConsistencyGroup("g", fullGroupArgs), ...IDENTIFIED },
  { resource: groupSnapshot, zod: groupSnapshotInputSchema, construct: () => new GroupSnapshot("gs", fullGroupSnapshotArgs), ...IDENTIFIED },
  // A VolumeImage is a file named by its target: no uuid, no name.
  { resource: volumeImage, zod: volumeImageInputSchema, construct: () => new VolumeImage("i", fullVolumeImageArgs), validated: [], filled: [] },
])("$resource.token: the definition, the SDK class and the zod schema agree", ({ resource, zod, construct, validated, filled }) => {
  const inputs: Record<string, InputDefinition> = resource.inputs;
  const outputs: Record<string, OutputDefinition> = resource.outputs;
  const requiredInputs = Object.keys(inputs).filter((key) => inputs[key]?.required === true);

  it("lists as outputs exactly the Output properties the SDK class declares", async () => {
    const { outputs: declared } = await sdkView(construct);
    expect(keys(outputs)).toEqual(declared);
  });

  it("sees the SDK register every input (and nothing but its identity seed besides)", async () => {
    const { inputs: registered } = await sdkView(construct);
    expect(registered).toEqual(keys(inputs));
  });

  it("validates with zod the same inputs plus uuid and the seed, requiring also the name and uuid that check fills in", () => {
    const properties = zodProperties(zod);
    expect(properties.all).toEqual(sorted([...Object.keys(inputs), ...validated]));
    expect(properties.required).toEqual(sorted([...requiredInputs, ...filled]));
  });

  it("validates with zod each input as the type the definition gives it", () => {
    const shape = zod.shape as Record<string, z.ZodType>;
    const types = (pick: (key: string) => unknown) => Object.fromEntries(Object.keys(inputs).map((key) => [key, pick(key)]));
    expect(types((key) => jsonTypeOf(shape[key]!))).toEqual(types((key) => definedJsonType(inputs[key]!.type)));
  });

  it("describes the resource and every property", () => {
    expect(resource.description).not.toBe("");
    for (const property of [...Object.values(inputs), ...Object.values(outputs)]) expect(property.description).toMatch(/\S/);
  });
});

describe("schema.json", () => {
  it("is what `npm run schema` writes from the definition in provider/schema/ (else run `npm run schema` and commit it)", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Manifest;
    const committed = readFileSync(join(root, "schema.json"), "utf8");
    expect(committed === schemaText(manifest) ? "up to date" : "schema.json differs from provider/schema/: run `npm run schema`").toBe("up to date");
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
