import type { z } from "zod";
import { CAPABILITY_METHODS, DRIVER_ATTRIBUTES, REQUIRED_CAPABILITIES, type Capability, type DriverWith } from "./interface/capabilities";
import type { Logger } from "./log";
import type { HostRunners } from "./ssh/exec";

/** What a driver gets from its host process: where to log, and how to run commands on its hosts (the shared SSH pool). */
export interface DriverContext {
  logger: Logger;
  ssh: HostRunners;
}

/** A driver class: one instance serves one backend. Constructors must not do I/O. */
export type DriverClass<C extends Capability, S extends z.ZodType> = new (backend: string, config: z.output<S>, context: DriverContext) => DriverWith<C>;

export interface DriverRegistration<C extends Capability = Capability, S extends z.ZodType = z.ZodType> {
  /** The value of `driver` in a backend's configuration. */
  name: string;
  capabilities: readonly C[];
  /** Validates a backend's configuration for this driver. */
  configSchema: S;
  driverClass: DriverClass<C, S>;
}

/** One shape problem: a missing or malformed method or attribute. */
export interface ShapeProblem {
  capability: Capability | "attributes";
  member: string;
  problem: string;
}

const registry = new Map<string, DriverRegistration>();

/**
 * Checks an object (a driver instance, or a class prototype for methods) against every
 * interface it declares: each method exists and takes no more parameters than the contract
 * passes. This is the check Cinder's compliance job meant to do (its version checks nothing
 * under Python 3).
 */
export function checkDriverShape(target: object, capabilities: readonly Capability[], options: { attributes: boolean }): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  for (const capability of new Set<Capability>([...REQUIRED_CAPABILITIES, ...capabilities])) {
    if (!capabilities.includes(capability)) {
      problems.push({ capability, member: "*", problem: "required capability is not declared" });
      continue;
    }
    for (const [method, arity] of Object.entries(CAPABILITY_METHODS[capability] as Record<string, number>)) {
      const value: unknown = (target as Record<string, unknown>)[method];
      if (typeof value !== "function") problems.push({ capability, member: method, problem: "is missing" });
      else if (value.length > arity) {
        problems.push({ capability, member: method, problem: `takes ${value.length} required parameters, the contract passes ${arity}` });
      }
    }
  }
  if (options.attributes) {
    for (const attribute of Object.keys(DRIVER_ATTRIBUTES)) {
      const value: unknown = (target as Record<string, unknown>)[attribute];
      if (typeof value !== "string" || value.trim() === "") {
        problems.push({ capability: "attributes", member: attribute, problem: "must be a non-empty string" });
      }
    }
  }
  return problems;
}

export class DriverRegistrationError extends Error {
  constructor(
    readonly driverName: string,
    readonly problems: readonly ShapeProblem[],
  ) {
    super(`driver '${driverName}' does not implement what it declares: ${problems.map((p) => `${p.capability}.${p.member} ${p.problem}`).join("; ")}`);
    Object.defineProperty(this, "name", { value: "DriverRegistrationError", enumerable: false });
  }
}

/**
 * Registers a driver (Cinder's `@interface.volumedriver`). The class's prototype is checked at
 * once, so a driver missing a declared method cannot even register; `npm run compliance`
 * then checks live instances and their behaviour.
 */
export function registerDriver<C extends Capability, S extends z.ZodType>(registration: DriverRegistration<C, S>): void {
  const problems = checkDriverShape(registration.driverClass.prototype as object, registration.capabilities, { attributes: false });
  if (problems.length > 0) throw new DriverRegistrationError(registration.name, problems);
  if (registry.has(registration.name) && registry.get(registration.name)?.driverClass !== registration.driverClass) {
    throw new DriverRegistrationError(registration.name, [
      { capability: "core", member: "*", problem: "a different driver is already registered under this name" },
    ]);
  }
  registry.set(registration.name, registration as unknown as DriverRegistration);
}

/** Class decorator form of `registerDriver`. */
export function volumeDriver<C extends Capability, S extends z.ZodType>(options: Omit<DriverRegistration<C, S>, "driverClass">) {
  return (driverClass: DriverClass<C, S>, _context: ClassDecoratorContext): void => {
    registerDriver({ ...options, driverClass });
  };
}

export function registeredDrivers(): DriverRegistration[] {
  return [...registry.values()];
}

export function findDriver(name: string): DriverRegistration | undefined {
  return registry.get(name);
}

/** Test seam: forget a registration (the deliberately broken drivers in the compliance tests). */
export function unregisterDriver(name: string): void {
  registry.delete(name);
}
