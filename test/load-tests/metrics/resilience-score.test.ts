import {
  gracefulShare,
  resilienceScore,
  retrySuccessRate,
} from '../../../load-tests/metrics/resilience-score';
import { ORDER_OPERATIONS, request, requestsEvery, T0 } from './synthetic-records';

// GIVEN the five order operations of ORDER_OPERATIONS and one health probe (a GET without an order id):
// a: 503 + Retry-After, then 201 (retried, recovered)
// b: 500, timeout, 500 (retried, failed)
// c: 429 + Retry-After, then 202 (retried, recovered)
// d: 201 at once
// a again as a deliberate duplicate: 201 at once (its own operation)
const records = [...ORDER_OPERATIONS, request({ at: 7500, endpoint: 'GET /health', status: 200 })];
const fault = { name: 'dependency-outage', startedAt: T0 + 1000, endedAt: T0 + 3001 };

describe('retrySuccessRate', () => {
  test('is the share of retried operations whose last attempt succeeded', () => {
    // THEN a, b, c were retried; a and c ended in 2xx → 2/3
    expect(retrySuccessRate(records)).toEqual({ rate: 2 / 3, retriedOperations: 3 });
  });

  test('does not count a health probe retry as a retried operation (no order id ties it to its first attempt)', () => {
    const probes = [
      request({ endpoint: 'GET /health', status: 503 }),
      request({ at: 100, endpoint: 'GET /health', status: 200, attempt: 2 }),
    ];
    expect(retrySuccessRate(probes)).toEqual({ rate: 1, retriedOperations: 0 });
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
  test('multiplies the availability of the operations started in faults, graceful share and retry success rate', () => {
    // WHEN
    const score = resilienceScore(records, [fault]);
    // THEN operations started in the fault: a (503 then 201: succeeded), b (gave up) → 1/2;
    // score = 0.5 × 0.4 × 2/3 = 0.1333…
    expect(score.availabilityDuringFaults).toBeCloseTo(0.5, 12);
    expect(score.score).toBeCloseTo((0.5 * 0.4 * 2) / 3, 12);
    expect(score).toMatchObject({ failures: 5, retriedOperations: 3, gracefulShare: 0.4 });
    // the attempts started in the fault, kept beside it: a1 503, a2 201, b1 500, b2 timeout, b3 500 → 1/5
    expect(score.attemptSuccessRateDuringFaults).toBeCloseTo(0.2, 12);
  });

  test('pools the operations of every fault window, weighting each operation once', () => {
    // GIVEN fault 1 [0, 1 s): one order that failed inside and succeeded on a retry after the window;
    // fault 2 [10 s, 11 s): three orders, one gave up after 2 attempts, two acknowledged at once
    const pooled = [
      request({ at: 500, orderId: 'p', status: null, failure: 'connection' }),
      request({ at: 1500, orderId: 'p', status: 202, attempt: 2 }),
      request({ at: 10_000, orderId: 'q', status: 500 }),
      request({ at: 10_100, orderId: 'q', status: 500, attempt: 2 }),
      request({ at: 10_200, orderId: 'r', status: 202 }),
      request({ at: 10_300, orderId: 's', status: 202 }),
    ];
    const faults = [
      { name: 'region-outage', startedAt: T0, endedAt: T0 + 1000 },
      { name: 'function-crash', startedAt: T0 + 10_000, endedAt: T0 + 11_000 },
    ];
    // WHEN
    const score = resilienceScore(pooled, faults);
    // THEN 3 of 4 operations succeeded (not the mean of 1 and 2/3); attempts in the windows: p1 failed,
    // q1, q2 failed, r1, s1 succeeded → 2/5
    expect(score.availabilityDuringFaults).toBeCloseTo(3 / 4, 12);
    expect(score.attemptSuccessRateDuringFaults).toBeCloseTo(2 / 5, 12);
  });

  test('without faults, availability is that of every operation of the run', () => {
    // THEN operations a, b, c, d, a-duplicate and the health probe: all but b succeeded → 5/6;
    // attempts: successes a2, c2, d1, a-duplicate, GET = 5 of 10
    const score = resilienceScore(records, []);
    expect(score.availabilityDuringFaults).toBeCloseTo(5 / 6, 12);
    expect(score.attemptSuccessRateDuringFaults).toBeCloseTo(0.5, 12);
    expect(score.score).toBeCloseTo((5 / 6) * 0.4 * (2 / 3), 12);
  });

  test('is 1 for a run where nothing failed', () => {
    const score = resilienceScore(requestsEvery(100, 0, 50), [fault]);
    expect(score).toEqual({
      score: 1,
      availabilityDuringFaults: 1,
      attemptSuccessRateDuringFaults: 1,
      gracefulShare: 1,
      retrySuccessRate: 1,
      failures: 0,
      retriedOperations: 0,
    });
  });
});
