import "../../../drivers/builtin";
import { backendOf, Backends, parseBackends } from "../../../drivers/backends";
import { InvalidConfiguration, InvalidInput } from "../../../drivers/interface/errors";
import type { LvmBackendConfig } from "../../../drivers/lvm/config";

const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAsecretKEYmaterial\n-----END OPENSSH PRIVATE KEY-----\n";
const PASSWORD = "hunter2-do-not-print";
const PASSPHRASE = "correct horse battery staple";

/** A valid host with every secret field set, so a leak would show in any error below. */
function host(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "lab-1",
    address: "127.0.0.1",
    port: 2222,
    privateKey: PRIVATE_KEY,
    passphrase: PASSPHRASE,
    password: PASSWORD,
    hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMyD0hBce5M/z7mNG8tOEnVS0gs8WoN7u20nFNnReHMd",
    ...overrides,
  };
}

/** The InvalidConfiguration message parseBackends throws for `backends`. */
function problemWith(backends: unknown): string {
  try {
    parseBackends({ backends });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfiguration);
    return (error as InvalidConfiguration).message;
  }
  throw new Error("parseBackends accepted an invalid configuration");
}

describe("parseBackends", () => {
  it("parses a minimal lvm backend with the documented defaults", () => {
    const entries = parseBackends({
      backends: { lab: { driver: "lvm", hosts: [{ name: "lab-1", address: "lab1.example", privateKeyPath: "/k", hostKey: "ssh-ed25519 AAAA" }] } },
    });
    const entry = entries.get("lab");
    expect(entry?.registration.name).toBe("lvm");
    expect(entry?.config as LvmBackendConfig).toEqual({
      driver: "lvm",
      volumeGroup: "cinder-volumes",
      lvmType: "auto",
      thinPoolPercent: 80,
      volumeClear: "zero",
      volumeClearSizeMib: 0,
      imageConversionDir: "/var/tmp/cinderblock",
      iscsiTargetPrefix: "iqn.2025-01.dev.cinderblock",
      nvmeTargetPrefix: "nqn.2025-01.dev.cinderblock",
      targetListenAddress: "0.0.0.0",
      iscsiPort: 3260,
      nvmePort: 4420,
      reservedPercentage: 0,
      maxOverSubscriptionRatio: 20,
      capacityWeightMultiplier: 1,
      statsCacheSeconds: 10,
      manageRename: false,
      groupSnapshotMaxPauseSeconds: 30,
      groupSnapshotSuspendTimeoutSeconds: 10,
      groupSnapshotCowPercent: 100,
      hosts: [
        {
          name: "lab-1",
          address: "lab1.example",
          port: 22,
          user: "root",
          privateKeyPath: "/k",
          hostKey: "ssh-ed25519 AAAA",
          sudo: false,
          connectTimeoutMs: 15_000,
        },
      ],
    });
  });

  it("parses several backends at once", () => {
    const entries = parseBackends({ backends: { a: { driver: "lvm", hosts: [host()] }, b: { driver: "lvm", lvmType: "default", hosts: [host()] } } });
    expect([...entries.keys()]).toEqual(["a", "b"]);
    expect((entries.get("b")?.config as LvmBackendConfig).lvmType).toBe("default");
  });

  it.each([
    ["an unknown driver", { x: { driver: "nfs", hosts: [host()] } }, "backends.x.driver: unknown driver 'nfs' (known: "],
    ["a backend without hosts", { x: { driver: "lvm" } }, "backends.x.hosts: "],
    ["an empty host list", { x: { driver: "lvm", hosts: [] } }, "backends.x.hosts: a backend needs at least one host"],
    [
      "a host without hostKey",
      { x: { driver: "lvm", hosts: [host({ hostKey: undefined })] } },
      "backends.x.hosts.0.hostKey: a pinned hostKey or a knownHostsPath is required",
    ],
    ["a port out of range", { x: { driver: "lvm", hosts: [host({ port: 70000 })] } }, "backends.x.hosts.0.port: "],
    ["a port given as text", { x: { driver: "lvm", hosts: [host({ port: "22" })] } }, "backends.x.hosts.0.port: "],
    [
      "a second host with a bad address",
      { x: { driver: "lvm", hosts: [host(), host({ name: "lab-2", address: "not a host!" })] } },
      "backends.x.hosts.1.address: ",
    ],
    ["an unknown lvmType", { x: { driver: "lvm", lvmType: "thick", hosts: [host()] } }, "backends.x.lvmType: "],
    ["a misspelt option", { x: { driver: "lvm", volumGroup: "vg", hosts: [host()] } }, "backends.x: "],
    ["a thinPoolPercent above 95", { x: { driver: "lvm", thinPoolPercent: 99, hosts: [host()] } }, "backends.x.thinPoolPercent: "],
    ["a backend without a driver", { x: { hosts: [host()] } }, "backends.x.driver: "],
    ["a backend name with a space", { "bad name": { driver: "lvm", hosts: [host()] } }, "backends.bad name: "],
  ])("rejects %s as InvalidConfiguration naming the path, without echoing secrets", (_what, backends, expected) => {
    const message = problemWith(backends);
    expect(message).toContain(expected);
    for (const secret of [PRIVATE_KEY, "secretKEYmaterial", PASSWORD, PASSPHRASE]) expect(message).not.toContain(secret);
  });

  it("reports the problems of every backend in one error", () => {
    const message = problemWith({ a: { driver: "lvm", hosts: [host({ hostKey: undefined })] }, b: { driver: "lvm", hosts: [host({ port: 0 })] } });
    expect(message).toContain("backends.a.hosts.0.hostKey");
    expect(message).toContain("backends.b.hosts.0.port");
  });

  it.each([null, "text", [], { backends: [] }, { backends: {}, extra: 1 }])("rejects the document %p as InvalidConfiguration", (document) => {
    expect(() => parseBackends(document)).toThrow(InvalidConfiguration);
  });
});

describe("ids given by users", () => {
  const backends = new Backends(parseBackends({ backends: { lab: { driver: "lvm", hosts: [host()] } } }));
  afterAll(() => backends.close());

  it.each([
    ["garbage", "'garbage'"],
    ["a;b/c", "'a;b/c'"],
    ["lab//x", "'lab//x'"],
    ["/lab-1/vg/lv", "'/lab-1/vg/lv'"],
    ["\u0007lab/x/vg/lv\n", "'?lab/x/vg/lv?'"],
  ])("refuses %j naming it and the shape ids have", async (id, shown) => {
    expect(() => backendOf(id)).toThrow(InvalidInput);
    await expect(backends.driverForId(id)).rejects.toThrow(
      `${shown} is not an id cinderblock gave: ids are the backend's name and the object's place, as in lab/lab-1/cinder-volumes/volume-1 (\`cinderblock volume list\` prints them)`,
    );
  });

  it("names the id and the configured backends when its backend is not one of them", async () => {
    await expect(backends.driverForId("nope/lab-1/cinder-volumes/v")).rejects.toThrow(
      "id 'nope/lab-1/cinder-volumes/v' names backend 'nope', which is not configured here (configured: lab)",
    );
  });
});
