import { nearestRankPercentile, summarizeLatencies } from '../../../load-tests/metrics/latency';

describe('nearestRankPercentile', () => {
  test('takes the value at rank ceil(p/100 × n), never interpolating', () => {
    // GIVEN 1..20 sorted
    const values = Array.from({ length: 20 }, (_, index) => index + 1);
    // THEN p50 → rank ceil(10) = 10 → 10; p95 → rank ceil(19) = 19 → 19; p99 → rank ceil(19.8) = 20 → 20
    expect(nearestRankPercentile(values, 50)).toBe(10);
    expect(nearestRankPercentile(values, 95)).toBe(19);
    expect(nearestRankPercentile(values, 99)).toBe(20);
    // p0 → rank 1; p100 → rank 20
    expect(nearestRankPercentile(values, 0)).toBe(1);
    expect(nearestRankPercentile(values, 100)).toBe(20);
  });

  test('with few values the high percentiles are the maximum', () => {
    // 3 values: p50 → rank ceil(1.5) = 2; p95 → rank ceil(2.85) = 3
    expect(nearestRankPercentile([5, 7, 100], 50)).toBe(7);
    expect(nearestRankPercentile([5, 7, 100], 95)).toBe(100);
  });

  test('is null for no values', () => {
    expect(nearestRankPercentile([], 95)).toBeNull();
  });

  test('fails if the percentile is outside 0..100', () => {
    expect(() => nearestRankPercentile([1], 101)).toThrow('between 0 and 100 inclusive (given 101)');
    expect(() => nearestRankPercentile([1], Number.NaN)).toThrow('given NaN');
  });
});

describe('summarizeLatencies', () => {
  test('computes mean, percentiles and maximum of unsorted values', () => {
    // GIVEN 10 latencies whose sorted order is 10, 20, …, 100
    const latencies = [100, 30, 10, 90, 50, 70, 20, 80, 40, 60];
    // WHEN
    const summary = summarizeLatencies(latencies);
    // THEN mean = 550 / 10 = 55; p50 → rank 5 → 50; p95 → rank ceil(9.5) = 10 → 100; p99 → rank 10 → 100
    expect(summary).toEqual({ count: 10, avgMs: 55, p50Ms: 50, p95Ms: 100, p99Ms: 100, maxMs: 100 });
  });

  test('is all null for no values', () => {
    expect(summarizeLatencies([])).toEqual({
      count: 0,
      avgMs: null,
      p50Ms: null,
      p95Ms: null,
      p99Ms: null,
      maxMs: null,
    });
  });
});
