/**
 * CloudWatch alarms and the EventBridge rules on their state changes, emulated from the templates.
 *
 * With a metric store ({@link AlarmRegistryOptions.evaluation}), every metric alarm is evaluated
 * from the metrics the local cloud computes, on CloudWatch's schedule (once a minute, or once a
 * period for shorter periods), with the template's period, statistic, threshold, "M out of N" and
 * missing-data treatment; composite alarms follow their rule. Without one, alarms change state only
 * when told to. Either way a state can be forced (`npm run chaos -- alarm <name> ALARM|OK`), which,
 * as `SetAlarmState` on AWS, lasts until the next evaluation.
 *
 * A change publishes the event CloudWatch publishes (`CloudWatch Alarm State Change`), and every
 * `AWS::Events::Rule` whose pattern matches it invokes its Lambda targets with it, as EventBridge
 * does, so the functions that react to alarms (the load shedder) run their real bundles.
 */
import { resourcesOfType, type AssemblyStack } from '../assembly/cloud-assembly';
import type { IntrinsicResolver, LocalResourceValues } from '../assembly/intrinsic-resolver';
import type { MetricStore } from '../metrics/metric-store';
import { findByReference, qualifiedIdOf } from '../resource-reference';
import { localResourceName } from '../resources/local-names';
import { parseCompositeRule, type CompositeRule } from './composite-rule';
import { evaluateMetricAlarm, readMetricAlarm, type MetricAlarmDefinition } from './metric-alarm';

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
  readonly kind: 'metric' | 'composite';
  readonly description?: string;
  readonly state: AlarmState;
  /** Why it is in its state (the computed values, or who forced it). */
  readonly stateReason: string;
  /** Epoch milliseconds of the last state change. */
  readonly stateChangedAt: number;
  /** Whether the state was forced and no evaluation has replaced it yet. */
  readonly forced: boolean;
  /** Metric alarms: what the evaluation compares, or why the local cloud cannot evaluate it. */
  readonly evaluation: string;
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

/** How alarms are evaluated from computed metrics. */
export interface AlarmEvaluationOptions {
  readonly store: MetricStore;
  /**
   * How many times faster CloudWatch's clock runs for the alarms: each period, and the
   * once-a-minute evaluation, lasts `1/timeScale` of its template value. Metric values (a latency,
   * a message's age) are not scaled.
   * @default 1
   */
  readonly timeScale?: number;
}

/** Options of {@link AlarmRegistry}. */
export interface AlarmRegistryOptions {
  readonly stacks: readonly AlarmStackSource[];
  readonly invokeTarget: InvokeTarget;
  /**
   * Evaluate the metric alarms from computed metrics; alarms then start in INSUFFICIENT_DATA, as on
   * AWS, until their first evaluation.
   * @default - no evaluation: alarms start in OK and change only when forced
   */
  readonly evaluation?: AlarmEvaluationOptions;
  /** Called after every state change (e.g. to let Route 53's alarm checks follow). @default - nothing */
  readonly onStateChange?: (alarm: LocalAlarm, previousState: AlarmState) => void;
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

/** A scheduled rule (`rate(…)`), which invokes its targets with a "Scheduled Event". */
interface ScheduleRule {
  readonly description: string;
  readonly ruleArn: string;
  readonly region: string;
  readonly accountId: string;
  readonly intervalMillis: number;
  readonly targetArns: readonly string[];
}

/** Where an alarm runs locally: what its local name and ARN derive from. */
interface AlarmPlace {
  readonly stackName: string;
  readonly logicalId: string;
  readonly region: string;
  readonly accountId: string;
  readonly namePrefix?: string;
}

/** An alarm's local name (the template's, else `<prefix><stack>-<logical id>`) and its ARN. */
function localAlarmNameOf(
  place: AlarmPlace,
  templateName: string | undefined,
): { alarmName: string; alarmArn: string } {
  const alarmName = localResourceName({
    templateName,
    stackName: place.stackName,
    logicalId: place.logicalId,
    prefix: place.namePrefix,
    maxLength: MAX_ALARM_NAME_LENGTH,
    kind: 'alarm',
  });
  return { alarmName, alarmArn: `arn:aws:cloudwatch:${place.region}:${place.accountId}:alarm:${alarmName}` };
}

/**
 * The local `Ref` (name) and `Arn` of every alarm of a stack, known before the registry exists, so
 * that the functions' environments (the load shedder's alarm name) resolve when they are created.
 * A name the template computes with intrinsics is resolved with `resolveName`.
 */
export function localAlarmValues(
  stack: AssemblyStack,
  place: Omit<AlarmPlace, 'stackName' | 'logicalId'>,
  resolveName: (value: unknown, what: string) => string,
): Map<string, LocalResourceValues> {
  const values = new Map<string, LocalResourceValues>();
  for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
    for (const { logicalId, resource } of resourcesOfType(stack.template, type)) {
      const templateName = resource.Properties?.AlarmName;
      const { alarmName, alarmArn } = localAlarmNameOf(
        { ...place, stackName: stack.stackName, logicalId },
        templateName === undefined ? undefined : resolveName(templateName, `${logicalId}.AlarmName`),
      );
      values.set(logicalId, { ref: alarmName, attributes: { Arn: alarmArn } });
    }
  }
  return values;
}

