/** Performance figures of a set of requests: latency, throughput and error rates. */
import { summarizeLatencies, type LatencySummary } from './latency';
import { isSuccess, outcomeOf, successRate } from './outcome';
import type { RequestRecord } from './request-record';

/** A span of time in epoch milliseconds: `startedAt` inclusive, `endedAt` exclusive. */
export interface TimeWindow {
  readonly startedAt: number;
  readonly endedAt: number;
}

/** The figures of one set of requests (a load level, a whole run…). */
export interface RequestMetrics {
  /** The window the requests were selected by (attempts started in it) and throughput divides by. */
  readonly window: TimeWindow;
  /** Attempts started in the window (retries and duplicates included). */
  readonly requests: number;
  /** 2xx answers. */
  readonly successes: number;
  /** 429 answers. */
  readonly throttled: number;
  /** Other 4xx answers. */
  readonly clientErrors: number;
  /** 5xx answers. */
  readonly serverErrors: number;
  /** Attempts that timed out on the client. */
  readonly timeouts: number;
  /** Attempts whose connection was refused or reset. */
  readonly connectionFailures: number;
  /** Latency of the successful (2xx) attempts. */
  readonly latency: LatencySummary;
  /** Successful (2xx) attempts per second of the window. */
  readonly throughputPerSecond: number;
  /** (5xx + timeouts + connection failures) ÷ requests; 0 for no requests. */
  readonly errorRate: number;
  /** 429s ÷ requests; 0 for no requests. */
  readonly throttleRate: number;
  /** Other 4xx ÷ requests; 0 for no requests. */
  readonly clientErrorRate: number;
  /** 2xx ÷ (requests − the client's own 4xx mistakes), see `successRate`; `null` when none is left. */
  readonly successRate: number | null;
}

/**
 * The window a set of records spans: from the first attempt's start to the last answer (start +
 * latency) of any attempt. Fails for no records, which span nothing.
 */
export function spanOf(records: readonly RequestRecord[]): TimeWindow {
  if (records.length === 0) throw new Error('Cannot take the time span of no requests');
  let startedAt = Infinity;
  let endedAt = -Infinity;
  for (const record of records) {
    startedAt = Math.min(startedAt, record.startedAt);
    endedAt = Math.max(endedAt, record.startedAt + record.latencyMs);
  }
  return { startedAt, endedAt };
}

/** Whether the attempt started inside the window. */
export function isStartedWithin(record: RequestRecord, window: TimeWindow): boolean {
  return record.startedAt >= window.startedAt && record.startedAt < window.endedAt;
}

/** The records whose attempt started inside the window. */
export function startedWithin(records: readonly RequestRecord[], window: TimeWindow): RequestRecord[] {
  return records.filter((record) => isStartedWithin(record, window));
}

/**
 * Computes the figures of the attempts started in `window` (by default the records' own span, see
 * `spanOf`). Latency is taken over successful attempts only: a fast 429 or a slow timeout would
 * otherwise move the percentiles, and the error and throttle rates report those apart.
 */
export function summarizeRequests(records: readonly RequestRecord[], window?: TimeWindow): RequestMetrics {
  const measured = window ?? spanOf(records);
  const durationMs = measured.endedAt - measured.startedAt;
  if (!(durationMs > 0)) {
    throw new RangeError(
      `The measured window must end after it starts (given ${measured.startedAt} to ${measured.endedAt})`,
    );
  }
  const selected = startedWithin(records, measured);
  const counts = {
    success: 0,
    throttled: 0,
    'client-error': 0,
    'server-error': 0,
    'no-response': 0,
    other: 0,
  };
  let timeouts = 0;
  for (const record of selected) {
    const outcome = outcomeOf(record);
    counts[outcome] += 1;
    if (outcome === 'no-response' && record.failure === 'timeout') timeouts += 1;
  }
  const requests = selected.length;
  const share = (count: number): number => (requests === 0 ? 0 : count / requests);
  return {
    window: measured,
    requests,
    successes: counts.success,
    throttled: counts.throttled,
    clientErrors: counts['client-error'],
    serverErrors: counts['server-error'],
    timeouts,
    connectionFailures: counts['no-response'] - timeouts,
    latency: summarizeLatencies(selected.filter(isSuccess).map((record) => record.latencyMs)),
    throughputPerSecond: counts.success / (durationMs / 1000),
    errorRate: share(counts['server-error'] + counts['no-response']),
    throttleRate: share(counts.throttled),
    clientErrorRate: share(counts['client-error']),
    successRate: successRate(selected),
  };
}
