import { summarizeColdStarts, type ColdStartEvent } from '../../../load-tests/metrics/cold-starts';

const LEVELS = [
  { name: 'level-1', startedAt: 1_000, endedAt: 2_000 },
  { name: 'level-2', startedAt: 2_000, endedAt: 3_000 },
];
const FAULTS = [
  { name: 'region-outage', startedAt: 5_000, endedAt: 6_000 },
  { name: 'dependency-outage', startedAt: 8_000, endedAt: 9_000 },
];

const coldStart = (fn: string, at: number, initDurationMs = 100): ColdStartEvent => ({
  function: fn,
  at,
  initDurationMs,
});

describe('summarizeColdStarts', () => {
  test('counts each cold start in the part of the run it fell in, in run order', () => {
    const summary = summarizeColdStarts(
      [
        coldStart('Health', 500),
        coldStart('GetOrder', 1_500),
        coldStart('GetOrder', 2_500),
        coldStart('GetOrder', 2_600),
        coldStart('CreateOrder', 4_000),
        coldStart('CreateOrder', 5_500),
        coldStart('GetOrder', 7_000),
        coldStart('ProcessOrders', 9_500),
      ],
      LEVELS,
      FAULTS,
    );
    expect(summary.total).toBe(8);
    expect(summary.parts.map(({ initDurationMs: _durations, ...part }) => part)).toEqual([
      { part: 'before the load', count: 1, functions: [{ function: 'Health', count: 1 }] },
      { part: 'level-1', count: 1, functions: [{ function: 'GetOrder', count: 1 }] },
      { part: 'level-2', count: 2, functions: [{ function: 'GetOrder', count: 2 }] },
      // Between the last level and the first fault: the load's end, not a fault's recovery.
      { part: 'after the load', count: 1, functions: [{ function: 'CreateOrder', count: 1 }] },
      { part: 'region-outage', count: 1, functions: [{ function: 'CreateOrder', count: 1 }] },
      { part: 'after region-outage', count: 1, functions: [{ function: 'GetOrder', count: 1 }] },
      { part: 'after dependency-outage', count: 1, functions: [{ function: 'ProcessOrders', count: 1 }] },
    ]);
  });

  test('gives the median (nearest rank) and the largest init duration, of the run and of each part', () => {
    const summary = summarizeColdStarts(
      [
        coldStart('A', 1_100, 300),
        coldStart('B', 1_200, 90),
        coldStart('C', 1_300, 120),
        coldStart('D', 2_100, 70),
        coldStart('E', 2_200, 80),
      ],
      LEVELS,
      [],
    );
    expect(summary.initDurationMs).toEqual({ median: 90, max: 300 });
    expect(summary.parts.map(({ part, initDurationMs }) => [part, initDurationMs])).toEqual([
      ['level-1', { median: 120, max: 300 }],
      ['level-2', { median: 70, max: 80 }],
    ]);
  });

  test('without cold starts: zero, no parts, no durations', () => {
    expect(summarizeColdStarts([], LEVELS, FAULTS)).toEqual({
      total: 0,
      initDurationMs: { median: null, max: null },
      parts: [],
    });
  });
});
