import * as pulumi from "@pulumi/pulumi";
import * as dynamic from "../../../sdk";
import * as native from "../../../sdk/native";

/**
 * `isInstance` and `get` on every resource class of both SDKs, as Pulumi's generated classes have
 * them: isInstance tells the classes apart by the type they register (not by `instanceof`), and
 * `get` asks the engine to read the resource by id (a ReadResource, which the providers answer
 * with Read), never to register one.
 */
const KINDS = ["Volume", "Snapshot", "VolumeAttachment", "VolumeImage", "ConsistencyGroup", "GroupSnapshot"] as const;
type Kind = (typeof KINDS)[number];

interface ResourceClass {
  get(name: string, id: pulumi.Input<pulumi.ID>): pulumi.CustomResource;
  isInstance(obj: unknown): boolean;
}
const sdks: Record<"dynamic" | "native", Record<Kind, ResourceClass>> = { dynamic, native };
const typeOf = (sdk: "dynamic" | "native", kind: Kind): string =>
  sdk === "native" ? `cinderblock:index:${kind}` : `pulumi-nodejs:dynamic/cinderblock:${kind}`;

const requests: Array<{ name: string; type: string; id: string | undefined }> = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        requests.push({ name: args.name, type: args.type, id: args.id });
        return { id: args.id ?? `new-${args.name}`, state: { ...args.inputs, read: args.id !== undefined } };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
});

const resolved = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

describe.each(["dynamic", "native"] as const)("the %s SDK", (sdk) => {
  it.each(KINDS)("%s.get reads the resource by id under its type, registering nothing", async (kind) => {
    const name = `${sdk}-${kind}-got`;
    const resource = sdks[sdk][kind].get(name, `some/${kind}/id`);
    expect(await resolved(resource.id)).toBe(`some/${kind}/id`);
    expect(requests.filter((request) => request.name === name)).toEqual([{ name, type: typeOf(sdk, kind), id: `some/${kind}/id` }]);
    expect(sdks[sdk][kind].isInstance(resource)).toBe(true);
  });

  it.each(KINDS)("%s.isInstance accepts its own class only", (kind) => {
    const resource = sdks[sdk][kind].get(`${sdk}-${kind}-instance`, "x");
    const others = [...KINDS.filter((other) => other !== kind).map((other) => sdks[sdk][other]), sdks[sdk === "native" ? "dynamic" : "native"][kind]];
    for (const other of others) expect(other.isInstance(resource)).toBe(false);
    for (const value of [undefined, null, {}, "Volume", { __pulumiType: "cinderblock:index:Other" }]) expect(sdks[sdk][kind].isInstance(value)).toBe(false);
  });
});
