import { parseFaultCommand } from '../../../local-cloud/control/fault-commands';

describe('parseFaultCommand: alarm', () => {
  test('forces an alarm state, in any letter case', () => {
    expect(parseFaultCommand(['alarm', 'QueueAge', 'alarm'])).toEqual({
      kind: 'alarm',
      alarm: 'QueueAge',
      state: 'ALARM',
    });
    expect(parseFaultCommand(['alarm', 'QueueAge', 'OK'])).toMatchObject({ state: 'OK' });
  });

  test('fails if the state is not an alarm state', () => {
    expect(() => parseFaultCommand(['alarm', 'QueueAge', 'RED'])).toThrow(
      'Alarm state must be one of OK, ALARM, INSUFFICIENT_DATA (given RED)',
    );
  });

  test('fails if no alarm is named', () => {
    expect(() => parseFaultCommand(['alarm'])).toThrow('alarm needs an alarm name or logical id');
  });
});

describe('parseFaultCommand: dependency faults', () => {
  test('dynamodb-hang makes DynamoDB accept connections and never answer, in one region or all', () => {
    expect(parseFaultCommand(['dynamodb-hang', 'us-west-2'])).toEqual({
      kind: 'dynamodb',
      region: 'us-west-2',
      fault: { hang: true },
    });
    expect(parseFaultCommand(['dynamodb-hang'])).toEqual({
      kind: 'dynamodb',
      region: undefined,
      fault: { hang: true },
    });
    expect(parseFaultCommand(['dynamodb-up'])).toEqual({ kind: 'dynamodb', region: undefined, fault: {} });
  });
});
