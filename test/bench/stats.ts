/** Summary of a series of durations in milliseconds. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (`p` in 0..100) of values already sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
  };
}

/** Milliseconds with a precision that suits their size. */
export const ms = (value: number): string =>
  Number.isNaN(value)
    ? '-'
    : value >= 100
      ? value.toFixed(0)
      : value >= 10
        ? value.toFixed(1)
        : value.toFixed(2);

/** Times one async call, in milliseconds. */
export async function timed<T>(task: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await task();
  return { ms: performance.now() - start, value };
}

/** A table of summaries, one row per label (in the order of `labels`). */
export function printSummaries(labels: Record<string, string>, summaries: Record<string, Summary>): void {
  const width = Math.max(28, ...Object.values(labels).map((label) => label.length + 2));
  console.log(
    `   ${'ms'.padEnd(width)}${['p50', 'p90', 'p99', 'max', 'mean'].map((h) => h.padStart(8)).join('')}`,
  );
  for (const [name, label] of Object.entries(labels)) {
    const s = summaries[name]!;
    console.log(
      `   ${label.padEnd(width)}${[s.p50, s.p90, s.p99, s.max, s.mean].map((v) => ms(v).padStart(8)).join('')}`,
    );
  }
}
