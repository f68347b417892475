import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { requireFreshBuild } from "../../fixtures/provider/lab";

/**
 * The programs `pulumi import` generates for cinderblock (test/fixtures/import, written as
 * Pulumi's code generation writes them) compile against the package as it ships, and declare
 * what was imported: the package token, the imported inputs without `uuid`, protected and
 * retained on delete.
 */
const root = join(__dirname, "..", "..", "..");
const fixture = (name: string): string => readFileSync(join(root, "test", "fixtures", "import", name), "utf8");
const schema = JSON.parse(readFileSync(join(root, "schema.json"), "utf8")) as { language: { nodejs: { packageName: string } } };

let project: string;

beforeAll(() => {
  requireFreshBuild();
  // A program directory as `npm install pulumi-cinderblock` leaves it: the package (with dist/) and @pulumi/pulumi beside it.
  project = mkdtempSync(join(tmpdir(), "cinderblock-imported-"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(root, join(project, "node_modules", "pulumi-cinderblock"), "dir");
  symlinkSync(join(root, "node_modules", "@pulumi"), join(project, "node_modules", "@pulumi"), "dir");
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

/** tsc's diagnostics for `source` as a program's index.ts, strict, resolving packages as Node 16 does. */
function typeCheck(source: string): string[] {
  const file = join(project, "index.ts");
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    skipLibCheck: true,
    types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")],
  });
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}

describe("the code `pulumi import` generates", () => {
  it("imports the package named by schema.json's language.nodejs.packageName", () => {
    for (const name of ["volume.ts.txt", "bulk.ts.txt", "kinds.ts.txt"]) {
      expect(fixture(name)).toContain(`import * as cinderblock from "${schema.language.nodejs.packageName}";`);
    }
  });

  it.each(["volume.ts.txt", "bulk.ts.txt", "kinds.ts.txt"])("%s compiles against the built package", (name) => {
    expect(typeCheck(fixture(name))).toEqual([]);
  });

  it("would not compile against a package that does not export the import line's path, nor with a wrong argument (the check can fail)", () => {
    expect(typeCheck(fixture("volume.ts.txt").replace('"pulumi-cinderblock/native"', '"pulumi-cinderblock/missing"')).join("\n")).toMatch(
      /Cannot find module 'pulumi-cinderblock\/missing'/,
    );
    expect(typeCheck(fixture("volume.ts.txt").replace("sizeGb: 1", 'sizeGb: "1"')).join("\n")).toMatch(/not assignable to type/);
    expect(typeCheck(fixture("kinds.ts.txt").replace('protocol: "iscsi"', 'protocol: "fc"')).join("\n")).toMatch(/not assignable to type/);
  });
});

interface Registration {
  type: string;
  inputs: Record<string, unknown>;
  protect: boolean;
  retainOnDelete: boolean;
  secretOutputs: string[];
}

describe("the generated program, run", () => {
  const registered = new Map<string, Registration>();

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
      registered.set(request.getName(), {
        type: request.getType(),
        inputs: (request.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
        protect: request.getProtect(),
        retainOnDelete: request.getRetainondelete(),
        secretOutputs: request.getAdditionalsecretoutputsList(),
      });
      register(request, callback);
    };
    for (const name of ["bulk", "kinds"]) {
      const compiled = join(project, `${name}.js`);
      writeFileSync(compiled, ts.transpileModule(fixture(`${name}.ts.txt`), { compilerOptions: { module: ts.ModuleKind.CommonJS } }).outputText);
      require(compiled);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it("registers the imported volume under the package token with its imported inputs (no uuid), protected and retained on delete", () => {
    expect(registered.get("data")).toEqual({
      type: "cinderblock:index:Volume",
      inputs: { backend: "lab", name: "data", sizeGb: 1, thin: false, host: "lab-1", labels: {}, adopt: true },
      protect: true,
      retainOnDelete: true,
      secretOutputs: [],
    });
  });

  it("registers the snapshot with the volume's id", () => {
    expect(registered.get("nightly")).toEqual({
      type: "cinderblock:index:Snapshot",
      inputs: { volumeId: "lab/lab-1/cinder-volumes/data", name: "nightly", adopt: true },
      protect: true,
      retainOnDelete: true,
      secretOutputs: [],
    });
  });

  it.each([
    [
      "db-web",
      "VolumeAttachment",
      { volumeId: "lab/lab-1/cinder-volumes/db", protocol: "iscsi", connector: { host: "imported", initiator: "iqn.2004-10.org.example:web" } },
    ],
    ["db-image", "VolumeImage", { volumeId: "lab/lab-1/cinder-volumes/db", target: { hostPath: "/var/lib/cinderblock-images/db.qcow2" }, format: "qcow2" }],
    ["app", "ConsistencyGroup", { backend: "lab", name: "app", volumeIds: ["lab/lab-1/cinder-volumes/db"] }],
    ["app-nightly", "GroupSnapshot", { groupId: "lab/lab-1/cinder-volumes/app", name: "app-nightly" }],
  ])("registers %s under cinderblock:index:%s with its imported inputs, protected", (name, kind, inputs) => {
    expect(registered.get(name)).toMatchObject({ type: `cinderblock:index:${kind}`, inputs, protect: true });
  });

  it("marks an attachment's secrets secret, as the dynamic SDK does", () => {
    expect(registered.get("db-web")?.secretOutputs).toEqual(["authSecret", "targetAuthSecret"]);
  });
});

interface RegisterRequest {
  getName(): string;
  getType(): string;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getAdditionalsecretoutputsList(): string[];
  getObject(): { toJavaScript(): unknown } | undefined;
}
