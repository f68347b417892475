import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { backendsFilePath, loadBackendsFile } from "../drivers";
import { labDown, labUp, runningLab } from "../lab/lab";
import { runThroughProtocol } from "./protocol";
import { runWithPulumiCli } from "./pulumiCli";
import type { DemoTarget } from "./target";

export interface DemoOptions {
  /** Receives every line the demo prints: steps, outputs, and what it cleans up. Never secrets. */
  log: (line: string) => void;
  /** Leave running a lab the demo had to boot (it is stopped otherwise). The demo's volumes are always removed. */
  keep?: boolean;
}

/**
 * Runs examples/quickstart (a volume, a snapshot of it, a volume from the snapshot, an extend),
 * then removes what it made. Without configured backends it boots the lab first. With the
 * Pulumi CLI on PATH it runs `pulumi up` on a throw-away local state backend; without it, it
 * drives the same steps through the provider protocol the engine uses, and says so.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const { log } = options;
  let bootedLab = false;
  let configPath = backendsFilePath();
  if (!process.env.CINDERBLOCK_CONFIG && !existsSync(configPath)) {
    bootedLab = runningLab() === undefined;
    log(`No backends configured (${configPath} does not exist, CINDERBLOCK_CONFIG is unset): ${bootedLab ? "booting" : "using"} the lab.`);
    configPath = (await labUp({ log: (line) => log(`  [lab] ${line}`) })).config;
  }
  try {
    const names = [...(await loadBackendsFile(configPath)).keys()];
    const backend = names.includes("lab") ? "lab" : names[0];
    if (!backend) throw new Error(`${configPath} configures no backend`);
    log(`Backends from ${configPath}; the quickstart uses backend '${backend}'.`);
    const target: DemoTarget = { backend, configPath, log };
    if (onPath("pulumi")) await runWithPulumiCli(target);
    else {
      log("The Pulumi CLI is not installed (no `pulumi` on PATH), so the demo drives the same steps through the provider protocol");
      log("the Pulumi engine uses: it starts @pulumi/pulumi's dynamic-provider host and sends it Configure, Check, Create, Diff, Update, Read and Delete.");
      await runThroughProtocol(target);
    }
  } finally {
    if (bootedLab && !options.keep) {
      log("Stopping the lab the demo booted (keep it running with the keep option).");
      await labDown((line) => log(`  [lab] ${line}`));
    }
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir !== "" && existsSync(join(dir, command)));
}