/** The interval of an EventBridge `rate(<value> <unit>)` expression, or `undefined` for another form. */
export function rateMillisOf(expression: string): number | undefined {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const unitMillis = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[
    match[2].replace(/s$/, '') as 'minute'
  ];
  return Number(match[1]) * unitMillis;
}

/** Alarm name limit of CloudWatch. */
const MAX_ALARM_NAME_LENGTH = 255;

/** CloudWatch evaluates an alarm once a minute, or once a period when the period is shorter. */
const EVALUATION_INTERVAL_MILLIS = 60_000;

/** The shortest local evaluation interval, however large the time scale. */
const MIN_EVALUATION_INTERVAL_MILLIS = 100;

interface AlarmEntry {
  alarm: LocalAlarm;
  readonly metric?: MetricAlarmDefinition;
  readonly composite?: CompositeRule;
}

/**
 * Every alarm of the stacks and the EventBridge rules that react to them. Without evaluation each
 * alarm starts in OK (it has no metrics to leave INSUFFICIENT_DATA with).
 */
export class AlarmRegistry {
  private readonly alarms = new Map<string, AlarmEntry>();
  private readonly rules: EventRule[] = [];
  private readonly schedules: ScheduleRule[] = [];
  private readonly scheduleTimers: NodeJS.Timeout[] = [];
  /** What the templates ask for that the registry does not run, one line each. */
  public readonly notEmulated: string[] = [];
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private readonly timeScale: number;
  private eventCount = 0;
  /** Deliveries run one after another, in the order the changes happened. */
  private deliveries: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private started = false;

  constructor(private readonly options: AlarmRegistryOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.timeScale = options.evaluation?.timeScale ?? 1;
    if (!(this.timeScale >= 1))
      throw new Error(`The alarm time scale must be 1 or more (given ${this.timeScale})`);
    for (const source of options.stacks) this.addStack(source);
    for (const source of options.stacks) this.addCompositeAlarms(source);
  }

  /** Every alarm, in template order (metric alarms first). */
  public list(): LocalAlarm[] {
    return [...this.alarms.values()].map((entry) => entry.alarm);
  }

  /** The time scale of the evaluation (1 without evaluation). */
  public get scale(): number {
    return this.timeScale;
  }

  /**
   * How often the alarms are evaluated, locally: a minute, or the shortest period when shorter,
   * divided by the time scale.
   */
  public get evaluationIntervalMillis(): number {
    const periods = [...this.alarms.values()].flatMap((entry) =>
      entry.metric ? [entry.metric.periodSeconds * 1000] : [],
    );
    const interval = Math.min(EVALUATION_INTERVAL_MILLIS, ...periods) / this.timeScale;
    return Math.max(MIN_EVALUATION_INTERVAL_MILLIS, interval);
  }

  /** The longest time any alarm looks back (its periods × evaluation periods), locally. */
  public get longestWindowMillis(): number {
    const windows = [...this.alarms.values()].flatMap((entry) =>
      entry.metric ? [entry.metric.periodSeconds * 1000 * entry.metric.evaluationPeriods] : [],
    );
    return Math.max(0, ...windows) / this.timeScale;
  }

  /**
   * Starts the scheduled rules (their rates divided by the time scale) and, with evaluation options,
   * the evaluation every interval (see {@link evaluationIntervalMillis}), with a first one now.
   */
  public start(): void {
    if (this.started) return;
    this.started = true;
    for (const schedule of this.schedules) {
      const timer = setInterval(() => this.runSchedule(schedule), schedule.intervalMillis / this.timeScale);
      timer.unref();
      this.scheduleTimers.push(timer);
    }
    if (!this.options.evaluation) return;
    this.evaluate();
    this.timer = setInterval(() => this.evaluate(), this.evaluationIntervalMillis);
    this.timer.unref();
  }

