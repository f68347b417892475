import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { parseConfigJson } from "./configJson";
import type { Capability, DriverWith } from "./interface/capabilities";
import { InvalidConfiguration, InvalidInput, NotSupported } from "./interface/errors";
import type { VolumeDriverCore } from "./interface/volumeDriver";
import { silentLogger, type Logger } from "./log";
import { findDriver, registeredDrivers, type DriverRegistration } from "./registry";
import { SshPool } from "./ssh/exec";
import { registerSecret } from "./ssh/redact";
import { formatProblems, printable, problemsOf } from "./validation";

const BACKEND_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;
const SECRET_KEYS = new Set(["privateKey", "passphrase", "password"]);

export const backendsFileSchema = z
  .object({
    /** Where editors find the file's JSON Schema (shipped in the package); cinderblock itself ignores it. */
    $schema: z.string().optional(),
    backends: z.record(z.string().regex(BACKEND_NAME, "backend names are 1-32 letters, digits, '_', '.', '-'"), z.looseObject({ driver: z.string() })),
  })
  .strict();

/** The part of a driver's configuration that names its hosts, where it has them. */
const configuredHosts = z.looseObject({ hosts: z.array(z.looseObject({ name: z.string() })) });

export interface BackendEntry {
  name: string;
  registration: DriverRegistration;
  config: unknown;
}

/** Where the backends file is: an explicit path, `$CINDERBLOCK_CONFIG`, or `~/.config/cinderblock/backends.json`. */
export function backendsFilePath(explicit?: string): string {
  return explicit ?? process.env.CINDERBLOCK_CONFIG ?? join(homedir(), ".config", "cinderblock", "backends.json");
}

/** Marks every credential in a config tree as secret before anything can print it. */
function registerSecrets(value: unknown): void {
  if (Array.isArray(value)) value.forEach(registerSecrets);
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) {
      if (SECRET_KEYS.has(key) && typeof child === "string") registerSecret(child);
      else registerSecrets(child);
    }
  }
}

/** Validates a whole backends document; every problem is reported with its path. */
export function parseBackends(raw: unknown): Map<string, BackendEntry> {
  registerSecrets(raw);
  const file = backendsFileSchema.safeParse(raw);
  if (!file.success) throw new InvalidConfiguration(`invalid backends configuration: ${formatProblems(problemsOf(file.error))}`);
  const entries = new Map<string, BackendEntry>();
  const problems: string[] = [];
  for (const [name, backend] of Object.entries(file.data.backends)) {
    const registration = findDriver(backend.driver);
    if (!registration) {
      const known = registeredDrivers()
        .map((driver) => driver.name)
        .join(", ");
      problems.push(`backends.${name}.driver: unknown driver '${backend.driver}' (known: ${known})`);
      continue;
    }
    const parsed = registration.configSchema.safeParse(backend);
    if (!parsed.success) problems.push(formatProblems(problemsOf(parsed.error, ["backends", name])));
    else entries.set(name, { name, registration, config: parsed.data });
  }
  if (problems.length > 0) throw new InvalidConfiguration(`invalid backends configuration: ${problems.join("; ")}`);
  return entries;
}

export async function loadBackendsFile(path = backendsFilePath()): Promise<Map<string, BackendEntry>> {
  if (!existsSync(path)) {
    throw new InvalidConfiguration(
      `no backends configuration at ${path}: create one (see README, "Configuration"), set CINDERBLOCK_CONFIG, or start the lab with \`npx cinderblock lab up\``,
    );
  }
  const text = await readFile(path, "utf8");
  if (text.trim() === "")
    throw new InvalidConfiguration(`${path} is empty: it should hold {"backends": {"<name>": {"driver": "lvm", ...}}} (see README, "Configuration")`);
  return parseBackends(parseConfigJson(text, path));
}

/**
 * The configured backends and their driver instances, created on first use and set up once.
 * All drivers share one SSH pool, so one process keeps one set of connections per host.
 */
export class Backends {
  private readonly drivers = new Map<string, Promise<VolumeDriverCore>>();
  private readonly ssh: SshPool;

  constructor(
    private readonly entries: Map<string, BackendEntry>,
    private readonly logger: Logger = silentLogger,
    /** The SSH pool the drivers share; given by benchmarks and tests that count what reaches the hosts. Closed with the backends. */
    ssh?: SshPool,
  ) {
    this.ssh = ssh ?? new SshPool({}, logger);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The host names backend `name` is configured with, when its driver's configuration lists
   * hosts (`hosts: [{ name }]`); undefined for an unknown backend or a driver without hosts.
   */
  hostNames(name: string): string[] | undefined {
    const listed = configuredHosts.safeParse(this.entries.get(name)?.config);
    return listed.success ? listed.data.hosts.map((host) => host.name) : undefined;
  }

  /** The set-up driver of backend `name`. */
  driver(name: string): Promise<VolumeDriverCore> {
    let driver = this.drivers.get(name);
    if (!driver) {
      const entry = this.entries.get(name);
      if (!entry) {
        return Promise.reject(new InvalidInput(`unknown backend '${printable(name)}' (configured: ${this.names.join(", ") || "none"})`));
      }
      const instance = new entry.registration.driverClass(name, entry.config, { logger: this.logger, ssh: this.ssh });
      driver = instance.doSetup().then(() => instance);
      driver.catch(() => this.drivers.delete(name));
      this.drivers.set(name, driver);
    }
    return driver;
  }

  /** The driver that owns an id (`backend/...`). @throws InvalidInput naming the id when it is malformed or its backend is not configured */
  async driverForId(id: string): Promise<VolumeDriverCore> {
    const backend = backendOf(id);
    if (!this.entries.has(backend)) {
      throw new InvalidInput(`id '${printable(id)}' names backend '${backend}', which is not configured here (configured: ${this.names.join(", ") || "none"})`);
    }
    return this.driver(backend);
  }

  /** The driver of backend `name` as one that has `capability`. @throws NotSupported */
  async withCapability<C extends Capability>(name: string, capability: C): Promise<DriverWith<C>> {
    const driver = await this.driver(name);
    const entry = this.entries.get(name);
    if (!entry?.registration.capabilities.includes(capability)) {
      throw new NotSupported(`backend '${name}' (driver '${entry?.registration.name}') does not support ${capability}`);
    }
    return driver as DriverWith<C>;
  }

  async close(): Promise<void> {
    const drivers = await Promise.allSettled([...this.drivers.values()]);
    for (const driver of drivers) if (driver.status === "fulfilled") await driver.value.close();
    this.ssh.close();
  }
}

/** The backend part of an id. @throws InvalidInput naming the id and the shape ids have, when it has none */
export function backendOf(id: string): string {
  const [backend = "", ...rest] = id.split("/");
  if (!BACKEND_NAME.test(backend) || rest.length === 0 || rest.includes("")) {
    throw new InvalidInput(
      `'${printable(id)}' is not an id cinderblock gave: ids are the backend's name and the object's place, as in lab/lab-1/cinder-volumes/volume-1 (\`cinderblock volume list\` prints them)`,
    );
  }
  return backend;
}
