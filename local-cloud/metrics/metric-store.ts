/**
 * The local cloud's CloudWatch metrics: datapoints the emulators publish (API Gateway per request,
 * Lambda per invocation, SQS per sample, metric filters per access log line), kept in memory for as
 * long as the alarms look back, and the statistics CloudWatch computes over a period.
 */

/** A metric's identity: namespace, name and the exact set of dimensions, as CloudWatch matches them. */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; CloudWatch treats each distinct set as a separate metric. */
  readonly dimensions?: Readonly<Record<string, string>>;
}

/** One datapoint. */
export interface MetricDatum extends MetricIdentity {
  readonly value: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

interface Series {
  readonly timestamps: number[];
  readonly values: number[];
}

/** The key of a metric: namespace, name and the sorted dimensions. */
export function metricKeyOf(metric: MetricIdentity): string {
  const dimensions = Object.entries(metric.dimensions ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
  return `${metric.namespace}|${metric.metricName}|${dimensions}`;
}

/**
 * Datapoints by metric, oldest first. Datapoints more than `retentionMillis` older than the newest
 * one are dropped as new ones arrive, so memory stays bounded during long load tests.
 */
export class MetricStore {
  private readonly series = new Map<string, Series>();

  /** @param retentionMillis how far back datapoints are kept (at least the longest alarm window) */
  constructor(public retentionMillis: number) {}

  /** Records a datapoint. Datapoints must arrive in time order per metric (the emulators do). */
  public put(datum: MetricDatum): void {
    const key = metricKeyOf(datum);
    let series = this.series.get(key);
    if (!series) {
      series = { timestamps: [], values: [] };
      this.series.set(key, series);
    }
    series.timestamps.push(datum.timestamp);
    series.values.push(datum.value);
    const oldestKept = datum.timestamp - this.retentionMillis;
    // Drop in chunks: one splice per datapoint would copy the whole series each time.
    if (series.timestamps[0] < oldestKept - this.retentionMillis / 4) {
      const drop = lowerBound(series.timestamps, oldestKept);
      series.timestamps.splice(0, drop);
      series.values.splice(0, drop);
    }
  }

  /** The values of a metric with `start <= timestamp < end`. */
  public values(metric: MetricIdentity, start: number, end: number): number[] {
    const series = this.series.get(metricKeyOf(metric));
    if (!series) return [];
    return series.values.slice(lowerBound(series.timestamps, start), lowerBound(series.timestamps, end));
  }

  /** A statistic of a metric over `[start, end)`, or `undefined` when there is no datapoint (missing data). */
  public statistic(
    metric: MetricIdentity,
    statistic: string,
    start: number,
    end: number,
  ): number | undefined {
    return computeStatistic(statistic, this.values(metric, start, end));
  }
}

/** The first index whose timestamp is `>= target` (the timestamps are sorted). */
function lowerBound(timestamps: readonly number[], target: number): number {
  let low = 0;
  let high = timestamps.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timestamps[middle] < target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The statistics the local cloud computes: CloudWatch's five plus percentiles (`p99`, `p99.9`). */
export const SIMPLE_STATISTICS = ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'] as const;

/** Whether the local cloud can compute a statistic (a simple one or a percentile `pNN`). */
export function isSupportedStatistic(statistic: string): boolean {
  return (
    (SIMPLE_STATISTICS as readonly string[]).includes(statistic) || percentileOf(statistic) !== undefined
  );
}

function percentileOf(statistic: string): number | undefined {
  const match = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(statistic);
  return match ? Number(match[1]) : undefined;
}

/**
 * A statistic of a period's values, or `undefined` for no values. Percentiles use the nearest rank
 * (CloudWatch interpolates over its own value distribution; with few datapoints the two can differ).
 *
 * @throws Error for a statistic the local cloud does not compute (e.g. trimmed means `tm99`)
 */
export function computeStatistic(statistic: string, values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  switch (statistic) {
    case 'SampleCount':
      return values.length;
    case 'Sum':
      return values.reduce((sum, value) => sum + value, 0);
    case 'Average':
      return values.reduce((sum, value) => sum + value, 0) / values.length;
    case 'Minimum':
      return values.reduce((min, value) => Math.min(min, value), Infinity);
    case 'Maximum':
      return values.reduce((max, value) => Math.max(max, value), -Infinity);
  }
  const percentile = percentileOf(statistic);
  if (percentile === undefined) {
    throw new Error(
      `Statistic ${statistic} is not computed locally (${SIMPLE_STATISTICS.join(', ')} and pNN are)`,
    );
  }
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1];
}
