import type { DurationStats } from './types.js';

/** The nearest-rank percentile of ascending values (rank = ⌈p/100 × n⌉, 1-based), or null when empty. */
export function percentileNearestRank(sortedValues: readonly number[], p: number): number | null {
  const n = sortedValues.length;
  if (n === 0) return null;
  // p × n / 100 rather than p / 100 × n: the product of two integers is exact, so
  // p95 of 20 values is rank 19, not 20 through a rounding error.
  const rank = Math.min(n, Math.max(1, Math.ceil((p * n) / 100)));
  return sortedValues[rank - 1] ?? null;
}

/** Count, min, p50, p95 and max (nearest rank) of durations in seconds, in any order. */
export function durationStats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0] ?? null,
    p50: percentileNearestRank(sorted, 50),
    p95: percentileNearestRank(sorted, 95),
    max: sorted[sorted.length - 1] ?? null,
  };
}
