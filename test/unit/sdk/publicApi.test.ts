import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as ts from "typescript";
import { requireFreshBuild } from "../../fixtures/provider/lab";

/**
 * The package's public types as a program sees them: a small consumer of both SDKs, type-checked
 * by `tsc` against the built package (its .d.ts, library checks on) under a `nodenext` tsconfig
 * and a plain `commonjs` one without esModuleInterop. What it reaches is plain TypeScript and
 * @pulumi/pulumi: no zod, no drivers, no provider internals.
 */
const root = join(__dirname, "..", "..", "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const run = promisify(execFile);

const CLASSES = ["Volume", "Snapshot", "VolumeAttachment", "VolumeImage", "ConsistencyGroup", "GroupSnapshot"];
const every = (member: string): string => ["cinderblock", "native"].flatMap((sdk) => CLASSES.map((name) => `${sdk}.${name}.${member}`)).join(", ");

const CONSUMER = `import * as pulumi from "@pulumi/pulumi";
import * as cinderblock from "pulumi-cinderblock";
import * as native from "pulumi-cinderblock/native";

const volume = new cinderblock.Volume("data", { backend: "lab", sizeGb: 1 });
const attachment = new native.VolumeAttachment("web", { volumeId: volume.id, protocol: "iscsi", connector: { host: "web", initiator: "iqn.2004-10.org.example:web" } });
export const target = attachment.connectionInfo.apply((info: cinderblock.VolumeConnectionInfo) => (info.driver_volume_type === "iscsi" ? info.data.target_iqn : info.data.target_nqn));
const getters: Array<(name: string, id: pulumi.Input<pulumi.ID>) => pulumi.CustomResource> = [${every("get")}];
const tests: Array<(obj: unknown) => boolean> = [${every("isInstance")}];
export const counts = [getters.length, tests.length];
`;

const CONFIGS = {
  nodenext: { module: "nodenext", moduleResolution: "nodenext" },
  commonjs: { module: "commonjs" },
};

let project: string;

beforeAll(() => {
  requireFreshBuild();
  // A program directory as installing the package leaves it: the package, @pulumi/pulumi and Node's types beside it.
  project = mkdtempSync(join(tmpdir(), "cinderblock-consumer-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "pulumi-cinderblock"), "dir");
  for (const scope of ["@pulumi", "@types"]) symlinkSync(join(root, "node_modules", scope), join(project, "node_modules", scope), "dir");
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

/** tsc's output for `source` as the program's index.ts under `config` (strict, no skipLibCheck); empty when it compiles. */
async function typeCheck(config: keyof typeof CONFIGS, source: string): Promise<string> {
  writeFileSync(join(project, "index.ts"), source);
  const compilerOptions = { ...CONFIGS[config], target: "es2022", strict: true, noEmit: true, skipLibCheck: false, types: ["node"] };
  writeFileSync(join(project, `tsconfig.${config}.json`), JSON.stringify({ compilerOptions, files: ["index.ts"] }));
  const result = await run(process.execPath, [tsc, "-p", join(project, `tsconfig.${config}.json`)], { cwd: project }).catch(
    (error: { stdout: string }) => error,
  );
  return result.stdout;
}

describe("the public API", () => {
  it.each(Object.keys(CONFIGS) as Array<keyof typeof CONFIGS>)(
    "compiles for a %s program, with get and isInstance on every class of both SDKs",
    async (config) => {
      expect(await typeCheck(config, CONSUMER)).toBe("");
    },
    120_000,
  );

  it("reaches nothing of zod, the drivers or the provider from the package's entry points, and reports a wrong argument (the check can fail)", () => {
    writeFileSync(join(project, "index.ts"), CONSUMER.replace('protocol: "iscsi"', 'protocol: "fc"'));
    const program = ts.createProgram([join(project, "index.ts")], { module: ts.ModuleKind.CommonJS, strict: true, noEmit: true, types: ["node"] });
    const files = program.getSourceFiles().map((file) => file.fileName);
    expect(files.filter((file) => file.includes("/dist/sdk/")).length).toBeGreaterThan(10);
    expect(files.filter((file) => /\/node_modules\/zod\/|\/dist\/(drivers|provider)\//.test(file))).toEqual([]);
    expect(ts.getPreEmitDiagnostics(program).map((diagnostic) => diagnostic.code)).toEqual([2322]);
  });
});
