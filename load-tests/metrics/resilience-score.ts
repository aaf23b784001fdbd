/** The resilience score and its three factors. */
import { isGracefulFailure, isServiceFailure, isSuccess, successRate } from './outcome';
import type { FaultWindow, RequestRecord } from './request-record';
import { isStartedWithin } from './request-metrics';

/** The resilience score and the factors it multiplies. */
export interface ResilienceScore {
  /** availabilityDuringFaults × gracefulShare × retrySuccessRate, in [0, 1]. */
  readonly score: number;
  /**
   * Success rate (see `successRate`) of every attempt started inside any fault window, pooled (a
   * request-weighted mean over the faults). With no attempt inside a fault window, the success rate
   * of the whole run.
   */
  readonly availabilityDuringFaults: number;
  /** Graceful failures ÷ service failures over the whole run; 1 when nothing failed. */
  readonly gracefulShare: number;
  /** Retried operations that ended in a 2xx ÷ retried operations; 1 when nothing was retried. */
  readonly retrySuccessRate: number;
  /** Service failures (429, 5xx, timeouts, connection failures) the graceful share is taken over. */
  readonly failures: number;
  /** Operations that needed at least one retry. */
  readonly retriedOperations: number;
}

/** One client operation: a first attempt and the retries that followed it. */
export interface Operation {
  readonly attempts: readonly RequestRecord[];
}

/**
 * Groups attempts into operations. Attempts of one operation share the endpoint, the order id and
 * the duplicate flag; sorted by start time, each first attempt (`attempt === 1`) opens a new
 * operation and the retries after it join it. Records without an order id cannot be tied to their
 * retries and are left out.
 */
export function groupOperations(records: readonly RequestRecord[]): Operation[] {
  const byKey = new Map<string, RequestRecord[]>();
  for (const record of records) {
    if (record.orderId === undefined) continue;
    const key = `${record.endpoint} ${record.orderId} ${record.duplicate === true ? 'duplicate' : 'original'}`;
    const list = byKey.get(key) ?? [];
    list.push(record);
    byKey.set(key, list);
  }
  const operations: RequestRecord[][] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.startedAt - b.startedAt || a.attempt - b.attempt);
    let current: RequestRecord[] | undefined;
    for (const record of list) {
      if (record.attempt === 1 || current === undefined) {
        current = [];
        operations.push(current);
      }
      current.push(record);
    }
  }
  return operations.map((attempts) => ({ attempts }));
}

/**
 * Retry success rate: of the operations that needed a retry (more than one attempt), the share whose
 * last attempt succeeded (2xx). 1 when no operation was retried.
 */
export function retrySuccessRate(records: readonly RequestRecord[]): {
  rate: number;
  retriedOperations: number;
} {
  const retried = groupOperations(records).filter((operation) => operation.attempts.length > 1);
  if (retried.length === 0) return { rate: 1, retriedOperations: 0 };
  const recovered = retried.filter((operation) =>
    isSuccess(operation.attempts[operation.attempts.length - 1]),
  );
  return { rate: recovered.length / retried.length, retriedOperations: retried.length };
}

/**
 * Graceful share: of the service failures (429, 5xx, timeouts, connection failures), the share that
 * were graceful — a 429 or 503 with `Retry-After`. 1 when nothing failed.
 */
export function gracefulShare(records: readonly RequestRecord[]): { share: number; failures: number } {
  const failures = records.filter(isServiceFailure);
  if (failures.length === 0) return { share: 1, failures: 0 };
  return { share: failures.filter(isGracefulFailure).length / failures.length, failures: failures.length };
}

/**
 * The resilience score, in [0, 1]: availability during faults × graceful share × retry success
 * rate (each defined on `ResilienceScore`). A run with no counted attempt at all scores 1 on
 * availability (there was nothing to fail).
 */
export function resilienceScore(
  records: readonly RequestRecord[],
  faults: readonly FaultWindow[],
): ResilienceScore {
  const duringFaults = records.filter((record) => faults.some((fault) => isStartedWithin(record, fault)));
  const availability = successRate(duringFaults) ?? successRate(records) ?? 1;
  const graceful = gracefulShare(records);
  const retries = retrySuccessRate(records);
  return {
    score: availability * graceful.share * retries.rate,
    availabilityDuringFaults: availability,
    gracefulShare: graceful.share,
    retrySuccessRate: retries.rate,
    failures: graceful.failures,
    retriedOperations: retries.retriedOperations,
  };
}
