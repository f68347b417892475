import { parseArgs, type ParseArgsConfig } from "node:util";
import { InvalidInput, backendOf, printable } from "../drivers";
import { didYouMean } from "./suggest";
import { UsageError } from "./usage";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options every command accepts. */
const COMMON = { config: { type: "string" }, json: { type: "boolean" } } as const satisfies Options;

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** parseArgs with the common options, positionals allowed, and unknown flags refused with the closest known one. */
export function parse<O extends Options>(args: string[], options: O): Parsed<typeof COMMON & O> {
  return parseOnly(args, { ...COMMON, ...options });
}

/** The same for a command that takes none of the common options (lab: it has no backends). */
export function parseOnly<O extends Options>(args: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1] ?? "";
      throw new UsageError(
        `unknown flag '${printable(flag)}'${didYouMean(
          flag,
          Object.keys(options).map((name) => `--${name}`),
        )}`,
      );
    }
    // Node's own wording ("Option '--size-gb <value>' argument missing") is already specific.
    if (code?.startsWith("ERR_PARSE_ARGS")) throw new UsageError((error as Error).message);
    throw error;
  }
}

/** A flag that takes one of a few values. */
export function choiceFlag<C extends string>(value: string | undefined, flag: string, choices: readonly C[]): C {
  if (value === undefined) throw new UsageError(`${flag} is required (${choices.join(", ")})`);
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined) throw new UsageError(`${flag} must be one of ${choices.join(", ")}, not '${printable(value)}'${didYouMean(value, choices)}`);
  return choice;
}

/** A whole number of GiB from a flag. */
export function sizeGbFlag(value: string | undefined, flag = "--size-gb"): number {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  const size = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(size) || size < 1)
    throw new UsageError(`${flag} must be a whole number of GiB (at least 1), not '${printable(value)}'`);
  return size;
}

export function onePositional(positionals: string[], what: string): string {
  const [value, ...extra] = positionals;
  if (!value) throw new UsageError(`${what} is required`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${printable(extra[0] ?? "")}'`);
  return value;
}

/** The one id a command acts on; an argument that has no id's shape is a usage error, named with the shape ids have. */
export function idPositional(positionals: string[], what: string): string {
  return idShaped(onePositional(positionals, what), what);
}

/** An id given to a flag (`--from-volume ID`), checked like an id positional and named by its flag. */
export function idFlag(value: string | undefined, flag: string): string | undefined {
  return value === undefined ? undefined : idShaped(value, flag);
}

function idShaped(id: string, what: string): string {
  try {
    backendOf(id);
  } catch (error) {
    if (error instanceof InvalidInput) throw new UsageError(`${what}: ${error.message}`);
    throw error;
  }
  return id;
}

export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${printable(positionals[0] ?? "")}'`);
}

/** `--label k=v` flags into a record. */
export function labelsFlag(values: string[] | undefined): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new UsageError(`--label takes key=value, not '${printable(value)}'`);
    labels[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return labels;
}
