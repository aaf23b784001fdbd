import {
  attemptSuccessRateDuring,
  availabilityDuring,
  recoveryTime,
  successRateTimeline,
  summarizeFaults,
} from '../../../load-tests/metrics/fault-metrics';
import type { FaultWindow } from '../../../load-tests/metrics/request-record';
import { request, requestsEvery, T0 } from './synthetic-records';

/** A fault from `from` to `to` ms after T0. */
function fault(name: string, from: number, to: number): FaultWindow {
  return { name, startedAt: T0 + from, endedAt: T0 + to };
}

// GIVEN 10 requests/s from 0 to 39.9 s: failures (500) from 10 s to 13.9 s and one more at 14.5 s,
// successes otherwise, until everything fails again from 30 s to the end.
const records = requestsEvery(100, 0, 400).map((record) => {
  const at = record.startedAt - T0;
  const failed = (at >= 10_000 && at < 14_000) || at === 14_500 || at >= 30_000;
  return failed ? { ...record, status: 500 } : record;
});
const dependencyOutage = fault('dependency-outage', 10_000, 20_000);
const unnoticed = fault('latency-injection', 22_000, 25_000);
const regionOutage = fault('region-outage', 30_000, 35_000);

// GIVEN a region outage from 10 s to 20 s with DNS failover: 4 orders whose first attempts (11–14 s)
// failed with connection errors and whose retries, after the window, reached the surviving region
const outage = fault('region-outage', 10_000, 20_000);
const failedOver = [11_000, 12_000, 13_000, 14_000].flatMap((at, index) => [
  request({ at, orderId: `o${index}`, status: null, failure: 'connection' }),
  request({ at: at + 10_000, orderId: `o${index}`, status: 201, attempt: 2 }),
]);

describe('availabilityDuring', () => {
  test('counts an operation whose retries succeeded after the window as available', () => {
    // THEN 4 operations started in the window, all eventually acknowledged → 1;
    // while the 4 attempts started in the window all failed → 0
    expect(availabilityDuring(failedOver, outage)).toBe(1);
    expect(attemptSuccessRateDuring(failedOver, outage)).toBe(0);
  });

  test("counts operations that gave up as failed, leaves the client's mistakes out, and each health probe alone", () => {
    // GIVEN in the same window, besides the 4 failed-over orders:
    const more = [
      // o5 gave up after maxAttempts = 3
      request({ at: 15_000, orderId: 'o5', status: 500 }),
      request({ at: 15_100, orderId: 'o5', status: null, failure: 'timeout', attempt: 2 }),
      request({ at: 15_300, orderId: 'o5', status: 500, attempt: 3 }),
      // o6 a 400, o7 a 503 answered 422 on retry: both ended with the client's mistake
      request({ at: 16_000, orderId: 'o6', status: 400 }),
      request({ at: 16_500, orderId: 'o7', status: 503 }),
      request({ at: 16_600, orderId: 'o7', status: 422, attempt: 2 }),
      // o8 started before the window; its retry inside the window succeeded
      request({ at: 9000, orderId: 'o8', status: null, failure: 'timeout' }),
      request({ at: 10_500, orderId: 'o8', status: 201, attempt: 2 }),
      // two health probes (no order id): a 503 and a retry answered 200
      request({ at: 17_000, endpoint: 'GET /health', status: 503 }),
      request({ at: 17_500, endpoint: 'GET /health', status: 200, attempt: 2 }),
    ];
    const all = [...failedOver, ...more];
    // THEN operations started in the window: o0–o3 (succeeded), o5 (failed), o6 and o7 (left out),
    // the two probes (one failed, one succeeded); o8 belongs to before the window → 5 / 7
    expect(availabilityDuring(all, outage)).toBeCloseTo(5 / 7, 12);
    // attempts started in the window: 4 + 3 (o5) + 1 (o6) + 2 (o7) + 1 (o8's retry) + 2 (probes) = 13,
    // less the 400 and the 422 = 11 counted; successes: o8's retry and the 200 → 2 / 11
    expect(attemptSuccessRateDuring(all, outage)).toBeCloseTo(2 / 11, 12);
    expect(summarizeFaults(all, [outage]).faults[0]).toMatchObject({ operations: 9, requests: 13 });
  });

  test('is the attempt success rate when no record carries an order id (every attempt its own operation)', () => {
    // THEN 100 attempts in [10 s, 20 s): 40 + 1 failures → 59/100 either way
    expect(availabilityDuring(records, dependencyOutage)).toBeCloseTo(0.59, 12);
    expect(attemptSuccessRateDuring(records, dependencyOutage)).toBeCloseTo(0.59, 12);
    expect(availabilityDuring(records, unnoticed)).toBe(1);
    expect(availabilityDuring(records, fault('no-traffic', 50_000, 60_000))).toBeNull();
    expect(attemptSuccessRateDuring(records, fault('no-traffic', 50_000, 60_000))).toBeNull();
  });
});

