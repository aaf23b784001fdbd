import { AlarmRegistry, matchesPattern, type InvokeTarget } from '../../../local-cloud/alarms/alarm-registry';
import { MetricStore } from '../../../local-cloud/metrics/metric-store';
import { templateStack } from '../template-stack';
import { TEST_ACCOUNT } from '../../harness/local-aws';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:switch';

/** A stack with two alarms and one rule on the first alarm's state changes. */
function registry(invokeTarget: InvokeTarget) {
  const template = {
    Resources: {
      QueueAgeAlarm1234: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmDescription: 'age' } },
      ErrorsAlarm5678: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'errors' } },
      Switch: { Type: 'AWS::Lambda::Function', Properties: {} },
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change'],
            resources: [{ 'Fn::GetAtt': ['QueueAgeAlarm1234', 'Arn'] }],
          },
          Targets: [{ Arn: { 'Fn::GetAtt': ['Switch', 'Arn'] }, Id: 'Target0' }],
        },
      },
    },
  };
  const { stack, resolver } = templateStack(template);
  resolver.register('Switch', { ref: 'switch', attributes: { Arn: FUNCTION_ARN } });
  return new AlarmRegistry({
    stacks: [{ stack, resolver, region: 'us-east-1', accountId: TEST_ACCOUNT }],
    invokeTarget,
    clock: () => 1_700_000_000_000,
  });
}

describe('AlarmRegistry', () => {
  test('lists the alarms in OK, named from the template or from stack and logical id', () => {
    const alarms = registry(async () => {}).list();
    expect(alarms.map((alarm) => [alarm.alarmName, alarm.state])).toEqual([
      ['Api-QueueAgeAlarm1234', 'OK'],
      ['errors', 'OK'],
    ]);
    expect(alarms[0].alarmArn).toBe('arn:aws:cloudwatch:us-east-1:111111111111:alarm:Api-QueueAgeAlarm1234');
  });

  test('a state change invokes the matching rule’s function with the CloudWatch event', async () => {
    // GIVEN a rule on the queue-age alarm
    const deliveries: Array<[string, unknown]> = [];
    const alarms = registry((arn, event) => {
      deliveries.push([arn, event]);
      return Promise.resolve();
    });
    // WHEN the alarm goes to ALARM (named by part of its logical id), then again to ALARM
    await alarms.setState('QueueAge', 'ALARM');
    await alarms.setState('QueueAge', 'ALARM');
    // THEN the function got one event, shaped as CloudWatch publishes it
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0][0]).toBe(FUNCTION_ARN);
    expect(deliveries[0][1]).toMatchObject({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      resources: ['arn:aws:cloudwatch:us-east-1:111111111111:alarm:Api-QueueAgeAlarm1234'],
      detail: {
        alarmName: 'Api-QueueAgeAlarm1234',
        state: { value: 'ALARM' },
        previousState: { value: 'OK' },
      },
    });
  });

  test('a change of an alarm no rule watches invokes nothing', async () => {
    const deliveries: string[] = [];
    const alarms = registry((arn) => {
      deliveries.push(arn);
      return Promise.resolve();
    });
    await alarms.setState('errors', 'ALARM');
    expect(alarms.find('errors').state).toBe('ALARM');
    expect(deliveries).toEqual([]);
  });

  test('fails if the reference matches no alarm, naming the alarms', () => {
    expect(() => registry(async () => {}).find('Nope')).toThrow(
      'No local alarm Nope (alarms: Api/QueueAgeAlarm1234, Api/ErrorsAlarm5678)',
    );
  });

  test('fails if the reference matches several alarms', () => {
    expect(() => registry(async () => {}).find('Alarm')).toThrow('Alarm reference Alarm is ambiguous');
  });
});

