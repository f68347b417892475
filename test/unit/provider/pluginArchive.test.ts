import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { packageRoot, ProviderCallError, spawnNativePlugin, type ProviderProcess } from "../../../engine";
import { testBackends } from "../../fixtures/provider/backends";
import { requireFreshBuild } from "../../fixtures/provider/lab";

/**
 * `npm run plugin:archive` packs the native plugin; `pulumi plugin install resource cinderblock
 * <version> --file <archive>` unpacks it into the plugin cache and the engine runs its
 * `pulumi-resource-cinderblock` with the engine's address, from the program's directory. This
 * unpacks the archive far from the package tree and drives the plugin from there over gRPC,
 * in the order the engine does: GetPluginInfo, GetSchema, CheckConfig, Configure, Check.
 * Building the archive runs `npm ci --omit=dev` from the npm cache: 1 to 2 min on a loaded
 * 2-core machine.
 */

const ARCHIVE_MS = 180_000;
const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string };
/** npm marks what only development needs `dev: true` in the lockfile. */
const lockfile = JSON.parse(readFileSync(join(packageRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
const GOARCH: Partial<Record<string, string>> = { x64: "amd64", arm64: "arm64" };

const pluginEnv = { CINDERBLOCK_CONFIG: "/nonexistent/backends.json", NODE_PATH: "" };

let scratch: string;
let unpacked: string;
let archive: string;
let plugin: ProviderProcess;

beforeAll(() => {
  requireFreshBuild();
  scratch = mkdtempSync(join(tmpdir(), "cinderblock-archive-"));
  archive = execFileSync(process.execPath, [join(packageRoot, "scripts", "plugin-archive.js"), "--out", scratch], { encoding: "utf8" }).trim();
  unpacked = join(scratch, "plugin");
  mkdirSync(unpacked);
  execFileSync("tar", ["-xzf", archive, "-C", unpacked]);
}, ARCHIVE_MS);

afterAll(async () => {
  await plugin?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the plugin archive", () => {
  it("is named as `pulumi plugin install` expects: pulumi-resource-<name>-v<version>-<os>-<arch>.tar.gz", () => {
    expect(basename(archive)).toBe(`pulumi-resource-cinderblock-v${manifest.version}-${process.platform}-${GOARCH[process.arch]}.tar.gz`);
  });

  it("holds the entry, PulumiPlugin.yaml, the schema and the production dependencies, and no development tool", () => {
    for (const path of [
      "pulumi-resource-cinderblock",
      "PulumiPlugin.yaml",
      "schema.json",
      "LICENSE",
      "dist/provider/native/main.js",
      "node_modules/@pulumi/pulumi",
      "node_modules/ssh2",
      "node_modules/zod",
    ]) {
      expect(existsSync(join(unpacked, path))).toBe(true);
    }
    const devOnly = Object.entries(lockfile.packages)
      .filter(([path, entry]) => path !== "" && entry.dev === true)
      .map(([path]) => path);
    expect(devOnly).toContain("node_modules/jest");
    expect(devOnly.filter((path) => existsSync(join(unpacked, path)))).toEqual([]);
    expect(readFileSync(join(unpacked, "PulumiPlugin.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    // What the Node.js language host runs when it starts the plugin through PulumiPlugin.yaml.
    expect((JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8")) as { main: string }).main).toBe("dist/provider/native/main.js");
  });

  describe("unpacked away from the package and started as the engine starts it", () => {
    beforeAll(async () => {
      const program = join(scratch, "program");
      mkdirSync(program);
      plugin = await spawnNativePlugin({ command: [join(unpacked, "pulumi-resource-cinderblock")], cwd: program, env: pluginEnv });
    }, 30_000);

    it("reports the package's version and serves its schema", async () => {
      expect(await plugin.client.getPluginInfo()).toEqual({ version: manifest.version });
      expect(await plugin.client.getSchema()).toBe(readFileSync(join(packageRoot, "schema.json"), "utf8"));
    });

    it("leaves CheckConfig to the engine (UNIMPLEMENTED: pulumi/pulumi provider_plugin.go then keeps the config as given)", async () => {
      const failure = await plugin.client.checkConfig("urn:pulumi:dev::shop::pulumi:providers:cinderblock::default", {}, {}).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ProviderCallError);
      expect((failure as ProviderCallError).code).toBe(12);
    });

    it("is configured with backends and checks a Volume with its own copy of the handlers", async () => {
      expect(await plugin.client.configure({ args: { backends: JSON.stringify(testBackends) } })).toEqual({ acceptSecrets: true });
      const checked = await plugin.client.check("urn:pulumi:dev::shop::cinderblock:index:Volume::data", {}, { backend: "lab", sizeGb: 1 });
      expect(checked.failures).toEqual([]);
      expect(checked.inputs).toMatchObject({ backend: "lab", sizeGb: 1, name: expect.stringMatching(/^data-[0-9a-f]{8}$/) });
      expect((await plugin.client.check("urn:pulumi:dev::shop::cinderblock:index:Volume::data", {}, { backend: "nowhere", sizeGb: 1 })).failures).toEqual([
        { property: "backend", reason: "must be a configured backend: lab, other" },
      ]);
    });
  });

  it("also runs through PulumiPlugin.yaml, as the Node.js language host starts it where the entry cannot run", async () => {
    // pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go RunPlugin: node, the plugin
    // directory's @pulumi/pulumi/cmd/run-plugin, the plugin directory, then the engine's arguments.
    const runPlugin = join(unpacked, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin");
    const shimless = await spawnNativePlugin({ command: [process.execPath, runPlugin, unpacked], cwd: scratch, env: pluginEnv });
    try {
      expect(await shimless.client.getSchema()).toBe(readFileSync(join(packageRoot, "schema.json"), "utf8"));
    } finally {
      await shimless.close();
    }
  }, 30_000);
});
