import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ProviderClient } from "./client";

/** The root of the pulumi-cinderblock package (found by its own name, so it works from sources and from dist). */
export const packageRoot = dirname(require.resolve("pulumi-cinderblock/package.json"));

/** The engine's address argument: the providers need one but never call it. */
const NO_ENGINE = "127.0.0.1:1";
const START_TIMEOUT_MS = 30_000;

/** A provider process serving gRPC on a loopback port, and a client connected to it. */
export interface ProviderProcess {
  readonly client: ProviderClient;
  readonly pid: number;
  /** What the process wrote besides its port line (logs, errors). */
  output(): string;
  /** Closes the client and stops the process. */
  close(): Promise<void>;
}

/**
 * Starts `@pulumi/pulumi`'s dynamic-provider host, as the engine does for
 * `pulumi-nodejs:dynamic/...` resources. Its working directory must resolve the shim's
 * `require("pulumi-cinderblock/provider")`, like a program directory (see `createProgramDir`).
 * `project` is what the host's config uses for keys without a namespace.
 */
export function spawnDynamicHost(options: { cwd: string; project: string; env?: NodeJS.ProcessEnv }): Promise<ProviderProcess> {
  // The engine runs the host of the program's own @pulumi/pulumi; a scratch program directory
  // without one gets this package's.
  const host = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [options.cwd, __dirname] });
  return start(process.execPath, [host, NO_ENGINE], options.cwd, { ...process.env, ...options.env, PULUMI_NODEJS_PROJECT: options.project });
}

/**
 * Starts the native plugin as the engine would, with the engine's address as the last argument:
 * this package's `bin/pulumi-resource-cinderblock` (needs `npm run build`), or `command` (an
 * unpacked plugin archive's entry, say) run from `cwd`.
 */
export function spawnNativePlugin(options: { env?: NodeJS.ProcessEnv; command?: readonly [string, ...string[]]; cwd?: string } = {}): Promise<ProviderProcess> {
  const main = join(packageRoot, "dist", "provider", "native", "main.js");
  if (!options.command && !existsSync(main)) return Promise.reject(new Error(`${main} is missing: run \`npm run build\` before starting the native plugin`));
  const [executable, ...args] = options.command ?? [join(packageRoot, "bin", "pulumi-resource-cinderblock")];
  return start(executable, [...args, NO_ENGINE], options.cwd ?? packageRoot, { ...process.env, ...options.env });
}

/** The package's name before 0.2: what the `__provider` of resources created then requires. */
export const LEGACY_PACKAGE_NAME = "cinderblock";

/**
 * A scratch directory laid out like a program that installed this package:
 * `node_modules/pulumi-cinderblock` links to it. With `legacyAlias`, `node_modules/cinderblock`
 * links to it too, as the npm alias the README asks of programs whose stacks predate the rename
 * leaves it. `remove` deletes the directory.
 */
export async function createProgramDir(options: { legacyAlias?: boolean } = {}): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "cinderblock-program-"));
  await mkdir(join(dir, "node_modules"));
  await symlink(packageRoot, join(dir, "node_modules", "pulumi-cinderblock"), "dir");
  if (options.legacyAlias) await symlink(packageRoot, join(dir, "node_modules", LEGACY_PACKAGE_NAME), "dir");
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

async function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<ProviderProcess> {
  const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const port = await firstLine(child, () => output).catch((error: unknown) => {
    child.kill();
    throw error;
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const client = new ProviderClient(`127.0.0.1:${port}`);
  return {
    client,
    pid: child.pid ?? -1,
    output: () => output,
    close: async () => {
      client.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill();
      await exited;
    },
  };
}

/** The port a provider prints as its first stdout line; the rest of that stream is output. */
function firstLine(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => fail(`printed no port within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      reject(new Error(`the provider ${why}: ${(output() + buffered).trim().slice(-2000) || "(no output)"}`));
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      const line = buffered.slice(0, newline).trim();
      if (!/^\d+$/.test(line)) return fail(`printed '${line.slice(0, 200)}' instead of its port`);
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      resolve(Number(line));
    };
    const onExit = (code: number | null) => fail(`exited (code ${code}) before printing its port`);
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}