describe('recoveryTime', () => {
  test('is the start of the first sliding 5 s window with at least 99% success', () => {
    // THEN [14 s, 19 s) has 49/50 = 98% (the failure at 14.5 s) and does not count;
    // [15 s, 20 s) has 50/50 → 5000 ms after the fault's start
    expect(recoveryTime(records, dependencyOutage)).toBe(5000);
  });

  test('is 0 for a fault the API never noticed', () => {
    expect(recoveryTime(records, unnoticed)).toBe(0);
  });

  test('is null for a fault that never recovered before the observation ended', () => {
    expect(recoveryTime(records, regionOutage)).toBeNull();
  });

  test('a lower threshold accepts the window with one failure', () => {
    // [14 s, 19 s) has 98% ≥ 0.98
    expect(recoveryTime(records, dependencyOutage, { threshold: 0.98 })).toBe(4000);
  });

  test('skips windows without requests and, with minRequests, windows with too few', () => {
    // GIVEN failures every 100 ms from 0 to 1.9 s, silence until 8 s, successes every 100 ms to 13.9 s
    const gap = [...requestsEvery(100, 0, 20, { status: 503 }), ...requestsEvery(100, 8000, 60)];
    const outage = fault('gap', 0, 2000);
    // THEN [2 s, 7 s) and [3 s, 8 s) are empty and skipped; [4 s, 9 s) has 10 successes → 4000
    expect(recoveryTime(gap, outage)).toBe(4000);
    // with at least 20 requests: [5 s, 10 s) holds 8.0–9.9 s = 20 successes → 5000
    expect(recoveryTime(gap, outage, { minRequests: 20 })).toBe(5000);
  });

  test('judges only complete windows: a success streak shorter than the window is not a recovery', () => {
    // GIVEN failures from 0 to 0.9 s, then successes from 1 s to 4.9 s (the run ends there)
    const short = [...requestsEvery(100, 0, 10, { status: 500 }), ...requestsEvery(100, 1000, 40)];
    // THEN no 5 s window fits between the fault's start and the last request
    expect(recoveryTime(short, fault('short', 0, 1000))).toBeNull();
    // unless the caller says the observation went on longer
    expect(recoveryTime(short, fault('short', 0, 1000), { observedUntil: T0 + 6000 })).toBe(1000);
  });

  test('fails if the window or step is not positive', () => {
    expect(() => recoveryTime(records, dependencyOutage, { stepMs: 0 })).toThrow('must be positive');
  });
});

describe('summarizeFaults', () => {
  test('MTTR is the mean recovery time of the faults that recovered; the others are counted apart', () => {
    // WHEN
    const summary = summarizeFaults(records, [dependencyOutage, unnoticed, regionOutage]);
    // THEN recoveries 5000, 0 and never → MTTR (5000 + 0) / 2 = 2500, one unrecovered
    expect(summary.mttrMs).toBe(2500);
    expect(summary.unrecovered).toBe(1);
    expect(
      summary.faults.map((f) => [
        f.name,
        f.requests,
        f.operations,
        f.availability,
        f.attemptSuccessRate,
        f.recoveryMs,
      ]),
    ).toEqual([
      ['dependency-outage', 100, 100, 0.59, 0.59, 5000],
      ['latency-injection', 30, 30, 1, 1, 0],
      ['region-outage', 50, 50, 0, 0, null],
    ]);
  });

  test('availability counts operations and recovery time attempts: failed-over retries do not hide the outage', () => {
    // GIVEN the failed-over orders, and a success every 500 ms from 15 s to 29.5 s
    const run = [...failedOver, ...requestsEvery(500, 15_000, 30)];
    // WHEN
    const [metrics] = summarizeFaults(run, [outage]).faults;
    // THEN in the window: the 4 failed-over orders (their 4 attempts failed, their operations
    // succeeded) and the 10 successes from 15 s → 14 of 14 operations available, 10 of 14 attempts; the first 5 s window with ≥ 99% success starts at 15 s, after the last failure at 14 s → 5000 ms
    expect(metrics).toMatchObject({ operations: 14, requests: 14, availability: 1, recoveryMs: 5000 });
    expect(metrics.attemptSuccessRate).toBeCloseTo(10 / 14, 12);
  });

  test('MTTR is null when no fault recovered', () => {
    const summary = summarizeFaults(records, [regionOutage]);
    expect(summary).toMatchObject({ mttrMs: null, unrecovered: 1 });
  });
});

describe('successRateTimeline', () => {
  test('gives the success rate per 1 s bucket relative to the origin', () => {
    // WHEN from 8 s to 12 s around the fault's start at 10 s
    const timeline = successRateTimeline(records, {
      from: T0 + 8000,
      to: T0 + 12_000,
      origin: dependencyOutage.startedAt,
    });
    // THEN
    expect(timeline).toEqual([
      { second: -2, requests: 10, successRate: 1 },
      { second: -1, requests: 10, successRate: 1 },
      { second: 0, requests: 10, successRate: 0 },
      { second: 1, requests: 10, successRate: 0 },
    ]);
  });

  test('a bucket without requests has no success rate', () => {
    const timeline = successRateTimeline([request({ at: 0 })], { from: T0, to: T0 + 2000 });
    expect(timeline).toEqual([
      { second: 0, requests: 1, successRate: 1 },
      { second: 1, requests: 0, successRate: null },
    ]);
  });
});
