import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { RawProperties } from "./validation";

/**
 * Pulumi marks secret values as `{[specialSigKey]: specialSecretSig, value}`. The native plugin
 * accepts secrets, so the engine sends them wrapped and expects the same back for values that
 * must stay secret in state; provider configuration may hold them too, nested. Handlers work on
 * plain values: `reveal` strips the wrappers on the way in, `conceal` puts them back, per
 * top-level property, on the way out.
 */

function isSecret(value: unknown): value is { value: unknown } {
  return value !== null && typeof value === "object" && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** A deep copy without secret wrappers. */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, reveal(child)]));
}

function containsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (value === null || typeof value !== "object") return false;
  return Object.values(value).some(containsSecret);
}

/** The top-level properties that hold a secret anywhere inside. */
export function secretKeys(properties: RawProperties | undefined): Set<string> {
  return new Set(Object.entries(properties ?? {}).flatMap(([key, value]) => (containsSecret(value) ? [key] : [])));
}

/** `properties` with each of `keys` wrapped as a secret. */
export function conceal<T extends object | undefined>(properties: T, keys: ReadonlySet<string>): T {
  if (!properties || keys.size === 0) return properties;
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, keys.has(key) ? { [specialSigKey]: specialSecretSig, value } : value])) as T;
}
