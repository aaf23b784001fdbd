/** Synthetic request records for the metrics tests: defaults for the fields a test does not care about. */
import type { RequestRecord } from '../../../load-tests/metrics/request-record';

/** A record answered at `startedAt` ms after T0 with `status` (default 201 after 10 ms). */
export function request(overrides: Partial<RequestRecord> & { readonly at?: number } = {}): RequestRecord {
  const { at, ...rest } = overrides;
  return {
    startedAt: T0 + (at ?? 0),
    latencyMs: 10,
    status: 201,
    retryAfter: false,
    endpoint: 'POST /orders',
    attempt: 1,
    ...rest,
  };
}

/** `count` records started every `everyMs` from `from` ms after T0, each with the given fields. */
export function requestsEvery(
  everyMs: number,
  from: number,
  count: number,
  fields: Partial<RequestRecord> = {},
): RequestRecord[] {
  return Array.from({ length: count }, (_, index) => request({ at: from + index * everyMs, ...fields }));
}

/** An arbitrary epoch origin, so that tests read in offsets. */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/**
 * Five order operations, in start order:
 * a: 503 + Retry-After, then 201 (retried, recovered);
 * b: 500, timeout, 500 (retried, gave up);
 * c: 429 + Retry-After, then 202 (retried, recovered);
 * d: 201 at once;
 * a again as a deliberate duplicate: 201 at once (its own operation).
 */
export const ORDER_OPERATIONS: readonly RequestRecord[] = [
  request({ at: 1000, orderId: 'a', status: 503, retryAfter: true }),
  request({ at: 1500, orderId: 'a', status: 201, attempt: 2 }),
  request({ at: 2000, orderId: 'b', status: 500 }),
  request({ at: 2500, orderId: 'b', status: null, failure: 'timeout', attempt: 2 }),
  request({ at: 3000, orderId: 'b', status: 500, attempt: 3 }),
  request({ at: 5000, orderId: 'c', status: 429, retryAfter: true }),
  request({ at: 5500, orderId: 'c', status: 202, attempt: 2 }),
  request({ at: 6000, orderId: 'd', status: 201 }),
  request({ at: 7000, orderId: 'a', status: 201, duplicate: true }),
];
