/** Bench results are ratios of two ways of doing the same work, measured side by side. */
export interface Comparison {
  name: string;
  baseline: { label: string; ms: number };
  candidate: { label: string; ms: number };
  /** What the ratio means, e.g. "times faster". */
  note?: string;
}

export function printComparison(comparison: Comparison): void {
  const ratio = comparison.baseline.ms / comparison.candidate.ms;
  process.stdout.write(
    `${comparison.name}\n` +
      `  ${comparison.baseline.label.padEnd(48)} ${(comparison.baseline.ms / 1000).toFixed(2).padStart(8)} s\n` +
      `  ${comparison.candidate.label.padEnd(48)} ${(comparison.candidate.ms / 1000).toFixed(2).padStart(8)} s\n` +
      `  ratio: ${ratio.toFixed(2)}x${comparison.note ? ` (${comparison.note})` : ""}\n\n`,
  );
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function runLimited(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
