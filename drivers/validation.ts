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
