import { summarizeRequests, spanOf } from '../../../load-tests/metrics/request-metrics';
import { outcomeOf, successRate } from '../../../load-tests/metrics/outcome';
import { request, requestsEvery, T0 } from './synthetic-records';

describe('outcomeOf', () => {
  test('classifies statuses and missing responses', () => {
    expect(outcomeOf(request({ status: 202 }))).toBe('success');
    expect(outcomeOf(request({ status: 429 }))).toBe('throttled');
    expect(outcomeOf(request({ status: 409 }))).toBe('client-error');
    expect(outcomeOf(request({ status: 503 }))).toBe('server-error');
    expect(outcomeOf(request({ status: null, failure: 'timeout' }))).toBe('no-response');
    expect(outcomeOf(request({ status: 302 }))).toBe('other');
  });
});

describe('successRate', () => {
  test("leaves the client's own 4xx mistakes out, but counts 408 and 429 as failures", () => {
    // GIVEN 6 successes, one 400, one 404 (left out), one 408, one 429, one 500, one timeout
    const records = [
      ...requestsEvery(10, 0, 6),
      request({ status: 400 }),
      request({ status: 404 }),
      request({ status: 408 }),
      request({ status: 429, retryAfter: true }),
      request({ status: 500 }),
      request({ status: null, failure: 'timeout' }),
    ];
    // THEN 6 / (12 − 2) = 0.6
    expect(successRate(records)).toBeCloseTo(0.6, 12);
  });

  test('is null when only client mistakes are left', () => {
    expect(successRate([request({ status: 400 })])).toBeNull();
    expect(successRate([])).toBeNull();
  });
});

describe('summarizeRequests', () => {
  test('computes throughput, error rates apart from 429s and 4xx, and latency of successes only', () => {
    // GIVEN in a 10 s window: 16 successes with latencies 10..160 ms, 2 × 429, 1 × 400, 2 × 502,
    // 1 timeout (5000 ms) and 1 connection failure; plus one success started after the window
    const successes = Array.from({ length: 16 }, (_, index) =>
      request({ at: index * 500, latencyMs: (index + 1) * 10, status: 201 }),
    );
    const records = [
      ...successes,
      request({ at: 100, status: 429, retryAfter: true, latencyMs: 1 }),
      request({ at: 200, status: 429, retryAfter: true, latencyMs: 1 }),
      request({ at: 300, status: 400, latencyMs: 2 }),
      request({ at: 400, status: 502, latencyMs: 900 }),
      request({ at: 600, status: 502, latencyMs: 900 }),
      request({ at: 700, status: null, failure: 'timeout', latencyMs: 5000 }),
      request({ at: 800, status: null, failure: 'connection', latencyMs: 3 }),
      request({ at: 10_000, status: 201 }),
    ];
    // WHEN
    const metrics = summarizeRequests(records, { startedAt: T0, endedAt: T0 + 10_000 });
    // THEN 23 requests started in the window (the one at exactly 10 000 ms is out: the end is exclusive)
    expect(metrics.requests).toBe(23);
    expect(metrics).toMatchObject({
      successes: 16,
      throttled: 2,
      clientErrors: 1,
      serverErrors: 2,
      timeouts: 1,
      connectionFailures: 1,
    });
    // throughput = 16 successes / 10 s = 1.6 /s
    expect(metrics.throughputPerSecond).toBeCloseTo(1.6, 12);
    // error rate = (2 × 502 + timeout + connection) / 23 = 4/23
    expect(metrics.errorRate).toBeCloseTo(4 / 23, 12);
    expect(metrics.throttleRate).toBeCloseTo(2 / 23, 12);
    expect(metrics.clientErrorRate).toBeCloseTo(1 / 23, 12);
    // success rate = 16 / (23 − one 400) = 16/22
    expect(metrics.successRate).toBeCloseTo(16 / 22, 12);
    // latency over the 16 successes 10..160: mean 85; p50 rank 8 → 80; p95 rank ceil(15.2)=16 → 160;
    // p99 rank 16 → 160 (the 5000 ms timeout and the 1 ms 429s are not in it)
    expect(metrics.latency).toEqual({ count: 16, avgMs: 85, p50Ms: 80, p95Ms: 160, p99Ms: 160, maxMs: 160 });
  });

  test('defaults the window to the span from the first start to the last answer', () => {
    // GIVEN starts at 0 and 1500 ms, the last answered after 500 ms → span 2000 ms
    const records = [request({ at: 0 }), request({ at: 1500, latencyMs: 500 })];
    // THEN throughput = 2 / 2 s
    expect(spanOf(records)).toEqual({ startedAt: T0, endedAt: T0 + 2000 });
    expect(summarizeRequests(records).throughputPerSecond).toBeCloseTo(1, 12);
  });

  test('fails if the window is empty', () => {
    expect(() => summarizeRequests([], { startedAt: T0, endedAt: T0 })).toThrow('must end after it starts');
    expect(() => spanOf([])).toThrow('no requests');
  });
});
