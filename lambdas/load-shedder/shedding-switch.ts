/**
 * What the load shedder decides, as pure functions: what invoked it, and the value of the shedding
 * stage variable for the alarm's current state.
 */
import type { AlarmStateValue } from '../platform/alarm-state';
import { NOT_SHEDDING, SHEDDING } from '../contract/load-shedding';

/**
 * The events that invoke the switch: the part of an EventBridge "CloudWatch Alarm State Change" or
 * "Scheduled Event" the switch reads.
 */
export interface SwitchEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: {
    readonly alarmName?: string;
    readonly state?: { readonly value?: string };
  };
}

/** What invoked the switch: a state change of its alarm, or the schedule that makes it converge. */
export type SwitchTrigger =
  | { readonly kind: 'alarm-state-change'; readonly alarmName?: string; readonly state?: string }
  | { readonly kind: 'schedule' };

/** An event that is neither an alarm state change nor a scheduled event. */
export class UnexpectedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedEventError';
  }
}

/** The decision for the alarm's current state. */
export interface SheddingDecision {
  readonly alarmName: string;
  readonly alarmState: AlarmStateValue;
  /** Value for the shedding stage variable. */
  readonly shedding: typeof SHEDDING | typeof NOT_SHEDDING;
}

/**
 * What invoked the switch. The state an alarm event carries is only logged: the switch acts on the
 * alarm's state when it runs, so that an event delivered late or out of order cannot undo a newer one.
 *
 * @throws UnexpectedEventError for any other event
 */
export function triggerOf(event: SwitchEvent): SwitchTrigger {
  if (event.source === 'aws.cloudwatch' && event['detail-type'] === 'CloudWatch Alarm State Change') {
    return {
      kind: 'alarm-state-change',
      alarmName: event.detail?.alarmName,
      state: event.detail?.state?.value,
    };
  }
  if (event.source === 'aws.events' && event['detail-type'] === 'Scheduled Event')
    return { kind: 'schedule' };
  throw new UnexpectedEventError(
    `Expected a CloudWatch Alarm State Change or a Scheduled Event (given source ${String(event.source)}, detail-type ${String(event['detail-type'])})`,
  );
}

/**
 * Shed while the queue-age alarm is in ALARM; accept in OK and in INSUFFICIENT_DATA (no data says
 * nothing about a backlog, and shedding on missing data would turn a metrics outage into an API
 * outage).
 */
export function decideShedding(alarmName: string, alarmState: AlarmStateValue): SheddingDecision {
  return { alarmName, alarmState, shedding: alarmState === 'ALARM' ? SHEDDING : NOT_SHEDDING };
}
