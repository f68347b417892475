import { z } from "zod";
import { backendsFileSchema, registeredDrivers } from "../drivers";

/** Where the build writes the schema inside the package (scripts/backends-schema.js). */
export const BACKENDS_SCHEMA_FILE = "dist/schema/backends.schema.json";

/**
 * The backends file as a JSON Schema, for editors: the file's own schema with each backend
 * checked against the configuration schema of the registered drivers, all taken from the zod
 * schemas cinderblock itself validates with, so the two cannot disagree. Refinements zod cannot
 * express in JSON Schema (e.g. a portal's address:port shape) are left to cinderblock's own check.
 */
export function backendsJsonSchema(): Record<string, unknown> {
  const drivers = registeredDrivers().map((driver) => driver.configSchema);
  const file = backendsFileSchema.extend({ backends: z.record(backendsFileSchema.shape.backends.keyType, z.union(drivers)) }).meta({
    title: "cinderblock backends",
    description: 'The backends cinderblock\'s CLI and Pulumi provider manage (see the README, "Configuration").',
  });
  return z.toJSONSchema(file, { io: "input", unrepresentable: "any" });
}
