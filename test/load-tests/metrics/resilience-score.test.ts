import {
  gracefulShare,
  groupOperations,
  resilienceScore,
  retrySuccessRate,
} from '../../../load-tests/metrics/resilience-score';
import { request, requestsEvery, T0 } from './synthetic-records';

// GIVEN five operations and one GET without an order id:
// a: 503 + Retry-After, then 201 (retried, recovered)
// b: 500, timeout, 500 (retried, failed)
// c: 429 + Retry-After, then 202 (retried, recovered)
// d: 201 at once
// a again as a deliberate duplicate: 201 at once (its own operation)
const records = [
  request({ at: 1000, orderId: 'a', status: 503, retryAfter: true }),
  request({ at: 1500, orderId: 'a', status: 201, attempt: 2 }),
  request({ at: 2000, orderId: 'b', status: 500 }),
  request({ at: 2500, orderId: 'b', status: null, failure: 'timeout', attempt: 2 }),
  request({ at: 3000, orderId: 'b', status: 500, attempt: 3 }),
  request({ at: 5000, orderId: 'c', status: 429, retryAfter: true }),
  request({ at: 5500, orderId: 'c', status: 202, attempt: 2 }),
  request({ at: 6000, orderId: 'd', status: 201 }),
  request({ at: 7000, orderId: 'a', status: 201, duplicate: true }),
  request({ at: 7500, endpoint: 'GET /health', status: 200 }),
];
const fault = { name: 'dependency-outage', startedAt: T0 + 1000, endedAt: T0 + 3001 };

describe('groupOperations', () => {
  test('ties retries to their first attempt and keeps duplicates apart', () => {
    const operations = groupOperations(records).map((op) =>
      op.attempts.map((a) => `${a.orderId}${a.attempt}`),
    );
    expect(operations.sort()).toEqual([['a1'], ['a1', 'a2'], ['b1', 'b2', 'b3'], ['c1', 'c2'], ['d1']]);
  });
});

describe('retrySuccessRate', () => {
  test('is the share of retried operations whose last attempt succeeded', () => {
    // THEN a, b, c were retried; a and c ended in 2xx → 2/3
    expect(retrySuccessRate(records)).toEqual({ rate: 2 / 3, retriedOperations: 3 });
  });

  test('is 1 when nothing was retried', () => {
    expect(retrySuccessRate([request({ orderId: 'x', status: 500 })])).toEqual({
      rate: 1,
      retriedOperations: 0,
    });
  });
});

describe('gracefulShare', () => {
  test('counts 429 and 503 with Retry-After as graceful, other failures not', () => {
    // THEN failures: 503+RA, 500, timeout, 500, 429+RA → 2 graceful of 5
    expect(gracefulShare(records)).toEqual({ share: 0.4, failures: 5 });
    // a 503 without Retry-After is not graceful
    expect(gracefulShare([request({ status: 503 }), request({ status: 503, retryAfter: true })]).share).toBe(
      0.5,
    );
  });

  test('is 1 when nothing failed (a 400 is not a service failure)', () => {
    expect(gracefulShare([request(), request({ status: 400 })])).toEqual({ share: 1, failures: 0 });
  });
});

describe('resilienceScore', () => {
  test('multiplies availability during faults, graceful share and retry success rate', () => {
    // WHEN
    const score = resilienceScore(records, [fault]);
    // THEN in the fault: a1 503, a2 201, b1 500, b2 timeout, b3 500 → 1/5 available;
    // score = 0.2 × 0.4 × 2/3 = 0.05333…
    expect(score.availabilityDuringFaults).toBeCloseTo(0.2, 12);
    expect(score.score).toBeCloseTo((0.2 * 0.4 * 2) / 3, 12);
    expect(score).toMatchObject({ failures: 5, retriedOperations: 3, gracefulShare: 0.4 });
  });

  test('without faults, availability is the success rate of the whole run', () => {
    // THEN successes a2, c2, d1, a-duplicate, GET = 5 of 10
    const score = resilienceScore(records, []);
    expect(score.availabilityDuringFaults).toBeCloseTo(0.5, 12);
    expect(score.score).toBeCloseTo((0.5 * 0.4 * 2) / 3, 12);
  });

  test('is 1 for a run where nothing failed', () => {
    const score = resilienceScore(requestsEvery(100, 0, 50), [fault]);
    expect(score).toEqual({
      score: 1,
      availabilityDuringFaults: 1,
      gracefulShare: 1,
      retrySuccessRate: 1,
      failures: 0,
      retriedOperations: 0,
    });
  });
});
