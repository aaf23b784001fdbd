import {
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

describe('availabilityDuring', () => {
  test('is the success rate of the attempts started in the fault window', () => {
    // THEN 100 attempts in [10 s, 20 s): 40 + 1 failures → 59/100
    expect(availabilityDuring(records, dependencyOutage)).toBeCloseTo(0.59, 12);
    expect(availabilityDuring(records, unnoticed)).toBe(1);
    expect(availabilityDuring(records, fault('no-traffic', 50_000, 60_000))).toBeNull();
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
    expect(summary.faults.map((f) => [f.name, f.requests, f.availability, f.recoveryMs])).toEqual([
      ['dependency-outage', 100, 0.59, 5000],
      ['latency-injection', 30, 1, 0],
      ['region-outage', 50, 0, null],
    ]);
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
