import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts. */
const COMMON = { config: { type: "string" }, json: { type: "boolean" } } as const satisfies Options;

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON & O; allowPositionals: true; strict: true }>>;

/** parseArgs with the common options, positionals allowed, and unknown flags refused. */
export function parse<O extends Options>(args: string[], options: O): Parsed<O> {
  return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
}

/** A whole number of GiB from a flag. */
export function sizeGbFlag(value: string | undefined, flag = "--size-gb"): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  const size = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(size) || size < 1) throw new UsageError(`${flag} must be a whole number of GiB (at least 1), not '${value}'`);
  return size;
}

export function onePositional(positionals: string[], what: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw new UsageError(`${what} is required`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  return value;
}

export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
}

/** `--label k=v` flags into a record. */
export function labelsFlag(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new UsageError(`--label takes key=value, not '${value}'`);
    labels[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return labels;
}
