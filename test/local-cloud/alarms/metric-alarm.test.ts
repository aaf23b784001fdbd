import { parseCompositeRule } from '../../../local-cloud/alarms/composite-rule';
import {
  evaluateMetricAlarm,
  parseMathExpression,
  readMetricAlarm,
} from '../../../local-cloud/alarms/metric-alarm';
import { MetricStore } from '../../../local-cloud/metrics/metric-store';

const resolveString = (value: unknown) => String(value);
const errors = { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: 'f' } };

/** An alarm on the function's errors, as the monitoring construct synthesizes it (one 60 s period). */
function errorsAlarm(overrides: Record<string, unknown> = {}) {
  return readMetricAlarm(
    {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'f' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      ...overrides,
    },
    resolveString,
  );
}

describe('metric alarms', () => {
  const NOW = 1_000_000;

  test('the last period breaching the threshold puts the alarm in ALARM', () => {
    const store = new MetricStore(600_000);
    store.put({ ...errors, timestamp: NOW - 30_000, value: 1 });
    const result = evaluateMetricAlarm(errorsAlarm(), store, NOW, 60_000, 'OK');
    expect(result.state).toBe('ALARM');
    expect(result.values).toEqual([1]);
  });

  test('a datapoint older than the period no longer counts', () => {
    const store = new MetricStore(600_000);
    store.put({ ...errors, timestamp: NOW - 61_000, value: 1 });
    expect(evaluateMetricAlarm(errorsAlarm(), store, NOW, 60_000, 'ALARM').state).toBe('OK');
  });

  test('a scaled period looks back that much less', () => {
    const store = new MetricStore(600_000);
    store.put({ ...errors, timestamp: NOW - 2_000, value: 1 });
    expect(evaluateMetricAlarm(errorsAlarm(), store, NOW, 1_000, 'ALARM').state).toBe('OK');
    expect(evaluateMetricAlarm(errorsAlarm(), store, NOW, 3_000, 'OK').state).toBe('ALARM');
  });

  // "Configuring how CloudWatch alarms treat missing data", CloudWatch user guide.
  test.each([
    ['notBreaching', 'ALARM', 'OK'],
    ['breaching', 'OK', 'ALARM'],
    ['ignore', 'ALARM', 'ALARM'],
    ['missing', 'OK', 'INSUFFICIENT_DATA'],
  ] as const)('without data, %s takes the alarm from %s to %s', (treatMissingData, current, expected) => {
    const result = evaluateMetricAlarm(
      errorsAlarm({ TreatMissingData: treatMissingData }),
      new MetricStore(1),
      NOW,
      60_000,
      current,
    );
    expect(result.state).toBe(expected);
  });

  test('M out of N: two breaching periods of three are needed', () => {
    const alarm = errorsAlarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    const store = new MetricStore(600_000);
    store.put({ ...errors, timestamp: NOW - 150_000, value: 1 });
    expect(evaluateMetricAlarm(alarm, store, NOW, 60_000, 'OK').state).toBe('OK');
    store.put({ ...errors, timestamp: NOW - 10_000, value: 2 });
    expect(evaluateMetricAlarm(alarm, store, NOW, 60_000, 'OK')).toMatchObject({
      state: 'ALARM',
      values: [2, undefined, 1],
    });
  });

  test('metric math: FILL and sums over the queries, the returned one compared', () => {
    const alarm = readMetricAlarm(
      {
        Metrics: [
          { Id: 'total', Expression: 'FILL(a, 0) + FILL(b, 0)', ReturnData: true },
          {
            Id: 'a',
            ReturnData: false,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Errors',
                Dimensions: [{ Name: 'FunctionName', Value: 'f' }],
              },
              Stat: 'Sum',
              Period: 60,
            },
          },
          {
            Id: 'b',
            ReturnData: false,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Errors',
                Dimensions: [{ Name: 'FunctionName', Value: 'g' }],
              },
              Stat: 'Sum',
              Period: 60,
            },
          },
        ],
        Threshold: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      },
      resolveString,
    );
    const store = new MetricStore(600_000);
    store.put({ ...errors, timestamp: NOW - 1_000, value: 2 });
    expect(evaluateMetricAlarm(alarm, store, NOW, 60_000, 'OK')).toMatchObject({
      state: 'ALARM',
      values: [2],
    });
  });

  test('fails if the alarm uses what the local cloud does not evaluate, saying what', () => {
    expect(() => errorsAlarm({ ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' })).toThrow(
      'anomaly detection',
    );
    expect(() => errorsAlarm({ Statistic: undefined, ExtendedStatistic: 'tm90' })).toThrow('statistic tm90');
    expect(() => parseMathExpression('ANOMALY_DETECTION_BAND(m1)')).toThrow(
      'metric math function ANOMALY_DETECTION_BAND is not evaluated locally',
    );
  });
});

describe('composite alarm rules', () => {
  const states = {
    a: 'ALARM',
    b: 'OK',
    'arn:aws:cloudwatch:us-east-1:1:alarm:c': 'INSUFFICIENT_DATA',
  } as const;
  const stateOf = (alarm: string) => states[alarm as keyof typeof states];

  test.each([
    ['ALARM("a") OR ALARM("b")', true],
    ['ALARM(a) AND ALARM(b)', false],
    ['ALARM(a) AND NOT ALARM(b)', true],
    ['OK(b) AND (ALARM(b) OR INSUFFICIENT_DATA("arn:aws:cloudwatch:us-east-1:1:alarm:c"))', true],
    ['TRUE AND NOT FALSE', true],
  ])('%s is %s', (rule, expected) => {
    expect(parseCompositeRule(rule).evaluate(stateOf)).toBe(expected);
  });

  test('lists the alarms it reads', () => {
    expect(parseCompositeRule('ALARM("a") OR OK(b)').alarms).toEqual(['a', 'b']);
  });

  test('fails if the rule does not parse', () => {
    expect(() => parseCompositeRule('ALARM("a") OR')).toThrow('Alarm rule: expected ALARM(…)');
  });
});
