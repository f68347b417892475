import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { runDemo } from "../../demo/run";
import { lvOnHost, requireFreshBuild } from "../fixtures/provider/lab";
import { labConfigPath } from "./support";

const savedPath = process.env.PATH;

/** PATH without any directory that holds a `pulumi`, so the demo takes the protocol path even where the CLI is installed. */
function pathWithoutPulumi(): string {
  return (savedPath ?? "")
    .split(delimiter)
    .filter((dir) => !existsSync(join(dir, "pulumi")))
    .join(delimiter);
}

/** The volume and snapshot ids the demo printed as it created them. */
function createdIds(lines: string[]): string[] {
  return lines.flatMap((line) => /Create (?:Volume|Snapshot) '[^']+': (\S+)$/.exec(line)?.slice(1) ?? []);
}

beforeAll(() => {
  requireFreshBuild();
  expect(process.env.CINDERBLOCK_CONFIG).toBe(labConfigPath());
});

afterEach(() => {
  process.env.PATH = savedPath;
});

describe("runDemo without the Pulumi CLI", () => {
  it("says so, drives the quickstart through the dynamic-provider host step by step, and leaves no LV behind", async () => {
    process.env.PATH = pathWithoutPulumi();
    const lines: string[] = [];
    await runDemo({ log: (line) => lines.push(line) });
    const text = lines.join("\n");
    expect(text).toContain("The Pulumi CLI is not installed");
    for (const step of [
      "[1/7] Configure",
      "[2/7] Create Volume 'data'",
      "[3/7] Create Snapshot 'data-snapshot'",
      "[4/7] Create Volume 'restored'",
      "[5/7] Extend 'data' to 2 GiB: Diff says update in place",
      "[6/7] Read 'data' (refresh): live sizeGb 2",
    ]) {
      expect(text).toContain(step);
    }
    expect(text).toMatch(/outputs \{.*"sourceSnapshotId":"lab\/lab-1\/cinder-volumes\/data-snapshot-/);
    expect(lines.filter((line) => line.startsWith("[7/7] Delete"))).toHaveLength(3);
    expect(text).not.toMatch(/PRIVATE KEY/);
    const ids = createdIds(lines);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(await lvOnHost(id.split("/")[3]!)).toBeUndefined();
  });

  it("cleans up what it created when a step fails", async () => {
    process.env.PATH = pathWithoutPulumi();
    const lines: string[] = [];
    const failure = new Error("interrupted after the volume from the snapshot");
    const error = await runDemo({
      log: (line) => {
        lines.push(line);
        if (line.startsWith("[4/7]")) throw failure;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(lines.filter((line) => line.startsWith("[7/7] Delete"))).toHaveLength(3);
    const ids = createdIds(lines);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(await lvOnHost(id.split("/")[3]!)).toBeUndefined();
  });
});

describe("runDemo with the Pulumi CLI (a recording stand-in for `pulumi`)", () => {
  /** A fake `pulumi` that records each call and fails `up` when asked to. */
  function fakePulumi(options: { failSecondUp?: boolean } = {}): { dir: string; calls: () => string[] } {
    const dir = mkdtempSync(join(tmpdir(), "cb-fake-pulumi-"));
    const record = join(dir, "calls");
    writeFileSync(
      join(dir, "pulumi"),
      `#!/bin/sh
echo "$* | home=$PULUMI_HOME | config=$CINDERBLOCK_CONFIG | passphrase=$(test -s "$PULUMI_CONFIG_PASSPHRASE_FILE" && echo set) | program=$(test -f index.ts && test -e node_modules/pulumi-cinderblock/dist/sdk/index.js && echo ready)" >> "${record}"
if [ "$1" = up ] && [ "${options.failSecondUp ? "fail" : ""}" = fail ] && [ "$(grep -c '^up ' "${record}")" = 2 ]; then echo "error: boom" >&2; exit 1; fi
if [ "$1 $2" = "stack output" ]; then echo '{"dataVolume": {"sizeGb": 1}}'; fi
exit 0
`,
      { mode: 0o755 },
    );
    return { dir, calls: () => readFileSync(record, "utf8").trim().split("\n") };
  }

  it("runs up, an extend, and destroy on a throw-away local backend, in a prepared copy of the quickstart", async () => {
    const fake = fakePulumi();
    process.env.PATH = `${fake.dir}${delimiter}${savedPath}`;
    const lines: string[] = [];
    await runDemo({ log: (line) => lines.push(line) });
    const calls = fake.calls();
    expect(calls.map((call) => call.split(" | ")[0])).toEqual([
      expect.stringMatching(/^login file:\/\/.*\/state$/),
      "stack init demo --non-interactive",
      "config set backend lab",
      "up --yes --non-interactive",
      "stack output --json",
      "config set sizeGb 2",
      "up --yes --non-interactive",
      "stack output --json",
      "destroy --yes --non-interactive",
    ]);
    for (const call of calls) expect(call).toMatch(new RegExp(`home=/.*pulumi-home \\| config=${labConfigPath()} \\| passphrase=set \\| program=ready$`));
    const work = /local state in (\S+?)\)/.exec(lines.join("\n"))?.[1];
    expect(work && existsSync(work)).toBe(false);
    expect(lines.join("\n")).toContain('{"dataVolume": {"sizeGb": 1}}');
  });

  it("still destroys when an up fails, and reports the failure", async () => {
    const fake = fakePulumi({ failSecondUp: true });
    process.env.PATH = `${fake.dir}${delimiter}${savedPath}`;
    const lines: string[] = [];
    await expect(runDemo({ log: (line) => lines.push(line) })).rejects.toThrow(/pulumi up --yes --non-interactive/);
    expect(fake.calls().at(-1)).toMatch(/^destroy --yes --non-interactive/);
    expect(lines.join("\n")).toContain("error: boom");
  });
});
