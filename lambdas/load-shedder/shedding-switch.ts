/**
 * What the load shedder decides, as a pure function: the value of the shedding stage variable for
 * the state an alarm entered.
 */
import { NOT_SHEDDING, SHEDDING } from '../shared/load-shedding';

/** The part of an EventBridge "CloudWatch Alarm State Change" event the load shedder reads. */
export interface AlarmStateChangeEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: {
    readonly alarmName?: string;
    readonly state?: { readonly value?: string };
  };
}

/** An event that is not a CloudWatch alarm state change, or has no known state. */
export class UnexpectedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedEventError';
  }
}

/** The decision for one alarm state change. */
export interface SheddingDecision {
  readonly alarmName: string;
  readonly alarmState: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  /** Value for the shedding stage variable. */
  readonly shedding: typeof SHEDDING | typeof NOT_SHEDDING;
}

const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

/**
 * Shed while the queue-age alarm is in ALARM; accept in OK and in INSUFFICIENT_DATA (no data says
 * nothing about a backlog, and shedding on missing data would turn a metrics outage into an API
 * outage).
 *
 * @throws UnexpectedEventError for any other event
 */
export function decideShedding(event: AlarmStateChangeEvent): SheddingDecision {
  if (event.source !== 'aws.cloudwatch' || event['detail-type'] !== 'CloudWatch Alarm State Change') {
    throw new UnexpectedEventError(
      `Expected a CloudWatch Alarm State Change event (given source ${String(event.source)}, detail-type ${String(event['detail-type'])})`,
    );
  }
  const alarmState = event.detail?.state?.value;
  if (!ALARM_STATES.includes(alarmState as (typeof ALARM_STATES)[number])) {
    throw new UnexpectedEventError(
      `Alarm state must be one of ${ALARM_STATES.join(', ')} (given ${String(alarmState)})`,
    );
  }
  const state = alarmState as SheddingDecision['alarmState'];
  return {
    alarmName: event.detail?.alarmName ?? 'unknown',
    alarmState: state,
    shedding: state === 'ALARM' ? SHEDDING : NOT_SHEDDING,
  };
}
