import { addressOfUrn, defaultName, freshUuid, resourceUuid, type ResourceAddress } from "../../../provider/identity";

const address: ResourceAddress = { project: "quickstart", stack: "dev", kind: "Volume", name: "data" };

describe("resourceUuid", () => {
  it("is a pure function of project, stack, kind and name, pinned so that deployed stacks keep their identities", () => {
    // Computed independently: sha256("quickstart\0dev\0cinderblock:index:Volume\0data"), first 16
    // bytes, version and variant bits set. A change here would make every deployed resource
    // look replaced: do not change it.
    expect(resourceUuid(address)).toBe("bf8cf1d9-00f1-5bcf-a31d-33cadbbbea41");
    expect(resourceUuid({ ...address })).toBe(resourceUuid(address));
  });

  it("has the RFC 4122 layout with version nibble 5 and the RFC variant", () => {
    expect(resourceUuid(address)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each<[string, Partial<ResourceAddress>]>([
    ["project", { project: "other" }],
    ["stack", { stack: "prod" }],
    ["kind", { kind: "Snapshot" }],
    ["name", { name: "data2" }],
  ])("differs when the %s differs", (_part, change) => {
    expect(resourceUuid({ ...address, ...change })).not.toBe(resourceUuid(address));
  });
});

describe("freshUuid", () => {
  const seed = resourceUuid(address);

  it("is the same for the same seed and inputs (a retried create finds its LV), whatever the key order or unset keys", () => {
    expect(freshUuid(seed, { backend: "lab", thin: true, image: { url: "u", format: "raw" } })).toBe(
      freshUuid(seed, { image: { format: "raw", url: "u" }, thin: true, host: undefined, backend: "lab" }),
    );
  });

  it.each<[string, string, Record<string, unknown>]>([
    ["an input that replaces", seed, { backend: "lab", thin: false }],
    ["the seed (another stack)", resourceUuid({ ...address, stack: "prod" }), { backend: "lab", thin: true }],
  ])("differs with %s, and from the seed itself", (_case, otherSeed, inputs) => {
    const base = freshUuid(seed, { backend: "lab", thin: true });
    expect(freshUuid(otherSeed, inputs)).not.toBe(base);
    expect(base).not.toBe(seed);
    expect(base).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("defaultName", () => {
  const uuid = "0123abcd-0000-5000-8000-000000000000";

  it.each([
    ["data", "data-0123abcd"],
    ["my volume!", "my-volume--0123abcd"],
    ["web/db:primary", "web-db-primary-0123abcd"],
    ["--db", "db-0123abcd"],
    ["_x.y+z", "x.y+z-0123abcd"],
    ["x".repeat(60), `${"x".repeat(40)}-0123abcd`],
  ])("turns resource name %p into %p", (name, expected) => {
    expect(defaultName(name, "Volume", uuid)).toBe(expected);
  });

  it("falls back to the kind when nothing of the resource name is usable", () => {
    expect(defaultName("日本", "Snapshot", uuid)).toBe("snapshot-0123abcd");
  });

  it("always yields a valid LV name of at most 49 characters", () => {
    for (const name of ["a", "Ω-ω", "  spaced  out  ", "-".repeat(80), "ok.name_1+2"]) {
      expect(defaultName(name, "Volume", uuid)).toMatch(/^[A-Za-z0-9][A-Za-z0-9+_.-]{0,48}$/);
    }
  });
});

describe("addressOfUrn", () => {
  it("reads project, stack, kind and name from a top-level resource's URN", () => {
    expect(addressOfUrn("urn:pulumi:dev::quickstart::cinderblock:index:Volume::data")).toEqual(address);
  });

  it("uses the last type of a child resource's qualified type", () => {
    expect(addressOfUrn("urn:pulumi:dev::quickstart::my:index:Component$cinderblock:index:Snapshot::snap::1")).toEqual({
      project: "quickstart",
      stack: "dev",
      kind: "Snapshot",
      name: "snap::1",
    });
  });

  it("gives the dynamic SDK's identity for the same resource", () => {
    const fromUrn = addressOfUrn("urn:pulumi:dev::quickstart::cinderblock:index:Volume::data");
    expect(fromUrn && resourceUuid(fromUrn)).toBe(resourceUuid(address));
  });

  it.each(["urn:pulumi:dev::quickstart::aws:s3/bucket:Bucket::b", "not a urn", "urn:pulumi:dev::quickstart::pulumi-nodejs:dynamic/cinderblock:Volume::v"])(
    "returns undefined for %p",
    (urn) => {
      expect(addressOfUrn(urn)).toBeUndefined();
    },
  );
});
