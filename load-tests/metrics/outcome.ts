/**
 * How one request ended, and the success rate every availability figure is built on. One place
 * decides what "succeeded", "failed" and "the client's own mistake" mean, so that availability,
 * recovery time, the timeline and the resilience score cannot disagree.
 */
import type { RequestRecord } from './request-record';

/**
 * The outcome of one attempt:
 * - `success`: any 2xx;
 * - `throttled`: 429 (the stage or usage-plan throttle, or a quota);
 * - `client-error`: any other 4xx (400, 403, 404, 408, 409, 413, 422…);
 * - `server-error`: any 5xx;
 * - `no-response`: a timeout or a connection failure (status `null`);
 * - `other`: 1xx or 3xx, which this API never sends.
 */
export type RequestOutcome =
  'success' | 'throttled' | 'client-error' | 'server-error' | 'no-response' | 'other';

/** Classifies one attempt. */
export function outcomeOf(record: RequestRecord): RequestOutcome {
  const status = record.status;
  if (status === null) return 'no-response';
  if (status >= 200 && status < 300) return 'success';
  if (status === 429) return 'throttled';
  if (status >= 400 && status < 500) return 'client-error';
  if (status >= 500) return 'server-error';
  return 'other';
}

/** Whether the attempt succeeded (2xx). */
export function isSuccess(record: RequestRecord): boolean {
  return outcomeOf(record) === 'success';
}

/**
 * Whether the attempt was answered with the client's own mistake: a 4xx other than 408 (the request
 * took too long to arrive) and 429 (throttled). Such an answer is the API working as designed, so it
 * is left out of success rates: it says nothing about whether the API was available.
 */
export function isClientMistake(record: RequestRecord): boolean {
  return outcomeOf(record) === 'client-error' && record.status !== 408;
}

/**
 * Whether the attempt is a failure the service is accountable for: a 5xx, a timeout or connection
 * failure, or a 429.
 */
export function isServiceFailure(record: RequestRecord): boolean {
  const outcome = outcomeOf(record);
  return outcome === 'server-error' || outcome === 'no-response' || outcome === 'throttled';
}

/**
 * Whether a failure was graceful: the API said "not now, come back later" in a way a client can act
 * on — a 429 or a 503 that carries `Retry-After` — rather than a bare 5xx, a timeout or a dropped
 * connection.
 */
export function isGracefulFailure(record: RequestRecord): boolean {
  return (record.status === 429 || record.status === 503) && record.retryAfter;
}

/** Attempts a success rate counts (the client's own mistakes left out), and how many of them succeeded. */
export interface SuccessTally {
  readonly counted: number;
  readonly successes: number;
}

/** Counts attempts for a success rate: every attempt on its own (a retry is a request the API had to answer). */
export function tallySuccesses(records: readonly RequestRecord[]): SuccessTally {
  let counted = 0;
  let successes = 0;
  for (const record of records) {
    if (isClientMistake(record)) continue;
    counted += 1;
    if (isSuccess(record)) successes += 1;
  }
  return { counted, successes };
}

/**
 * Success rate of a set of attempts: 2xx ÷ (attempts − the client's own mistakes), see
 * `tallySuccesses`. `null` when nothing is left to count.
 */
export function successRate(records: readonly RequestRecord[]): number | null {
  const { counted, successes } = tallySuccesses(records);
  return counted === 0 ? null : successes / counted;
}
