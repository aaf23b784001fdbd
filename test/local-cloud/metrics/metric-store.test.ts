import { computeStatistic, MetricStore } from '../../../local-cloud/metrics/metric-store';

const metric = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' } };

describe('MetricStore', () => {
  test('a statistic covers the datapoints with start <= timestamp < end of that exact metric', () => {
    const store = new MetricStore(60_000);
    for (const [timestamp, value] of [
      [1_000, 1],
      [2_000, 0],
      [3_000, 1],
    ]) {
      store.put({ ...metric, timestamp, value });
    }
    store.put({ ...metric, dimensions: { FunctionName: 'other' }, timestamp: 2_000, value: 5 });
    expect(store.statistic(metric, 'Sum', 1_000, 3_000)).toBe(1);
    expect(store.statistic(metric, 'SampleCount', 0, 4_000)).toBe(3);
    expect(store.statistic(metric, 'Average', 0, 4_000)).toBeCloseTo(2 / 3);
    expect(store.statistic(metric, 'Sum', 5_000, 6_000)).toBeUndefined();
  });

  test('dimensions match whatever their order', () => {
    const store = new MetricStore(60_000);
    store.put({ namespace: 'N', metricName: 'M', dimensions: { A: '1', B: '2' }, timestamp: 1, value: 1 });
    expect(
      store.statistic({ namespace: 'N', metricName: 'M', dimensions: { B: '2', A: '1' } }, 'Sum', 0, 2),
    ).toBe(1);
  });

  test('datapoints older than the retention are dropped', () => {
    const store = new MetricStore(1_000);
    for (let timestamp = 0; timestamp <= 10_000; timestamp += 100)
      store.put({ ...metric, timestamp, value: 1 });
    expect(store.values(metric, 0, 8_000)).toHaveLength(0);
    expect(store.values(metric, 9_000, 10_001)).toHaveLength(11);
  });
});

describe('computeStatistic', () => {
  test.each([
    ['Maximum', [3, 9, 1], 9],
    ['Minimum', [3, 9, 1], 1],
    ['p50', [1, 2, 3, 4], 2],
    ['p99', Array.from({ length: 100 }, (_, index) => index + 1), 99],
    ['p100', [1, 7], 7],
  ])('%s of %j is %d', (statistic, values, expected) => {
    expect(computeStatistic(statistic, values)).toBe(expected);
  });

  test('fails if the statistic is not computed locally', () => {
    expect(() => computeStatistic('tm99', [1])).toThrow('Statistic tm99 is not computed locally');
  });
});
