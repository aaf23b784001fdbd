/** Latency statistics: the mean and nearest-rank percentiles. */

/** Mean and percentiles of a set of latencies, in milliseconds; `null` when there were none. */
export interface LatencySummary {
  /** How many latencies the figures are computed from. */
  readonly count: number;
  readonly avgMs: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/**
 * The nearest-rank percentile: with the n values sorted ascending as x₁ ≤ … ≤ xₙ, the p-th
 * percentile is x⌈p/100 · n⌉ (x₁ for p = 0). It is always one of the measured values, never an
 * interpolation. `null` for no values.
 *
 * @param sortedAscending values already sorted ascending
 * @param percent between 0 and 100 inclusive
 */
export function nearestRankPercentile(sortedAscending: readonly number[], percent: number): number | null {
  if (!(percent >= 0 && percent <= 100)) {
    throw new RangeError(`Percentile must be between 0 and 100 inclusive (given ${percent})`);
  }
  const n = sortedAscending.length;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((percent / 100) * n));
  return sortedAscending[rank - 1];
}

/** Mean, p50, p95, p99 (nearest rank) and maximum of the given latencies. */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const count = sorted.length;
  return {
    count,
    avgMs: count === 0 ? null : sorted.reduce((sum, value) => sum + value, 0) / count,
    p50Ms: nearestRankPercentile(sorted, 50),
    p95Ms: nearestRankPercentile(sorted, 95),
    p99Ms: nearestRankPercentile(sorted, 99),
    maxMs: count === 0 ? null : sorted[count - 1],
  };
}
