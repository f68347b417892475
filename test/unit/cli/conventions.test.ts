import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../cli/main";
import { downHosts } from "../../../cli/commands/stats";
import type { BackendStats } from "../../../drivers";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process and captures what it writes. */
async function cli(...argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "cinderblock-cli-")), "backends.json");
  writeFileSync(path, text);
  return path;
}

describe("help", () => {
  it.each([["--help"], ["-h"], ["help"]])("`cinderblock %s` prints every command to stdout and exits 0", async (flag) => {
    const run = await cli(flag);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    for (const command of ["volume", "snapshot", "group", "attach", "image", "stats", "lab", "completion"])
      expect(run.stdout).toContain(`cinderblock ${command} `);
  });

  it.each([
    [
      ["volume", "--help"],
      ["cinderblock volume create", "cinderblock volume delete"],
    ],
    [
      ["volume", "create", "--help"],
      ["cinderblock volume create", "--from-snapshot"],
    ],
    [["snapshot", "list", "-h"], ["cinderblock snapshot list"]],
    [["stats", "--help"], ["--fail-on-down"]],
    [["help", "group", "snapshot"], ["cinderblock group snapshot ID"]],
  ])("`%j` prints that command's usage to stdout and exits 0", async (argv, expected) => {
    const run = await cli(...argv);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    for (const text of expected) expect(run.stdout).toContain(text);
  });

  it("for one action, prints that action only", async () => {
    const run = await cli("volume", "show", "--help");
    expect(run.stdout).toContain("cinderblock volume show ID");
    expect(run.stdout).not.toContain("volume create");
  });

  it("prints the package version for --version and -V", async () => {
    const { version } = jest.requireActual<{ version: string }>("../../../package.json");
    expect(await cli("--version")).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect((await cli("-V")).stdout).toBe(`${version}\n`);
  });
});

describe("usage errors: usage on stderr, exit 2", () => {
  it.each([
    [["volum"], "unknown command 'volum' (did you mean 'volume'?)"],
    [["volume", "cr"], "unknown volume action 'cr' (did you mean 'create'?)"],
    [["volume"], "volume needs an action: create, list, show, extend, delete"],
    [["volume", "create", "--sze-gb", "1"], "unknown flag '--sze-gb' (did you mean '--size-gb'?)"],
    [["volume", "create", "--backend", "lab"], "--size-gb is required"],
    [["volume", "show"], "a volume id is required"],
    [["volume", "show", "lab/lab-1/vg/a", "extra"], "unexpected argument 'extra'"],
    [["volume", "create", "--size-gb", "1", "--label", "a"], "--label takes key=value, not 'a'"],
    [["image", "export", "lab/lab-1/vg/a", "--file", "x", "--format", "vmdk"], "--format must be one of raw, qcow2, not 'vmdk'"],
    [
      ["attach", "create", "lab/lab-1/vg/a", "--protocol", "isci", "--host", "h", "--nqn", "n"],
      "--protocol must be one of iscsi, nvme-tcp, not 'isci' (did you mean 'iscsi'?)",
    ],
    [["volume", "show", "garbage"], "a volume id: 'garbage' is not an id cinderblock gave"],
    [["lab", "up", "--host", "2"], "unknown flag '--host' (did you mean '--hosts'?)"],
    [["lab", "down", "now"], "unexpected argument 'now'"],
    [["volume", "create", "--size-gb"], "Option '--size-gb <value>' argument missing"],
    [["completion", "fish"], "unknown completion action 'fish'"],
    [[], "a command is required"],
  ])("%j", async (argv, message) => {
    const run = await cli(...argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`cinderblock: ${message}`);
    expect(run.stderr).toContain("usage:\ncinderblock ");
  });

  it("shows the usage of the action that was mistyped, not of every command", async () => {
    const run = await cli("volume", "extend", "lab/lab-1/vg/a");
    expect(run.stderr).toContain("cinderblock volume extend ID --size-gb N");
    expect(run.stderr).not.toContain("cinderblock snapshot");
  });
});

describe("runtime failures: one line on stderr, exit 1", () => {
  it("names an empty backends file", async () => {
    const path = configFile("  \n");
    expect(await cli("stats", "--config", path)).toEqual({
      code: 1,
      stdout: "",
      stderr: expect.stringMatching(new RegExp(`^cinderblock: ${path} is empty: [^\\n]*\\n$`)),
    });
  });

  it("says that no backend is configured, not that several are", async () => {
    const run = await cli("volume", "create", "--size-gb", "1", "--config", configFile('{"backends": {}}'));
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: 'cinderblock: the backends file lists no backends: add one under "backends" (see README, "Configuration")\n',
    });
  });

  it("gives the line and column of a JSON syntax error", async () => {
    const run = await cli("stats", "--config", configFile('{"backends": {\n  "a": {,}}}'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not valid JSON: the first error is at line 2, column 9/);
  });

  it("names an id whose backend is not configured", async () => {
    const run = await cli("volume", "show", "prod/store-1/vg/a", "--config", configFile('{"backends": {}}'));
    expect(run).toEqual({ code: 1, stdout: "", stderr: expect.stringContaining("id 'prod/store-1/vg/a' names backend 'prod', which is not configured here") });
  });

  it("accepts a $schema key in the backends file", async () => {
    const run = await cli("volume", "list", "--config", configFile('{"$schema": "./backends.schema.json", "backends": {}}'));
    expect(run).toEqual({ code: 0, stdout: "(none)\n", stderr: "" });
  });
});

describe("stats --fail-on-down", () => {
  const pool = (name: string, state: "up" | "down") => ({ pool_name: name, backend_state: state });
  const stats = (pools: ReturnType<typeof pool>[]) => [{ volume_backend_name: "lab", pools }] as unknown as BackendStats[];

  it("names every host reported down, as backend/host", () => {
    expect(downHosts(stats([pool("lab-1", "up"), pool("lab-2", "down"), pool("lab-3", "down")]))).toEqual(["lab/lab-2", "lab/lab-3"]);
    expect(downHosts(stats([pool("lab-1", "up")]))).toEqual([]);
  });

  // A host whose SSH port refuses at once: the driver reports it down, as it would a powered-off one.
  const unreachable = JSON.stringify({
    backends: {
      lab: { driver: "lvm", hosts: [{ name: "h1", address: "127.0.0.1", port: 1, privateKey: "unused", hostKey: "ssh-ed25519 AAAA", connectTimeoutMs: 500 }] },
    },
  });

  it("exits 1 after the full report when a host is down, naming it", async () => {
    const run = await cli("stats", "--fail-on-down", "--config", configFile(unreachable));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^lab +h1 +down /m);
    expect(run.stderr).toBe("cinderblock: 1 host(s) down: lab/h1\n");
  });

  it("without the flag, reports the host down and exits 0", async () => {
    const run = await cli("stats", "--config", configFile(unreachable));
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^lab +h1 +down /m);
  });

  it("exits 0 with no host down", async () => {
    expect(await cli("stats", "--fail-on-down", "--config", configFile('{"backends": {}}'))).toEqual({ code: 0, stdout: "(none)\n", stderr: "" });
  });
});
