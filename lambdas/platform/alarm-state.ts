/**
 * Data access for CloudWatch alarms: the only module that calls CloudWatch. The load shedder reads
 * its alarm's current state here instead of trusting the state an event carried, so that late or
 * out-of-order events cannot leave the switch wrong.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { requestHandler } from './clients';
import { DependencyUnavailableError } from './data-access';
import { SDK_MAX_ATTEMPTS } from '../contract/sdk-config';

const DEPENDENCY_NAME = 'CloudWatch';

/** The states of a CloudWatch alarm. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** CloudWatch client, created once per container. */
export const cloudWatchClient = new CloudWatchClient({ maxAttempts: SDK_MAX_ATTEMPTS, requestHandler });

/** A metric alarm that does not exist: a configuration error, not an outage. */
export class AlarmNotFoundError extends Error {
  constructor(alarmName: string) {
    super(`No metric alarm named ${alarmName}`);
    this.name = 'AlarmNotFoundError';
  }
}

/** Reads alarm states (needs `cloudwatch:DescribeAlarms` on the alarm). */
export class AlarmStates {
  constructor(private readonly client: CloudWatchClient) {}

  /**
   * The current state of a metric alarm.
   *
   * @throws AlarmNotFoundError when there is no such alarm
   * @throws DependencyUnavailableError for every SDK failure
   */
  async stateOf(alarmName: string): Promise<AlarmStateValue> {
    let state: string | undefined;
    try {
      const { MetricAlarms } = await this.client.send(
        new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm'] }),
      );
      state = MetricAlarms?.[0]?.StateValue;
    } catch (error) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
    }
    if (state === undefined) throw new AlarmNotFoundError(alarmName);
    return state as AlarmStateValue;
  }
}
