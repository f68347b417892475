import * as pulumi from "@pulumi/pulumi";
import { Snapshot, Volume } from "../../../sdk";

/**
 * Releasing an adopted LV is Pulumi's `retainOnDelete`: the engine then skips Delete. The engine
 * is not here, so this checks the part cinderblock controls, what the SDK registers; the lab
 * tests show that a released LV keeps its data.
 */
const registered = new Map<string, { retainOnDelete: boolean; inputs: Record<string, unknown> }>();

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    { newResource: (args) => ({ id: `lab/lab-1/cinder-volumes/${args.name}`, state: args.inputs }), call: () => ({}) },
    "project",
    "stack",
    false,
  );
  // The mock monitor hands newResource no resource options: read them off the registration request.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: (request: RegisterRequest, callback: unknown) => void };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const inputs = (request.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    registered.set(request.getName(), { retainOnDelete: request.getRetainondelete(), inputs });
    register(request, callback);
  };
});

interface RegisterRequest {
  getName(): string;
  getRetainondelete(): boolean;
  getObject(): { toJavaScript(): unknown } | undefined;
}

async function registration(resource: pulumi.CustomResource): Promise<{ retainOnDelete: boolean; inputs: Record<string, unknown> }> {
  const urn = await new Promise<string>((done) => resource.urn.apply(done));
  const name = urn.split("::").pop() ?? "";
  const found = registered.get(name);
  if (!found) throw new Error(`${name} was not registered`);
  return found;
}

describe("the SDK's adopt argument", () => {
  it("registers a Volume with adopt: true as retained on delete, and sends adopt to the provider", async () => {
    const { retainOnDelete, inputs } = await registration(new Volume("adopted", { backend: "lab", name: "legacy", sizeGb: 2, adopt: true }));
    expect(retainOnDelete).toBe(true);
    expect(inputs).toMatchObject({ adopt: true, name: "legacy" });
  });

  it("does the same for a Snapshot", async () => {
    expect(
      (await registration(new Snapshot("adopted-snap", { volumeId: "lab/lab-1/cinder-volumes/legacy", name: "nightly", adopt: true }))).retainOnDelete,
    ).toBe(true);
  });

  it("leaves an explicit retainOnDelete alone", async () => {
    const volume = new Volume("adopted-deletable", { backend: "lab", name: "scratch", sizeGb: 1, adopt: true }, { retainOnDelete: false });
    expect((await registration(volume)).retainOnDelete).toBe(false);
  });

  it("does not retain created volumes, whether adopt is unset or false", async () => {
    expect(await registration(new Volume("created", { backend: "lab", sizeGb: 1 }))).toMatchObject({ retainOnDelete: false });
    expect(await registration(new Volume("not-adopted", { backend: "lab", sizeGb: 1, adopt: false }))).toMatchObject({ retainOnDelete: false });
  });

  it("retains an adoption it cannot see while the program runs (adopt from an Output or a Promise): an LV left behind can be deleted later, a deleted one is gone", async () => {
    const later = new Volume("adopted-later", { backend: "lab", name: "legacy2", sizeGb: 1, adopt: pulumi.output(true) });
    expect((await registration(later)).retainOnDelete).toBe(true);
    const promised = new Snapshot("adopted-promised", { volumeId: "lab/lab-1/cinder-volumes/legacy2", name: "n2", adopt: Promise.resolve(true) });
    expect((await registration(promised)).retainOnDelete).toBe(true);
  });

  it("refuses adopt without the name of the LV to adopt", () => {
    expect(() => new Volume("nameless", { backend: "lab", sizeGb: 1, adopt: true })).toThrow("Volume nameless: adopt needs name, the name of the LV to adopt");
    expect(() => new Snapshot("nameless-snap", { volumeId: "lab/lab-1/cinder-volumes/x", adopt: true })).toThrow(/adopt needs name/);
  });
});
