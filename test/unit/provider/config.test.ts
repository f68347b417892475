import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { InvalidConfiguration } from "../../../drivers";
import { backends, configure, configureFromStack } from "../../../provider/config";

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE+HTQlmVe+LlNmmXT14PHEm36RzfDr7sM1VqEAT5Oo9";
const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\nTOP-SECRET-KEY-MATERIAL\n-----END OPENSSH PRIVATE KEY-----\n";

/** A valid backend named `name`, authenticated with an inline private key. */
function backend(name: string): Record<string, unknown> {
  return { [name]: { driver: "lvm", hosts: [{ name: `${name}-1`, address: "10.0.0.5", hostKey, privateKey }] } };
}

// The default file lives in the home directory; point that at a scratch directory.
let mockHome = "";
jest.mock("node:os", () => ({ ...jest.requireActual<typeof import("node:os")>("node:os"), homedir: () => mockHome }));

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

let dir: string;
const savedConfig = process.env.CINDERBLOCK_CONFIG;

function writeConfig(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof document === "string" ? document : JSON.stringify(document));
  return path;
}

async function errorOf(): Promise<Error> {
  return backends().then(
    () => {
      throw new Error("backends() resolved");
    },
    (error: Error) => error,
  );
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cb-provider-config-"));
  mockHome = join(dir, "home");
  delete process.env.CINDERBLOCK_CONFIG;
  configure({});
});

afterAll(() => {
  if (savedConfig === undefined) delete process.env.CINDERBLOCK_CONFIG;
  else process.env.CINDERBLOCK_CONFIG = savedConfig;
});

describe("provider configuration", () => {
  it("takes backends given as an object in the backends file's shape", async () => {
    configure({ backends: { backends: backend("alpha") } });
    expect((await backends()).names).toEqual(["alpha"]);
  });

  it("takes backends given as just the inner map", async () => {
    configure({ backends: { ...backend("alpha"), ...backend("beta") } });
    expect((await backends()).names).toEqual(["alpha", "beta"]);
  });

  it("takes backends given as JSON text (a secret stack config value)", async () => {
    configure({ backends: JSON.stringify({ backends: backend("alpha") }) });
    expect((await backends()).names).toEqual(["alpha"]);
  });

  it("unwraps Pulumi secrets at the top and nested inside the document", async () => {
    configure({ backends: secret(JSON.stringify(backend("alpha"))) });
    expect((await backends()).names).toEqual(["alpha"]);
    const nested = backend("beta");
    (nested.beta as { hosts: Array<Record<string, unknown>> }).hosts[0]!.privateKey = secret(privateKey);
    configure({ backends: nested });
    expect((await backends()).names).toEqual(["beta"]);
  });

  it("prefers backends over configFile, configFile over CINDERBLOCK_CONFIG, and that over the default file", async () => {
    const defaultDir = join(dir, "home", ".config", "cinderblock");
    mkdirSync(defaultDir, { recursive: true });
    writeFileSync(join(defaultDir, "backends.json"), JSON.stringify({ backends: backend("fromdefault") }));
    expect((await backends()).names).toEqual(["fromdefault"]);

    process.env.CINDERBLOCK_CONFIG = writeConfig("env.json", { backends: backend("fromenv") });
    expect((await backends()).names).toEqual(["fromenv"]);

    configure({ configFile: writeConfig("file.json", { backends: backend("fromfile") }) });
    expect((await backends()).names).toEqual(["fromfile"]);

    configure({ configFile: join(dir, "file.json"), backends: backend("fromstack") });
    expect((await backends()).names).toEqual(["fromstack"]);
  });

  it("reads the dynamic provider's stack config keys", async () => {
    const path = writeConfig("file.json", { backends: backend("fromfile") });
    const config = (values: Record<string, unknown>) => ({
      get: (key: string) => values[key] as string | undefined,
      require: (key: string) => values[key] as string,
    });
    await configureFromStack({ config: config({ "cinderblock:configFile": path }) });
    expect((await backends()).names).toEqual(["fromfile"]);
    await configureFromStack({ config: config({ "cinderblock:backends": backend("fromstack"), "cinderblock:configFile": path }) });
    expect((await backends()).names).toEqual(["fromstack"]);
  });

  it("keeps one Backends instance while the configuration text is unchanged, and rebuilds it when the file changes", async () => {
    const path = writeConfig("file.json", { backends: backend("alpha") });
    configure({ configFile: path });
    const first = await backends();
    expect(await backends()).toBe(first);
    writeConfig("file.json", { backends: backend("beta") });
    const second = await backends();
    expect(second).not.toBe(first);
    expect(second.names).toEqual(["beta"]);
  });

  it("says how to configure backends when there is no configuration at all", async () => {
    const error = await errorOf();
    expect(error).toBeInstanceOf(InvalidConfiguration);
    expect(error.message).toContain(`no backends configured: ${join(mockHome, ".config", "cinderblock", "backends.json")} does not exist`);
    expect(error.message).toContain("cinderblock:backends");
    expect(error.message).toContain("CINDERBLOCK_CONFIG");
  });

  it("reports JSON that does not parse without quoting it (it may hold a key)", async () => {
    configure({ backends: `{"alpha": {"privateKey": "${"TOP-SECRET-KEY-MATERIAL"}" ` });
    const error = await errorOf();
    expect(error.message).toBe(
      "provider configuration 'cinderblock:backends' is not valid JSON: it ends too early (its text is not shown: it may hold secrets)",
    );
    expect(error.message).not.toContain("TOP-SECRET");
    configure({ configFile: writeConfig("broken.json", '{"privateKey": "TOP-SECRET-KEY-MATERIAL"') });
    const fromFile = (await errorOf()).message;
    expect(fromFile).toMatch(/broken\.json is not valid JSON: it ends too early \(its text is not shown: it may hold secrets\)$/);
    expect(fromFile).not.toContain("TOP-SECRET");
  });

  it("reports an invalid document with where it came from and each problem's path, never a credential", async () => {
    const invalid = backend("alpha");
    (invalid.alpha as { hosts: Array<Record<string, unknown>> }).hosts[0]!.port = "22";
    configure({ backends: invalid });
    const error = await errorOf();
    expect(error).toBeInstanceOf(InvalidConfiguration);
    expect(error.message).toMatch(/^provider configuration 'cinderblock:backends': invalid backends configuration: backends\.alpha\.hosts\.0\.port/);
    expect(error.message).not.toContain("TOP-SECRET");
  });

  it("reports an unknown driver", async () => {
    configure({ backends: { alpha: { driver: "zfs" } } });
    expect((await errorOf()).message).toMatch(/backends\.alpha\.driver: unknown driver 'zfs'/);
  });
});
