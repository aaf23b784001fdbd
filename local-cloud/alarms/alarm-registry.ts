/**
 * CloudWatch alarms and the EventBridge rules on their state changes, emulated from the templates.
 * The local cloud does not compute metrics, so an alarm changes state only when it is told to
 * (`npm run chaos -- alarm <name> ALARM|OK`, or by the experiment). A change publishes the event
 * CloudWatch publishes (`CloudWatch Alarm State Change`), and every `AWS::Events::Rule` whose
 * pattern matches it invokes its Lambda targets with it, as EventBridge does, so the functions that
 * react to alarms (the load shedder) run their real bundles.
 */
import { resourcesOfType, type AssemblyStack } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import { findByReference, qualifiedIdOf } from '../resource-reference';
import { localResourceName } from '../resources/local-names';

/** The states of a CloudWatch alarm. */
export const ALARM_STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

/** A CloudWatch alarm state. */
export type AlarmState = (typeof ALARM_STATES)[number];

/** One alarm of a stack. */
export interface LocalAlarm {
  readonly stackName: string;
  readonly logicalId: string;
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly region: string;
  readonly description?: string;
  readonly state: AlarmState;
  /** Epoch milliseconds of the last state change. */
  readonly stateChangedAt: number;
}

/** The event EventBridge receives from CloudWatch when an alarm changes state. */
export interface AlarmStateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'CloudWatch Alarm State Change';
  readonly source: 'aws.cloudwatch';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly alarmName: string;
    readonly state: { readonly value: AlarmState; readonly reason: string; readonly timestamp: string };
    readonly previousState: { readonly value: AlarmState; readonly timestamp: string };
  };
}

/** Invokes a Lambda function by ARN (an EventBridge target). */
export type InvokeTarget = (functionArn: string, event: unknown) => Promise<void>;

/** One stack of a region, as the registry needs it. */
export interface AlarmStackSource {
  readonly stack: AssemblyStack;
  readonly resolver: IntrinsicResolver;
  readonly region: string;
  readonly accountId: string;
}

/** Options of {@link AlarmRegistry}. */
export interface AlarmRegistryOptions {
  readonly stacks: readonly AlarmStackSource[];
  readonly invokeTarget: InvokeTarget;
  /** Prefix of generated alarm names, as for the other local resources. @default '' */
  readonly namePrefix?: string;
  /** @default Date.now */
  readonly clock?: () => number;
  /** Where delivery failures go. @default - stderr */
  readonly log?: (line: string) => void;
}

interface EventRule {
  readonly description: string;
  readonly pattern: Record<string, unknown>;
  readonly targetArns: readonly string[];
}

/** Alarm name limit of CloudWatch. */
const MAX_ALARM_NAME_LENGTH = 255;

/**
 * Every alarm of the stacks, each starting in OK (CloudWatch starts in INSUFFICIENT_DATA, but the
 * local cloud has no metrics to leave that state with), and the EventBridge rules that react to them.
 */
export class AlarmRegistry {
  private readonly alarms = new Map<string, LocalAlarm>();
  private readonly rules: EventRule[] = [];
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private eventCount = 0;

  constructor(private readonly options: AlarmRegistryOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    for (const source of options.stacks) this.addStack(source);
  }

  /** Every alarm, in template order. */
  public list(): LocalAlarm[] {
    return [...this.alarms.values()];
  }

  /**
   * The alarm a reference names: its name, ARN, logical id, `<stack>/<logical id>`, or the start or
   * a part of its logical id (`QueueAge`) when only one alarm matches.
   *
   * @throws Error for an unknown or ambiguous reference, listing the alarms
   */
  public find(reference: string): LocalAlarm {
    const all = this.list();
    const targetOf = (alarm: LocalAlarm) => ({
      stackName: alarm.stackName,
      logicalId: alarm.logicalId,
      names: [alarm.alarmName, alarm.alarmArn],
    });
    const { matches } = findByReference(all, targetOf, reference, { allowPrefix: true, allowPart: true });
    if (matches.length === 1) return matches[0];
    const names = (matches.length > 1 ? matches : all)
      .map((alarm) => qualifiedIdOf(targetOf(alarm)))
      .join(', ');
    throw new Error(
      matches.length > 1
        ? `Alarm reference ${reference} is ambiguous; it matches ${names}`
        : `No local alarm ${reference} (alarms: ${names || 'none'})`,
    );
  }

