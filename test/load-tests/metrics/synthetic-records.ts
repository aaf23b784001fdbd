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
