import { decideShedding, triggerOf } from '../../../lambdas/load-shedder/shedding-switch';

const stateChange = (value: string) => ({
  source: 'aws.cloudwatch',
  'detail-type': 'CloudWatch Alarm State Change',
  detail: { alarmName: 'queue-age', state: { value } },
});

describe('decideShedding', () => {
  test.each([
    ['ALARM', 'true'],
    ['OK', 'false'],
    ['INSUFFICIENT_DATA', 'false'],
  ] as const)('alarm state %s sets shedding to %s', (state, shedding) => {
    expect(decideShedding('queue-age', state)).toEqual({
      alarmName: 'queue-age',
      alarmState: state,
      shedding,
    });
  });
});

describe('triggerOf', () => {
  test('an alarm state change, with the state it carries (logged, not acted on)', () => {
    expect(triggerOf(stateChange('OK'))).toEqual({
      kind: 'alarm-state-change',
      alarmName: 'queue-age',
      state: 'OK',
    });
  });

  test('the convergence schedule', () => {
    // The event EventBridge sends a scheduled rule's targets ("Scheduled Event", source aws.events).
    expect(triggerOf({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toEqual({
      kind: 'schedule',
    });
  });

  test('fails if the event is neither', () => {
    expect(() => triggerOf({ source: 'aws.s3', 'detail-type': 'Object Created' })).toThrow(
      'Expected a CloudWatch Alarm State Change or a Scheduled Event (given source aws.s3, detail-type Object Created)',
    );
  });
});
