import { isDeepStrictEqual } from "node:util";
import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { z } from "zod";
import { InvalidInput } from "../drivers";

/** Property bags as the engine hands them over: not yet validated, possibly holding unknowns. */
export type RawProperties = Record<string, unknown>;

/** The dynamic provider host stores the serialized provider among the inputs under this key. */
const PROVIDER_KEY = "__provider";

/**
 * During preview, a value computed by another resource (a snapshot's id, say) is not known
 * yet; the engine sends this sentinel string in its place, to both the dynamic and the native
 * provider.
 */
function isUnknown(value: unknown): boolean {
  return value === unknownValue;
}

/** The properties without the dynamic host's `__provider` (the host adds it back itself). */
function withoutProvider(raw: RawProperties | undefined): RawProperties {
  const { [PROVIDER_KEY]: _provider, ...rest } = raw ?? {};
  return rest;
}

/**
 * Whether `news[key]` changes what `olds` (the stored outputs) record. An unknown value may
 * change anything; an empty string is the same as unset (drivers store neither). With
 * `unsetKeeps`, leaving the input unset accepts whatever the backend chose.
 */
export function differs(olds: RawProperties, news: RawProperties, key: string, options: { unsetKeeps?: boolean } = {}): boolean {
  const [before, after] = [olds[key], news[key]];
  if (isUnknown(after)) return true;
  if (after === undefined && options.unsetKeeps) return false;
  return !isDeepStrictEqual(after === "" ? undefined : after, before === "" ? undefined : before);
}

export interface Validation<T> {
  /** The parsed inputs; undefined when they do not parse (an unknown value where a string is not expected is not a failure, but does not parse either). */
  value: T | undefined;
  failures: pulumi.dynamic.CheckFailure[];
}

/**
 * Validates inputs, one failure per problem, never echoing a value. Problems caused by an
 * unknown value (at the issue's path, or in a field a cross-field rule `dependsOn`) are left
 * for the check that runs once the value is known.
 */
export function validate<S extends z.ZodType>(schema: S, raw: RawProperties | undefined): Validation<z.output<S>> {
  const input = withoutProvider(raw);
  const result = schema.safeParse(input);
  if (result.success) return { value: result.data, failures: [] };
  const failures = result.error.issues.filter((issue) => !involvesUnknown(input, issue)).flatMap((issue) => failuresOf(input, issue));
  return { value: undefined, failures };
}

/** For create and update, which get inputs check has passed: anything invalid is a bug upstream. */
export function parseInputs<S extends z.ZodType>(schema: S, raw: RawProperties | undefined, resource: string): z.output<S> {
  const { value, failures } = validate(schema, raw);
  if (value === undefined) {
    const problems = failures.map((failure) => `${failure.property}: ${failure.reason}`).join("; ") || "some values are unknown";
    throw new InvalidInput(`invalid ${resource} inputs: ${problems}`);
  }
  return value;
}

function valueAt(input: RawProperties, path: readonly PropertyKey[]): { value: unknown; throughUnknown: boolean } {
  let value: unknown = input;
  for (const part of path) {
    if (isUnknown(value)) return { value, throughUnknown: true };
    value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  }
  return { value, throughUnknown: isUnknown(value) };
}

function involvesUnknown(input: RawProperties, issue: z.core.$ZodIssue): boolean {
  if (valueAt(input, issue.path).throughUnknown) return true;
  const dependsOn = issue.code === "custom" ? (issue.params as { dependsOn?: string[] } | undefined)?.dependsOn : undefined;
  return (dependsOn ?? []).some((key) => isUnknown(input[key]));
}

/** Types whose zod message ("Invalid input: expected string, received ...") is better as "must be a string". */
const PLAIN_TYPES: ReadonlySet<string> = new Set(["string", "number", "boolean", "object", "array"]);

function failuresOf(input: RawProperties, issue: z.core.$ZodIssue): pulumi.dynamic.CheckFailure[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ property: key, reason: "is not an input of this resource" }));
  }
  const property = issue.path.map(String).join(".");
  if (issue.code === "invalid_type" && valueAt(input, issue.path).value === undefined) return [{ property, reason: "is required" }];
  if (issue.code === "invalid_type" && PLAIN_TYPES.has(issue.expected)) {
    return [{ property, reason: `must be ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}` }];
  }
  // A record key's own message says what keys must look like.
  if (issue.code === "invalid_key") return [{ property, reason: issue.issues[0]?.message ?? issue.message }];
  return [{ property, reason: issue.message }];
}