  /**
   * Sets an alarm's state. A change publishes the state-change event and resolves once every
   * matching rule's targets have been invoked; setting the state it is already in does nothing.
   */
  public async setState(
    reference: string,
    state: AlarmState,
    reason = 'Set by the local cloud',
  ): Promise<LocalAlarm> {
    if (!ALARM_STATES.includes(state)) {
      throw new Error(`Alarm state must be one of ${ALARM_STATES.join(', ')} (given ${String(state)})`);
    }
    const alarm = this.find(reference);
    if (alarm.state === state) return alarm;
    const now = this.clock();
    const changed: LocalAlarm = { ...alarm, state, stateChangedAt: now };
    this.alarms.set(this.keyOf(alarm), changed);
    await this.publish(this.stateChangeEvent(alarm, changed, reason));
    return changed;
  }

  private keyOf(alarm: Pick<LocalAlarm, 'stackName' | 'logicalId'>): string {
    return `${alarm.stackName}/${alarm.logicalId}`;
  }

  private addStack({ stack, resolver, region, accountId }: AlarmStackSource): void {
    for (const { logicalId, resource } of resourcesOfType(stack.template, 'AWS::CloudWatch::Alarm')) {
      const properties = resource.Properties ?? {};
      const alarmName = localResourceName({
        templateName:
          properties.AlarmName === undefined
            ? undefined
            : resolver.resolveString(properties.AlarmName, `${logicalId}.AlarmName`),
        stackName: stack.stackName,
        logicalId,
        prefix: this.options.namePrefix,
        maxLength: MAX_ALARM_NAME_LENGTH,
        kind: 'alarm',
      });
      const alarmArn = `arn:aws:cloudwatch:${region}:${accountId}:alarm:${alarmName}`;
      resolver.register(logicalId, { ref: alarmName, attributes: { Arn: alarmArn } });
      this.alarms.set(this.keyOf({ stackName: stack.stackName, logicalId }), {
        stackName: stack.stackName,
        logicalId,
        alarmName,
        alarmArn,
        region,
        description:
          typeof properties.AlarmDescription === 'string' ? properties.AlarmDescription : undefined,
        state: 'OK',
        stateChangedAt: this.clock(),
      });
    }
    for (const { logicalId, resource } of resourcesOfType(stack.template, 'AWS::Events::Rule')) {
      const properties = resource.Properties ?? {};
      if (properties.State === 'DISABLED' || properties.EventPattern === undefined) continue;
      const targets = (properties.Targets as Array<{ Arn: unknown }> | undefined) ?? [];
      this.rules.push({
        description: `${stack.stackName}/${logicalId}`,
        pattern: resolver.resolve(properties.EventPattern) as Record<string, unknown>,
        targetArns: targets
          .map((target, index) => resolver.resolveString(target.Arn, `${logicalId}.Targets[${index}].Arn`))
          .filter((arn) => arn.startsWith('arn:aws:lambda:')),
      });
    }
  }

  private stateChangeEvent(before: LocalAlarm, after: LocalAlarm, reason: string): AlarmStateChangeEvent {
    this.eventCount += 1;
    const accountId = after.alarmArn.split(':')[4] ?? '000000000000';
    return {
      version: '0',
      id: `local-alarm-event-${this.eventCount}`,
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: accountId,
      time: new Date(after.stateChangedAt).toISOString(),
      region: after.region,
      resources: [after.alarmArn],
      detail: {
        alarmName: after.alarmName,
        state: { value: after.state, reason, timestamp: new Date(after.stateChangedAt).toISOString() },
        previousState: { value: before.state, timestamp: new Date(before.stateChangedAt).toISOString() },
      },
    };
  }

  private async publish(event: AlarmStateChangeEvent): Promise<void> {
    const deliveries = this.rules
      .filter((rule) => matchesPattern(rule.pattern, event as unknown as Record<string, unknown>))
      .flatMap((rule) =>
        rule.targetArns.map((arn) =>
          this.options.invokeTarget(arn, event).catch((error: unknown) => {
            this.log(`event rule ${rule.description}: delivery to ${arn} failed: ${String(error)}`);
          }),
        ),
      );
    await Promise.all(deliveries);
  }
}

/**
 * Whether an event matches an EventBridge pattern: every field of the pattern must be in the event;
 * a list matches when the event's value (or one element of the event's list) equals one of its
 * plain values; an object matches the event's object recursively. Content filters (`prefix`,
 * `anything-but`, …) are not emulated and never match.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return expected.some(
        (candidate) => (typeof candidate !== 'object' || candidate === null) && values.includes(candidate),
      );
    }
    if (expected !== null && typeof expected === 'object') {
      return (
        actual !== null &&
        typeof actual === 'object' &&
        matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>)
      );
    }
    return false;
  });
}
