/** The resilience score and its three factors. */
import { groupOperations, operationAvailability, type Operation } from './operations';
import { isGracefulFailure, isServiceFailure, isSuccess, successRate } from './outcome';
import type { FaultWindow, RequestRecord } from './request-record';
import { isStartedWithin } from './request-metrics';

/** The resilience score and the factors it multiplies. */
export interface ResilienceScore {
  /** availabilityDuringFaults × gracefulShare × retrySuccessRate, in [0, 1]. */
  readonly score: number;
  /**
   * Availability of the client operations (see `operationAvailability`) whose first attempt started
   * inside any fault window, pooled (an operation-weighted mean over the faults). With no operation
   * started inside a fault window, the availability of every operation of the run; 1 when there is
   * nothing to count at all.
   */
  readonly availabilityDuringFaults: number;
  /**
   * Not a factor of the score, kept beside it: the success rate (see `successRate`) of every
   * attempt started inside any fault window, pooled. With no attempt inside a fault window, the
   * success rate of the whole run; `null` when there is nothing to count at all.
   */
  readonly attemptSuccessRateDuringFaults: number | null;
  /** Graceful failures ÷ service failures over the whole run; 1 when nothing failed. */
  readonly gracefulShare: number;
  /** Retried operations that ended in a 2xx ÷ retried operations; 1 when nothing was retried. */
  readonly retrySuccessRate: number;
  /** Service failures (429, 5xx, timeouts, connection failures) the graceful share is taken over. */
  readonly failures: number;
  /** Operations that needed at least one retry. */
  readonly retriedOperations: number;
}

/**
 * Retry success rate: of the operations (see `groupOperations`) that needed a retry (more than one
 * attempt), the share whose last attempt succeeded (2xx). 1 when no operation was retried.
 */
export function retrySuccessRate(
  records: readonly RequestRecord[],
  operations: readonly Operation[] = groupOperations(records),
): {
  rate: number;
  retriedOperations: number;
} {
  const retried = operations.filter((operation) => operation.attempts.length > 1);
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
 * The resilience score, in [0, 1]: availability during faults (of operations, as the client sees
 * it) × graceful share × retry success rate (each defined on `ResilienceScore`). A run with no
 * counted operation at all scores 1 on availability (there was nothing to fail).
 */
export function resilienceScore(
  records: readonly RequestRecord[],
  faults: readonly FaultWindow[],
): ResilienceScore {
  const inAnyFault = (record: RequestRecord) => faults.some((fault) => isStartedWithin(record, fault));
  const operations = groupOperations(records);
  const operationsInFaults = operations.filter((operation) => inAnyFault(operation.attempts[0]));
  const availability = operationAvailability(operationsInFaults) ?? operationAvailability(operations) ?? 1;
  const graceful = gracefulShare(records);
  const retries = retrySuccessRate(records, operations);
  return {
    score: availability * graceful.share * retries.rate,
    availabilityDuringFaults: availability,
    attemptSuccessRateDuringFaults: successRate(records.filter(inAnyFault)) ?? successRate(records),
    gracefulShare: graceful.share,
    retrySuccessRate: retries.rate,
    failures: graceful.failures,
    retriedOperations: retries.retriedOperations,
  };
}
