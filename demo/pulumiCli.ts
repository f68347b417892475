import { randomBytes } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import execa from "execa";
import { packageRoot } from "../engine";
import type { DemoTarget } from "./target";

const EXAMPLE = join(packageRoot, "examples", "quickstart");
const EXAMPLE_FILES = ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts"];
const EXTENDED_GB = "2";

/**
 * Runs examples/quickstart with the Pulumi CLI on a throw-away local state backend: `pulumi up`,
 * an extend (a larger `sizeGb`, `pulumi up` again), then `pulumi destroy`, also when a step
 * fails. Nothing touches the user's Pulumi login or state: PULUMI_HOME and the file backend live
 * in a temporary directory.
 */
export async function runWithPulumiCli({ backend, configPath, log }: DemoTarget): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "cinderblock-demo-"));
  const program = join(work, "quickstart");
  const passphraseFile = join(work, "passphrase");
  await writeFile(passphraseFile, randomBytes(16).toString("hex"), { mode: 0o600 });
  const env = {
    PULUMI_HOME: join(work, "pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // The demo shows the provider, not the type checker (which would also use Pulumi's vendored TypeScript).
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    CINDERBLOCK_CONFIG: configPath,
  };
  const pulumi = (args: string[]) => run("pulumi", args, { cwd: program, env }, log);
  let deployed = false;
  let keepWork = false;
  try {
    await prepareProgram(program);
    log(`The Pulumi CLI is installed: running examples/quickstart with \`pulumi up\` in ${program} (local state in ${work}).`);
    await pulumi(["login", `file://${join(work, "state")}`]);
    await pulumi(["stack", "init", "demo", "--non-interactive"]);
    await pulumi(["config", "set", "backend", backend]);
    log("[1/4] pulumi up: a volume, a snapshot of it, a volume from the snapshot");
    deployed = true;
    await pulumi(["up", "--yes", "--non-interactive"]);
    log("      outputs:");
    await pulumi(["stack", "output", "--json"]);
    log(`[2/4] pulumi config set sizeGb ${EXTENDED_GB}; pulumi up: extends the data volume in place`);
    await pulumi(["config", "set", "sizeGb", EXTENDED_GB]);
    await pulumi(["up", "--yes", "--non-interactive"]);
    log("      outputs:");
    await pulumi(["stack", "output", "--json"]);
  } finally {
    if (deployed) {
      log("[3/4] pulumi destroy: removes the volumes and the snapshot");
      await pulumi(["destroy", "--yes", "--non-interactive"]).catch((error: unknown) => {
        keepWork = true;
        log(`      pulumi destroy failed (${(error as Error).message}); the stack's state is kept in ${work}: destroy it with`);
        log(
          `      cd ${program} && PULUMI_HOME=${env.PULUMI_HOME} PULUMI_CONFIG_PASSPHRASE_FILE=${passphraseFile} CINDERBLOCK_CONFIG=${configPath} pulumi destroy`,
        );
      });
    }
    if (!keepWork) await rm(work, { recursive: true, force: true });
    log(`[4/4] ${keepWork ? "Left" : "Removed"} ${work}`);
  }
}

/**
 * The example's files, with a node_modules where `pulumi-cinderblock` is this package and everything
 * else is what this package has installed (so no network is needed).
 */
async function prepareProgram(program: string): Promise<void> {
  await mkdir(join(program, "node_modules"), { recursive: true });
  for (const file of EXAMPLE_FILES) await copyFile(join(EXAMPLE, file), join(program, file));
  for (const entry of await readdir(join(packageRoot, "node_modules"))) {
    await symlink(join(packageRoot, "node_modules", entry), join(program, "node_modules", entry));
  }
  await symlink(packageRoot, join(program, "node_modules", "pulumi-cinderblock"), "dir");
}

/** Runs a command, logging its output line by line (indented). */
async function run(command: string, args: string[], options: { cwd: string; env: Record<string, string> }, log: DemoTarget["log"]): Promise<void> {
  const child = execa(command, args, { ...options, all: true });
  if (child.all) createInterface({ input: child.all }).on("line", (line) => log(`      ${line}`));
  await child;
}