  /** Stops the evaluation and the schedules, and waits for the rule deliveries under way. */
  public async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const timer of this.scheduleTimers.splice(0)) clearInterval(timer);
    await this.deliveries;
  }

  /** Invokes a scheduled rule's targets with the event EventBridge sends them (queued like the others). */
  private runSchedule(schedule: ScheduleRule): void {
    this.eventCount += 1;
    const event = {
      version: '0',
      id: `local-scheduled-event-${this.eventCount}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: schedule.accountId,
      time: new Date(this.clock()).toISOString(),
      region: schedule.region,
      resources: [schedule.ruleArn],
      detail: {},
    };
    this.deliveries = this.deliveries.then(() => this.deliver(schedule, event));
  }

  /** Resolves once every state change so far has been delivered to its rules' targets. */
  public delivered(): Promise<void> {
    return this.deliveries;
  }

  /**
   * Evaluates every metric alarm from the metric store now, then the composite alarms. State changes
   * are delivered to the rules in order, in the background ({@link delivered}).
   */
  public evaluate(): void {
    const evaluation = this.options.evaluation;
    if (!evaluation) throw new Error('This alarm registry has no metric store to evaluate alarms with');
    const now = this.clock();
    for (const entry of this.alarms.values()) {
      if (!entry.metric) continue;
      const periodMillis = (entry.metric.periodSeconds * 1000) / this.timeScale;
      const result = evaluateMetricAlarm(
        entry.metric,
        evaluation.store,
        now,
        periodMillis,
        entry.alarm.state,
      );
      this.changeState(entry, result.state, result.reason, false);
    }
    this.evaluateComposites();
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
    const entry = this.alarms.get(this.keyOf(this.find(reference))) as AlarmEntry;
    this.changeState(entry, state, reason, true);
    this.evaluateComposites();
    await this.deliveries;
    return entry.alarm;
  }

  private keyOf(alarm: Pick<LocalAlarm, 'stackName' | 'logicalId'>): string {
    return `${alarm.stackName}/${alarm.logicalId}`;
  }

  /** Records a state; a change is published to the rules (queued) and reported to `onStateChange`. */
  private changeState(entry: AlarmEntry, state: AlarmState, reason: string, forced: boolean): void {
    const before = entry.alarm;
    if (before.state === state) {
      // Forcing the state it is in changes nothing; an evaluation that confirms it ends a forced state.
      if (!forced) entry.alarm = { ...before, stateReason: reason, forced: false };
      return;
    }
    entry.alarm = { ...before, state, stateReason: reason, stateChangedAt: this.clock(), forced };
    const event = this.stateChangeEvent(before, entry.alarm, reason);
    this.deliveries = this.deliveries.then(() => this.publish(event));
    this.options.onStateChange?.(entry.alarm, before.state);
  }

  private evaluateComposites(): void {
    const byNameOrArn = new Map<string, AlarmEntry>();
    for (const entry of this.alarms.values()) {
      byNameOrArn.set(entry.alarm.alarmName, entry);
      byNameOrArn.set(entry.alarm.alarmArn, entry);
    }
    // Composites may read composites: repeat until nothing changes (the rules cannot form a cycle on AWS).
    for (let round = 0; round < this.alarms.size; round += 1) {
      let changed = false;
      for (const entry of this.alarms.values()) {
        if (!entry.composite) continue;
        const value = entry.composite.evaluate(
          (alarm) => byNameOrArn.get(alarm)?.alarm.state ?? 'INSUFFICIENT_DATA',
        );
        const state: AlarmState = value ? 'ALARM' : 'OK';
        if (state !== entry.alarm.state) {
          const firing = entry.composite.alarms.filter(
            (alarm) => byNameOrArn.get(alarm)?.alarm.state === 'ALARM',
          );
          this.changeState(
            entry,
            state,
            value ? `Rule true: in ALARM: ${firing.join(', ')}` : 'Rule false',
            false,
          );
          changed = true;
        }
      }
      if (!changed) return;
    }
  }

  private addStack(source: AlarmStackSource): void {
    const { stack, resolver } = source;
    for (const { logicalId, resource } of resourcesOfType(stack.template, 'AWS::CloudWatch::Alarm')) {
      const properties = resource.Properties ?? {};
      let metric: MetricAlarmDefinition | undefined;
      let evaluation: string;
      try {
        metric = readMetricAlarm(properties, (value, what) =>
          resolver.resolveString(value, `${logicalId} ${what}`),
        );
        evaluation = metric.summary;
      } catch (error) {
        evaluation = `not evaluated locally: ${(error as Error).message}`;
      }
      this.register(source, logicalId, properties, 'metric', evaluation, { metric });
    }
    for (const { logicalId, resource } of resourcesOfType(stack.template, 'AWS::Events::Rule')) {
      const properties = resource.Properties ?? {};
      if (properties.State === 'DISABLED') continue;
      const targets = (properties.Targets as Array<{ Arn: unknown }> | undefined) ?? [];
      const description = `${stack.stackName}/${logicalId}`;
      const targetArns = targets
        .map((target, index) => resolver.resolveString(target.Arn, `${logicalId}.Targets[${index}].Arn`))
        .filter((arn) => arn.startsWith('arn:aws:lambda:'));
      if (properties.EventPattern !== undefined) {
        this.rules.push({
          description,
          pattern: resolver.resolve(properties.EventPattern) as Record<string, unknown>,
          targetArns,
        });
      }
      if (properties.ScheduleExpression !== undefined) {
        const expression = resolver.resolveString(
          properties.ScheduleExpression,
          `${logicalId}.ScheduleExpression`,
        );
        const intervalMillis = rateMillisOf(expression);
        if (intervalMillis === undefined) {
          this.notEmulated.push(
            `${description}: schedule ${expression} (only rate(…) schedules run locally)`,
          );
          continue;
        }
        const ruleName = localResourceName({
          templateName:
            properties.Name === undefined
              ? undefined
              : resolver.resolveString(properties.Name, `${logicalId}.Name`),
          stackName: stack.stackName,
          logicalId,
          prefix: this.options.namePrefix,
          maxLength: 64,
          kind: 'rule',
        });
        this.schedules.push({
          description,
          ruleArn: `arn:aws:events:${source.region}:${source.accountId}:rule/${ruleName}`,
          region: source.region,
          accountId: source.accountId,
          intervalMillis,
          targetArns,
        });
      }
    }
  }

  private addCompositeAlarms(source: AlarmStackSource): void {
    const { stack, resolver } = source;
    for (const { logicalId, resource } of resourcesOfType(
      stack.template,
      'AWS::CloudWatch::CompositeAlarm',
    )) {
      const properties = resource.Properties ?? {};
      const rule = parseCompositeRule(resolver.resolveString(properties.AlarmRule, `${logicalId}.AlarmRule`));
      this.register(source, logicalId, properties, 'composite', 'its rule', { composite: rule });
    }
  }

  /** Names an alarm (as CloudFormation would, locally predictable), registers its `Ref`/`Arn` and lists it. */
  private register(
    { stack, resolver, region, accountId }: AlarmStackSource,
    logicalId: string,
    properties: Record<string, unknown>,
    kind: LocalAlarm['kind'],
    evaluation: string,
    definition: Pick<AlarmEntry, 'metric' | 'composite'>,
  ): void {
    const { alarmName, alarmArn } = localAlarmNameOf(
      { stackName: stack.stackName, logicalId, region, accountId, namePrefix: this.options.namePrefix },
      properties.AlarmName === undefined
        ? undefined
        : resolver.resolveString(properties.AlarmName, `${logicalId}.AlarmName`),
    );
    resolver.register(logicalId, { ref: alarmName, attributes: { Arn: alarmArn } });
    const evaluated =
      this.options.evaluation !== undefined && (definition.metric !== undefined || kind === 'composite');
    this.alarms.set(this.keyOf({ stackName: stack.stackName, logicalId }), {
      ...definition,
      alarm: {
        stackName: stack.stackName,
        logicalId,
        alarmName,
        alarmArn,
        region,
        kind,
        description:
          typeof properties.AlarmDescription === 'string' ? properties.AlarmDescription : undefined,
        state: evaluated ? 'INSUFFICIENT_DATA' : 'OK',
        stateReason: evaluated ? 'Not evaluated yet' : 'The local cloud starts alarms in OK',
        stateChangedAt: this.clock(),
        forced: false,
        evaluation,
      },
    });
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
    await Promise.all(
      this.rules
        .filter((rule) => matchesPattern(rule.pattern, event as unknown as Record<string, unknown>))
        .map((rule) => this.deliver(rule, event)),
    );
  }

  /** Invokes a rule's targets with an event; a failed delivery is logged, not thrown. */
  private async deliver(rule: Pick<EventRule, 'description' | 'targetArns'>, event: unknown): Promise<void> {
    await Promise.all(
      rule.targetArns.map((arn) =>
        this.options.invokeTarget(arn, event).catch((error: unknown) => {
          this.log(`event rule ${rule.description}: delivery to ${arn} failed: ${String(error)}`);
        }),
      ),
    );
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
