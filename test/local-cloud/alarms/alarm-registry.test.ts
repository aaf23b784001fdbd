import { AlarmRegistry, matchesPattern, type InvokeTarget } from '../../../local-cloud/alarms/alarm-registry';
import type { AssemblyStack } from '../../../local-cloud/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../../local-cloud/assembly/intrinsic-resolver';

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
  const stack = { stackName: 'Api', template } as unknown as AssemblyStack;
  const resolver = new IntrinsicResolver({
    stackName: 'Api',
    template,
    region: 'us-east-1',
    accountId: '111111111111',
  });
  resolver.register('Switch', { ref: 'switch', attributes: { Arn: FUNCTION_ARN } });
  return new AlarmRegistry({
    stacks: [{ stack, resolver, region: 'us-east-1', accountId: '111111111111' }],
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
