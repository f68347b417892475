import { readFile } from "node:fs/promises";
import type * as pulumi from "@pulumi/pulumi";
import { Backends, backendsFilePath, InvalidConfiguration, parseBackends, parseConfigJson, stderrLogger, type VolumeDriverCore } from "../drivers";
import { reveal } from "./secrets";

/**
 * Where the provider's backends come from, in this order:
 *
 * 1. `backends` given to the provider (stack config `cinderblock:backends`, or the native
 *    provider's `backends` argument): the backends document as an object or as JSON text,
 *    either in the backends file's shape `{"backends": {"NAME": {...}}}` or just the inner
 *    `{"NAME": {...}}` map (an object with a `backends` key is taken as the file's shape);
 * 2. `configFile` given to the provider (`cinderblock:configFile`): a backends file's path;
 * 3. `$CINDERBLOCK_CONFIG`, then `~/.config/cinderblock/backends.json` (drivers' default).
 *
 * Credentials in stack config are Pulumi secrets; they reach the provider here, at configure
 * time, and are never captured in the serialized provider nor written to outputs.
 */
export interface ProviderSettings {
  backends?: unknown;
  configFile?: string | undefined;
}

/** Stack config keys read by the dynamic provider (the native one gets them as arguments). */
export const stackConfigKeys = { backends: "cinderblock:backends", configFile: "cinderblock:configFile" } as const;

let settings: ProviderSettings = {};
let current: { text: string; backends: Backends } | undefined;

/** Replaces the explicit settings; secrets still wrapped in Pulumi's signature objects are unwrapped. */
export function configure(next: ProviderSettings): void {
  settings = reveal(next) as ProviderSettings;
}

/** The dynamic provider's configure hook: the host hands over the whole stack config. */
export async function configureFromStack(request: pulumi.dynamic.ConfigureRequest): Promise<void> {
  // Config.get is typed as string, but structured stack config arrives as an object.
  const backends: unknown = request.config.get(stackConfigKeys.backends);
  const configFile: unknown = request.config.get(stackConfigKeys.configFile);
  configure({ backends, configFile: typeof configFile === "string" ? configFile : undefined });
}

/**
 * The process-wide drivers, rebuilt when the configuration text changes (a file is re-read on
 * every call, so an edited file takes effect without restarting the plugin).
 */
export async function backends(): Promise<Backends> {
  const { text, origin } = await configurationText();
  if (current?.text !== text) {
    const document = parseConfigJson(text, origin);
    let entries: ReturnType<typeof parseBackends>;
    try {
      entries = parseBackends(document);
    } catch (error) {
      throw new InvalidConfiguration(`${origin}: ${(error as Error).message}`, { cause: error });
    }
    // The superseded instance is not closed: operations may still run on it, and its idle SSH
    // connections close themselves within a minute.
    current = { text, backends: new Backends(entries, stderrLogger()) };
  }
  return current.backends;
}

/** The driver of backend `name`. */
export async function driverOf(name: string): Promise<VolumeDriverCore> {
  return (await backends()).driver(name);
}

/** The driver that owns an id (`backend/...`). */
export async function driverForId(id: string): Promise<VolumeDriverCore> {
  return (await backends()).driverForId(id);
}

async function configurationText(): Promise<{ text: string; origin: string }> {
  const { backends: given, configFile } = settings;
  if (given !== undefined && given !== "") {
    const origin = `provider configuration '${stackConfigKeys.backends}'`;
    const document = typeof given === "string" ? parseConfigJson(given, origin) : given;
    const isFileShape = document !== null && typeof document === "object" && "backends" in document;
    return { text: JSON.stringify(isFileShape ? document : { backends: document }), origin };
  }
  const path = configFile || backendsFilePath();
  try {
    return { text: await readFile(path, "utf8"), origin: path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new InvalidConfiguration(`cannot read ${path}: ${(error as Error).message}`);
    throw new InvalidConfiguration(
      `no backends configured: ${path} does not exist. Set stack config ${stackConfigKeys.backends} (the backends document) ` +
        `or ${stackConfigKeys.configFile} (its path), set CINDERBLOCK_CONFIG, or start the lab with \`npx cinderblock lab up\``,
    );
  }
}
