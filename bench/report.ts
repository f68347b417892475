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

/** A quantity measured several times: its spread, and its median as a multiple of a reference. */
export interface Spread {
  name: string;
  label: string;
  valuesMs: number[];
  reference: { label: string; ms: number };
  /** What the ratio means; without it no ratio is printed. */
  note?: string;
}

export function printSpread(spread: Spread): void {
  const values = [...spread.valuesMs].sort((a, b) => a - b);
  const median = values[Math.floor(values.length / 2)] ?? Number.NaN;
  const ms = (value: number | undefined): string => (value ?? Number.NaN).toFixed(0);
  process.stdout.write(
    `${spread.name}\n` +
      `  ${spread.label.padEnd(48)} min ${ms(values[0])} / median ${ms(median)} / max ${ms(values.at(-1))} ms (${values.length} runs)\n` +
      (spread.note
        ? `  ${spread.reference.label.padEnd(48)} ${spread.reference.ms.toFixed(2)} ms\n  ratio: ${ratioText(median / spread.reference.ms)}x (${spread.note})\n\n`
        : "\n"),
  );
}

/** Two decimals where they matter (a target such as 1.2x), none for large multiples. */
const ratioText = (ratio: number): string => ratio.toFixed(ratio < 10 ? 2 : 0);

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
