/**
 * Client operations: a first attempt and the retries that followed it. Availability is measured
 * per operation, the way a client with a retry policy experiences the API; the retry success rate
 * too. One grouping serves both, so they cannot disagree on what an operation is.
 */
import { isClientMistake, isSuccess } from './outcome';
import type { RequestRecord } from './request-record';
import { isStartedWithin, type TimeWindow } from './request-metrics';

/** One client operation: a first attempt and the retries that followed it, in start order. */
export interface Operation {
  readonly attempts: readonly RequestRecord[];
}

/**
 * How an operation ended:
 * - `succeeded`: some attempt was answered 2xx;
 * - `client-mistake`: no 2xx, and the last attempt was the client's own 4xx mistake (see
 *   `isClientMistake`), which says nothing about whether the API was available;
 * - `failed`: anything else — the client gave up (out of attempts) or its last attempt was a 5xx,
 *   a 408 or 429, a timeout or a connection failure.
 */
export type OperationOutcome = 'succeeded' | 'client-mistake' | 'failed';

/**
 * Groups attempts into operations. Attempts of one operation share the endpoint, the order id and
 * the duplicate flag; sorted by start time, each first attempt (`attempt === 1`) opens a new
 * operation and the retries after it join it (a retry with no first attempt before it opens one
 * too). Records without an order id (health probes) cannot be tied to their retries: each is an
 * operation of its own.
 */
export function groupOperations(records: readonly RequestRecord[]): Operation[] {
  const byKey = new Map<string, RequestRecord[]>();
  const operations: RequestRecord[][] = [];
  for (const record of records) {
    if (record.orderId === undefined) {
      operations.push([record]);
      continue;
    }
    const key = `${record.endpoint} ${record.orderId} ${record.duplicate === true ? 'duplicate' : 'original'}`;
    const list = byKey.get(key) ?? [];
    list.push(record);
    byKey.set(key, list);
  }
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

/** Classifies how an operation ended (see `OperationOutcome`). */
export function operationOutcome(operation: Operation): OperationOutcome {
  if (operation.attempts.some(isSuccess)) return 'succeeded';
  const last = operation.attempts[operation.attempts.length - 1];
  return isClientMistake(last) ? 'client-mistake' : 'failed';
}

/**
 * The operations whose first attempt started inside the window. An operation belongs to the window
 * it started in, even when its retries ran past the window's end.
 */
export function operationsStartedWithin(operations: readonly Operation[], window: TimeWindow): Operation[] {
  return operations.filter((operation) => isStartedWithin(operation.attempts[0], window));
}

/**
 * Availability of a set of operations: the ones that eventually succeeded (some attempt 2xx) ÷
 * (operations − the ones that ended with the client's own mistake). `null` when nothing is left to
 * count.
 */
export function operationAvailability(operations: readonly Operation[]): number | null {
  let counted = 0;
  let succeeded = 0;
  for (const operation of operations) {
    const outcome = operationOutcome(operation);
    if (outcome === 'client-mistake') continue;
    counted += 1;
    if (outcome === 'succeeded') succeeded += 1;
  }
  return counted === 0 ? null : succeeded / counted;
}
