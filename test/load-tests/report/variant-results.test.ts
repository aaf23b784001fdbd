import type { RequestRecord } from '../../../load-tests/metrics';
import { buildVariantResults, type VariantRunData } from '../../../load-tests/report/variant-results';

const T0 = Date.UTC(2026, 0, 1);

// GIVEN 10 requests/s for 20 s: a 10 s level, then a fault from 10 s to 15 s during which the first
// 2 s fail with 500; orders o0…o199 acknowledged except the failed ones
const records: RequestRecord[] = Array.from({ length: 200 }, (_, i) => {
  const at = i * 100;
  const failed = at >= 10_000 && at < 12_000;
  return {
    startedAt: T0 + at,
    latencyMs: 20,
    status: failed ? 500 : 202,
    retryAfter: false,
    endpoint: 'POST /orders',
    attempt: 1,
    orderId: `o${i}`,
  };
});

const run: VariantRunData = {
  variant: 'async',
  records,
  loadLevels: [{ name: 'ramp-1', targetRps: 10, window: { startedAt: T0, endedAt: T0 + 10_000 } }],
  faults: [
    { name: 'dependency-outage', description: 'DynamoDB down', startedAt: T0 + 10_000, endedAt: T0 + 15_000 },
  ],
  timelineMarginSeconds: 2,
  storedOrderIds: (id) => id !== 'o150',
};

describe('buildVariantResults', () => {
  test('computes levels, faults, timeline and lost acknowledgements from the records', () => {
    // WHEN
    const results = buildVariantResults(run);
    // THEN the level: 100 attempts, all 202 → 10/s
    expect(results.loadLevels[0].metrics).toMatchObject({
      requests: 100,
      successes: 100,
      throughputPerSecond: 10,
    });
    // the fault: 50 orders of one attempt each, 20 failed → 60% of operations and of attempts;
    // first clean 5 s window starts 2 s in
    expect(results.faults[0]).toMatchObject({
      description: 'DynamoDB down',
      requests: 50,
      operations: 50,
      availability: 0.6,
      attemptSuccessRate: 0.6,
      recoveryMs: 2000,
    });
    expect(results.mttrMs).toBe(2000);
    // timeline from 2 s before the fault to 2 s after it ends: 9 buckets, 0% in the first two fault seconds
    expect(results.timeline?.buckets.map((b) => [b.second, b.successRate])).toEqual([
      [-2, 1],
      [-1, 1],
      [0, 0],
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 1],
    ]);
    expect(results.timeline).toMatchObject({
      fault: 'dependency-outage',
      faultFromSecond: 0,
      faultToSecond: 5,
    });
    // 180 acknowledged (20 got 500); o150 is not stored
    expect(results.lostAcknowledgements).toEqual({ acknowledged: 180, lostIds: ['o150'] });
  });

  test('fails if the timeline names a fault that was not injected', () => {
    expect(() => buildVariantResults({ ...run, timelineFault: 'region-outage' })).toThrow(
      'No fault is named region-outage (faults: dependency-outage)',
    );
  });
});