describe('matchesPattern', () => {
  const event = { source: 'aws.cloudwatch', resources: ['a', 'b'], detail: { state: { value: 'OK' } } };

  test.each([
    [{ source: ['aws.cloudwatch'] }, true],
    [{ source: ['aws.s3'] }, false],
    [{ resources: ['b'] }, true],
    [{ detail: { state: { value: ['OK', 'ALARM'] } } }, true],
    [{ detail: { state: { value: ['ALARM'] } } }, false],
    [{ missing: ['x'] }, false],
    [{ source: [{ prefix: 'aws.' }] }, false],
  ])('%j matches: %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

describe('AlarmRegistry with computed metrics', () => {
  const NOW = 1_700_000_000_000;
  const ERRORS_ALARM = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: 'errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'f' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    },
  };

  function computedRegistry(invokeTarget: InvokeTarget = async () => {}) {
    const template = {
      Resources: {
        Errors: ERRORS_ALARM,
        Unhealthy: {
          Type: 'AWS::CloudWatch::CompositeAlarm',
          Properties: {
            AlarmName: 'unhealthy',
            AlarmRule: { 'Fn::Join': ['', ['ALARM("', { 'Fn::GetAtt': ['Errors', 'Arn'] }, '")']] },
          },
        },
        Switch: { Type: 'AWS::Lambda::Function', Properties: {} },
        Schedule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: 'rate(1 minute)',
            Targets: [{ Arn: { 'Fn::GetAtt': ['Switch', 'Arn'] }, Id: 'T' }],
          },
        },
      },
    };
    const { stack, resolver } = templateStack(template);
    resolver.register('Switch', { ref: 'switch', attributes: { Arn: FUNCTION_ARN } });
    const store = new MetricStore(3_600_000);
    const changes: string[] = [];
    const registry = new AlarmRegistry({
      stacks: [{ stack, resolver, region: 'us-east-1', accountId: TEST_ACCOUNT }],
      invokeTarget,
      clock: () => NOW,
      evaluation: { store, timeScale: 60 },
      onStateChange: (alarm, previous) => changes.push(`${alarm.alarmName} ${previous}→${alarm.state}`),
    });
    return { registry, store, changes };
  }

  test('alarms start in INSUFFICIENT_DATA and follow the metrics; the composite follows its rule', () => {
    // GIVEN a function error inside the (scaled) 300 s period
    const { registry, store, changes } = computedRegistry();
    expect(registry.find('errors').state).toBe('INSUFFICIENT_DATA');
    store.put({
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: 'f' },
      value: 1,
      timestamp: NOW - 1_000,
    });
    // WHEN the registry evaluates
    registry.evaluate();
    // THEN the alarm is in ALARM from the computed value, and the composite with it
    expect(registry.find('errors')).toMatchObject({
      state: 'ALARM',
      stateReason: expect.stringMatching(/^Computed locally: \[1\]/) as string,
    });
    expect(registry.find('unhealthy').state).toBe('ALARM');
    expect(changes).toEqual(['errors INSUFFICIENT_DATA→ALARM', 'unhealthy INSUFFICIENT_DATA→ALARM']);
  });

  test('a forced state lasts until the next evaluation, as SetAlarmState on AWS', async () => {
    const { registry } = computedRegistry();
    registry.evaluate();
    await registry.setState('errors', 'ALARM', 'forced');
    expect(registry.find('errors')).toMatchObject({ state: 'ALARM', forced: true });
    registry.evaluate();
    expect(registry.find('errors')).toMatchObject({ state: 'OK', forced: false });
  });

  test('evaluates every minute divided by the time scale, and a rate(…) rule sends Scheduled Events', async () => {
    const events: unknown[] = [];
    const { registry } = computedRegistry((_arn, event) => {
      events.push(event);
      return Promise.resolve();
    });
    expect(registry.evaluationIntervalMillis).toBe(1_000);
    registry.start();
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    await registry.stop();
    expect(events[0]).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      resources: [expect.stringContaining(':rule/Api-Schedule')],
    });
  });
});
