import type { z } from "zod";

/** One problem with an input, addressed by its path ("backends.lab.hosts.0.port"). */
export interface InputProblem {
  path: string;
  message: string;
}

/** Zod issues as path + message; input values are never echoed (they may be secrets). */
export function problemsOf(error: z.ZodError, prefix: readonly (string | number)[] = []): InputProblem[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part))].join("."),
    message: issue.message,
  }));
}

export function formatProblems(problems: readonly InputProblem[]): string {
  return problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join("; ");
}

/** A value a user gave, fit to quote in an error: control characters shown as '?', cut at 60 characters. */
export function printable(value: string): string {
  const shown = value.length > 60 ? `${value.slice(0, 60)}...` : value;
  return shown.replace(/[^\x20-\x7e]/g, "?");
}
