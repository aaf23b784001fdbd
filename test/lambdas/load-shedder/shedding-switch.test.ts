import { decideShedding } from '../../../lambdas/load-shedder/shedding-switch';

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
  ])('alarm state %s sets shedding to %s', (state, shedding) => {
    expect(decideShedding(stateChange(state))).toEqual({
      alarmName: 'queue-age',
      alarmState: state,
      shedding,
    });
  });

  test('fails if the event is not an alarm state change', () => {
    expect(() => decideShedding({ source: 'aws.s3', 'detail-type': 'Object Created' })).toThrow(
      'Expected a CloudWatch Alarm State Change event (given source aws.s3, detail-type Object Created)',
    );
  });

  test('fails if the state is unknown', () => {
    expect(() => decideShedding(stateChange('MAYBE'))).toThrow(
      'Alarm state must be one of ALARM, OK, INSUFFICIENT_DATA (given MAYBE)',
    );
  });
});
