import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  CustomAlarmThreshold,
  DefaultDashboardFactory,
  MonitoringFacade,
  Route53HealthCheckMetricAdjuster,
  SnsAlarmActionStrategy,
} from 'cdk-monitoring-constructs';
import { Construct, IConstruct } from 'constructs';

/** A Lambda function to watch, with the timeout it was deployed with. */
export interface MonitoredFunction {
  /** The function. */
  readonly lambdaFunction: lambda.IFunction;

  /**
   * The function's configured timeout. `IFunction` does not expose it, and the duration alarm is a
   * share of it.
   */
  readonly timeout: Duration;

  /**
   * Whether this function's errors alarm feeds the "region unhealthy" composite alarm. Turn it off
   * for functions whose failures say nothing about the region serving orders (a nightly cleanup).
   * @default true
   */
  readonly affectsRegionHealth?: boolean;

  /**
   * Name of the function in alarm names (`<alarmPrefix>-<alarmFriendlyName>-...`). Letters, digits,
   * `-`, `_` and `.` only.
   * @default - the function's construct path below its stack, joined with '-'
   */
  readonly alarmFriendlyName?: string;
}

/** Properties of a {@link ResilienceMonitoring}. */
export interface ResilienceMonitoringProps {
  /**
   * The REST API to watch (5XX rate, 4XX rate and p99 latency of one stage).
   * @default - no API alarms
   */
  readonly api?: apigateway.IRestApi;

  /**
   * Stage of `api` whose metrics are watched (the `Stage` dimension of `AWS/ApiGateway`).
   * @default - the stage of `api.deploymentStage` when the API has one, otherwise 'prod'
   */
  readonly apiStageName?: string;

  /**
   * Alarm when more than this percentage of the stage's requests end in a 5XX, per alarm period.
   * Feeds the "region unhealthy" composite alarm.
   * @default 1
   */
  readonly apiServerErrorRateThresholdPercent?: number;

  /**
   * Alarm when more than this percentage of the stage's requests end in a 4XX, per alarm period.
   * API Gateway publishes no metric for 429 alone, so this is the closest signal of throttling: it
   * also counts validation errors (400), missing auth (403) and unknown routes (404).
   * @default 5
   */
  readonly apiClientErrorRateThresholdPercent?: number;

  /**
   * The API's structured JSON access log group (with `status` and `integrationStatus` fields, as
   * `ResilientApi` writes). With it:
   * - a metric filter counts the requests answered 429 (throttled or over quota), which no API
   *   Gateway metric counts on its own, and an alarm watches that count;
   * - the server error rate that feeds region health and the SLO alarms is computed from the log,
   *   leaving out load shedding (503 answered to a request the queue integration refused with 400,
   *   see `OrderQueue`): shedding is the API working as designed, and counted as an outage it
   *   would pull a busy region out of DNS. API Gateway's own `5XXError` rate is then on the
   *   dashboard only.
   * @default - no 429 count and no throttled-requests alarm; region health uses `5XXError`
   */
  readonly apiAccessLogGroup?: logs.ILogGroup;

  /**
   * Alarm when more than this many requests are answered 429 in one alarm period.
   * @default 0
   */
  readonly apiThrottledCountThreshold?: number;

  /**
   * Alarm when the stage's p99 latency (request in to response out, integration included) is
   * above this, per alarm period.
   * @default Duration.seconds(2)
   */
  readonly apiLatencyP99Threshold?: Duration;

  /**
   * Lambda functions to watch (errors, throttles, p99 duration near the timeout).
   * @default - no function alarms
   */
  readonly monitoredFunctions?: MonitoredFunction[];

  /**
   * Alarm when a function has more errors than this in one alarm period. Those alarms feed the
   * "region unhealthy" composite alarm, unless a function opts out.
   * @default 0
   */
  readonly functionErrorCountThreshold?: number;

  /**
   * Alarm when a function has more throttled invocations than this in one alarm period.
   * @default 0
   */
  readonly functionThrottleCountThreshold?: number;

  /**
   * Alarm when a function's p99 duration is above this percentage of its timeout: invocations are
   * about to time out.
   * @default 80
   */
  readonly functionDurationThresholdPercentOfTimeout?: number;

  /**
   * The work queue to watch (age of the oldest message).
   * @default - no queue alarms
   */
  readonly queue?: sqs.IQueue;

  /**
   * Alarm when the oldest message in `queue` has waited longer than this: consumers are not
   * keeping up, or are failing.
   * @default Duration.minutes(5)
   */
  readonly queueOldestMessageAgeThreshold?: Duration;

  /**
   * The dead-letter queue to watch. Any message in it alarms, and that alarm feeds the "region
   * unhealthy" composite alarm.
   * @default - no dead-letter queue alarm
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * DynamoDB tables to watch (read throttles, write throttles and system errors, each > 0).
   * @default - no table alarms
   */
  readonly tables?: dynamodb.ITable[];

  /**
   * Topic that receives the ALARM and OK notifications of every alarm. A topic encrypted with a
   * customer managed key must let `cloudwatch.amazonaws.com` use that key, or notifications are lost.
   * @default - a new topic, encrypted with a new customer managed KMS key, that refuses non-TLS publishers
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Name of the dashboard. Dashboards are global to the account, hence the region in the default:
   * the two regional stacks of the multi-region variant would otherwise fight over one name.
   * @default - `<alarmPrefix>-<region>`
   */
  readonly dashboardName?: string;

  /**
   * Prefix of every alarm name. Must be a literal string: alarm names and construct IDs derive from it.
   * @default - the stack name
   */
  readonly alarmPrefix?: string;

  /**
   * Period every alarm evaluates; one breaching period sets off an alarm. A whole number of minutes:
   * Route 53 health checks reject alarms on high-resolution (sub-minute) metrics.
   * @default Duration.minutes(5)
   */
  readonly alarmPeriod?: Duration;
}

/**
 * Alarms and a dashboard for the resilient order API, built with cdk-monitoring-constructs.
 *
 * Every alarm notifies `alarmTopic` on ALARM and on OK. The `regionUnhealthyAlarm` composite alarm
 * is in ALARM when any of these is: the API 5XX rate alarm, the dead-letter queue depth alarm, or
 * the errors alarm of a monitored function (unless it opts out with `affectsRegionHealth: false`).
 * Those inputs are also exposed as `regionHealthAlarms`, built so that Route 53 accepts them in
 * CloudWatch-alarm health checks (Route 53 does not accept composite alarms).
 */
export class ResilienceMonitoring extends Construct {
  /** Custom tag of the alarms that feed the "region unhealthy" composite alarm. */
  public static readonly REGION_HEALTH_TAG = 'RegionHealth';

  /** Custom tag of the SLO alarms (see `sloAlarms`). */
  public static readonly SLO_TAG = 'Slo';

  /** Topic that receives the ALARM and OK notifications of every alarm. */
  public readonly alarmTopic: sns.ITopic;

  /** Customer managed key of the alarm topic, when the construct created the topic. */
  public readonly alarmTopicKey?: kms.IKey;

  /** The cdk-monitoring-constructs facade that holds the alarms; add more monitoring through it. */
  public readonly monitoring: MonitoringFacade;

  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;

  /** In ALARM when any of `regionHealthAlarms` is. */
  public readonly regionUnhealthyAlarm: cloudwatch.CompositeAlarm;

  /**
   * The metric alarms that feed `regionUnhealthyAlarm`. Each is a single-metric alarm with a basic
   * statistic and a period of at least a minute, which is what a Route 53 CloudWatch-alarm health
   * check accepts.
   */
  public readonly regionHealthAlarms: cloudwatch.IAlarm[];

  /**
   * The alarms that say the API's users are affected: the API 5XX rate and p99 latency alarms and
   * the dead-letter queue alarm, those that exist. No function errors alarm: a failed invocation
   * that a retry absorbs breaks no objective. Chaos experiments stop when one of them goes off.
   */
  public readonly sloAlarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: ResilienceMonitoringProps = {}) {
    super(scope, id);
    validateProps(props);

    const alarmPrefix = props.alarmPrefix ?? Stack.of(this).stackName;
    if (Token.isUnresolved(alarmPrefix)) {
      throw new Error(
        'alarmPrefix must be a literal string, because alarm names and construct IDs derive from it ' +
          '(given an unresolved token; in a nested stack, pass alarmPrefix explicitly)',
      );
    }
    const alarmPeriod = props.alarmPeriod ?? Duration.minutes(5);

    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      const key = new kms.Key(this, 'AlarmTopicKey', {
        description: `Encrypts the alarm notifications of ${alarmPrefix}`,
        enableKeyRotation: true,
        // The key only protects notifications in flight; nothing needs it once the stack is gone.
        removalPolicy: RemovalPolicy.DESTROY,
        pendingWindow: Duration.days(7),
      });
      // CloudWatch encrypts what it publishes to the topic; an AWS managed key cannot grant it that.
      key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
      this.alarmTopicKey = key;
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `${alarmPrefix} alarms`,
        masterKey: key,
        enforceSSL: true,
      });
    }

    const dashboards = new DefaultDashboardFactory(this, 'Dashboards', {
      dashboardNamePrefix: props.dashboardName ?? `${alarmPrefix}-${Stack.of(this).region}`,
    });
    this.monitoring = new MonitoringFacade(this, 'Monitoring', {
      metricFactoryDefaults: { period: alarmPeriod },
      alarmFactoryDefaults: {
        alarmNamePrefix: alarmPrefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic, onOkTopic: this.alarmTopic }),
        datapointsToAlarm: 1,
        evaluationPeriods: 1,
      },
      dashboardFactory: dashboards,
    });
    this.monitoring.addLargeHeader(`Resilient order API: ${alarmPrefix}`);

    if (props.api) {
      this.monitorApi(props.api, props);
    }
    if (props.apiAccessLogGroup) {
      this.monitorThrottledRequests(
        props.apiAccessLogGroup,
        alarmPrefix,
        props.apiThrottledCountThreshold ?? 0,
        alarmPeriod,
      );
      this.monitorServerErrors(props.apiAccessLogGroup, alarmPrefix, alarmPeriod, props);
    }
    for (const monitored of props.monitoredFunctions ?? []) {
      this.monitorFunction(monitored, props);
    }
    this.monitorQueues(props);
    for (const table of props.tables ?? []) {
      this.monitoring.monitorDynamoTable({
        table,
        alarmFriendlyName: friendlyNameOf(table),
        addReadThrottledEventsCountAlarm: { [SEVERITY]: { maxThrottledEventsThreshold: 0 } },
        addWriteThrottledEventsCountAlarm: { [SEVERITY]: { maxThrottledEventsThreshold: 0 } },
        addSystemErrorCountAlarm: { [SEVERITY]: { maxErrorCount: 0 } },
      });
    }

    this.regionHealthAlarms = this.monitoring
      .createdAlarmsWithTag(ResilienceMonitoring.REGION_HEALTH_TAG)
      .map((created) => created.alarm);
    this.sloAlarms = this.monitoring
      .createdAlarmsWithTag(ResilienceMonitoring.SLO_TAG)
      .map((created) => created.alarm);
    const regionUnhealthyAlarm = this.monitoring.createCompositeAlarmUsingTag(
      ResilienceMonitoring.REGION_HEALTH_TAG,
      {
        disambiguator: 'RegionUnhealthy',
        alarmNameOverride: `${alarmPrefix}-RegionUnhealthy`,
        alarmDescription:
          'The region cannot serve orders: the API 5XX rate, messages in the dead-letter queue or function errors are in ALARM.',
      },
    );
    if (!regionUnhealthyAlarm) {
      throw new Error(
        'ResilienceMonitoring needs at least one input for the region unhealthy alarm: api, deadLetterQueue, ' +
          'or a monitored function with affectsRegionHealth (given none)',
      );
    }
    this.regionUnhealthyAlarm = regionUnhealthyAlarm;

    if (!dashboards.dashboard) {
      throw new Error(
        'The dashboard factory did not create a dashboard; this is a bug in ResilienceMonitoring',
      );
    }
    this.dashboard = dashboards.dashboard;
  }

  private monitorApi(api: apigateway.IRestApi, props: ResilienceMonitoringProps): void {
    this.monitoring.monitorApiGateway({
      api,
      apiStage: props.apiStageName,
      alarmFriendlyName: 'Api',
      // With an access log, the server error rate of region health comes from it, without load
      // shedding (see monitorServerErrors); 5XXError stays on the dashboard.
      add5XXFaultRateAlarm: props.apiAccessLogGroup
        ? undefined
        : {
            [SEVERITY]: {
              // The library's rate is the Average of 5XXError, a fraction of requests between 0 and 1.
              maxErrorRate: (props.apiServerErrorRateThresholdPercent ?? 1) / 100,
              ...REGION_HEALTH_AND_SLO_INPUT,
            },
          },
      add4XXErrorRateAlarm: {
        [SEVERITY]: { maxErrorRate: (props.apiClientErrorRateThresholdPercent ?? 5) / 100 },
      },
      addLatencyP99Alarm: {
        [SEVERITY]: {
          maxLatency: props.apiLatencyP99Threshold ?? Duration.seconds(2),
          customTags: [ResilienceMonitoring.SLO_TAG],
        },
      },
    });
  }

  private monitorThrottledRequests(
    accessLogGroup: logs.ILogGroup,
    alarmPrefix: string,
    threshold: number,
    // An explicit metric keeps its own period over the factory's default: pass the alarm period.
    period: Duration,
  ): void {
    const filter = new logs.MetricFilter(this, 'ThrottledRequestsFilter', {
      logGroup: accessLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.status', '=', '429'),
      metricNamespace: `ResilientApi/${alarmPrefix}`,
      metricName: 'ThrottledRequests',
      metricValue: '1',
      // Publish 0 when nothing was throttled, so the graph and the alarm see data, not gaps.
      defaultValue: 0,
    });
    this.monitoring.monitorCustom({
      alarmFriendlyName: 'ApiThrottled',
      humanReadableName: 'API requests answered 429',
      metricGroups: [
        {
          title: 'Requests answered 429 (throttled or over quota)',
          metrics: [
            {
              metric: filter.metric({ statistic: cloudwatch.Stats.SUM, period }),
              alarmFriendlyName: 'ApiThrottled',
              addAlarm: {
                [SEVERITY]: {
                  threshold,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  additionalDescription:
                    'Clients are being refused with 429: stage, method or usage-plan limits are reached.',
                },
              },
            },
          ],
        },
      ],
    });
  }

  /**
   * The share of requests answered with a server error, load shedding left out, as one metric
   * whose Average is that share: one filter publishes 1 for each such answer, another 0 for every
   * other logged request, into the same metric. A single metric (not metric math) keeps the alarm
   * usable by a Route 53 health check.
   */
  private monitorServerErrors(
    accessLogGroup: logs.ILogGroup,
    alarmPrefix: string,
    period: Duration,
    props: ResilienceMonitoringProps,
  ): void {
    const metricNamespace = `ResilientApi/${alarmPrefix}`;
    const metricName = 'ServerErrorShare';
    new logs.MetricFilter(this, 'ServerErrorsFilter', {
      logGroup: accessLogGroup,
      filterPattern: logs.FilterPattern.literal(SERVER_ERROR_PATTERN),
      metricNamespace,
      metricName,
      metricValue: '1',
    });
    new logs.MetricFilter(this, 'OtherRequestsFilter', {
      logGroup: accessLogGroup,
      filterPattern: logs.FilterPattern.literal(OTHER_REQUEST_PATTERN),
      metricNamespace,
      metricName,
      metricValue: '0',
    });
    const share = new cloudwatch.Metric({
      namespace: metricNamespace,
      metricName,
      statistic: cloudwatch.Stats.AVERAGE,
      period,
    });
    this.monitoring.monitorCustom({
      alarmFriendlyName: 'ApiServerErrors',
      humanReadableName: 'API server errors (load shedding left out)',
      metricGroups: [
        {
          title: 'Share of requests answered 5XX, without load shedding',
          metrics: [
            {
              metric: share,
              alarmFriendlyName: 'ApiServerErrors',
              addAlarm: {
                [SEVERITY]: {
                  threshold: (props.apiServerErrorRateThresholdPercent ?? 1) / 100,
                  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                  // No request in a period is no error, not an unknown state.
                  treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING,
                  additionalDescription:
                    'Requests answered 5XX (load shedding, a 503 to a request the queue refused with 400, is left out).',
                  ...REGION_HEALTH_AND_SLO_INPUT,
                },
              },
            },
          ],
        },
      ],
    });
  }

  private monitorFunction(monitored: MonitoredFunction, props: ResilienceMonitoringProps): void {
    const durationPercent = props.functionDurationThresholdPercentOfTimeout ?? 80;
    this.monitoring.monitorLambdaFunction({
      lambdaFunction: monitored.lambdaFunction,
      alarmFriendlyName: monitored.alarmFriendlyName ?? friendlyNameOf(monitored.lambdaFunction),
      // The library would otherwise add an iterator-age widget that only stream consumers fill.
      isIterator: false,
      addFaultCountAlarm: {
        [SEVERITY]: {
          maxErrorCount: props.functionErrorCountThreshold ?? 0,
          ...((monitored.affectsRegionHealth ?? true) ? REGION_HEALTH_INPUT : {}),
        },
      },
      addThrottlesCountAlarm: {
        [SEVERITY]: { maxErrorCount: props.functionThrottleCountThreshold ?? 0 },
      },
      // The library's maxLatencyPercentageOfTimeout reads `timeout` off the concrete Function and
      // falls back to 3 seconds for anything else, so the threshold is computed here instead.
      addLatencyP99Alarm: {
        [SEVERITY]: {
          maxLatency: Duration.millis(
            Math.floor((monitored.timeout.toMilliseconds() * durationPercent) / 100),
          ),
        },
      },
    });
  }

  private monitorQueues(props: ResilienceMonitoringProps): void {
    // An empty queue nobody touches stops publishing metrics after six hours: missing data means empty.
    const missingMeansEmpty = { treatMissingDataOverride: cloudwatch.TreatMissingData.NOT_BREACHING };
    // Depth rather than arrivals: SQS does not count redriven messages in the DLQ's NumberOfMessagesSent.
    // The alarm stays in ALARM until the DLQ is drained or redriven.
    const deadLetterDepthAlarm = {
      [SEVERITY]: { maxMessageCount: 0, ...missingMeansEmpty, ...REGION_HEALTH_AND_SLO_INPUT },
    };
    const queueAgeAlarm = {
      [SEVERITY]: {
        maxAgeInSeconds: (props.queueOldestMessageAgeThreshold ?? Duration.minutes(5)).toSeconds({
          integral: false,
        }),
        ...missingMeansEmpty,
      },
    };

    if (props.queue && props.deadLetterQueue) {
      this.monitoring.monitorSqsQueueWithDlq({
        queue: props.queue,
        deadLetterQueue: props.deadLetterQueue,
        alarmFriendlyName: 'Queue',
        addQueueMaxMessageAgeAlarm: queueAgeAlarm,
        addDeadLetterQueueMaxSizeAlarm: deadLetterDepthAlarm,
      });
    } else if (props.queue) {
      this.monitoring.monitorSqsQueue({
        queue: props.queue,
        alarmFriendlyName: 'Queue',
        addQueueMaxMessageAgeAlarm: queueAgeAlarm,
      });
    } else if (props.deadLetterQueue) {
      this.monitoring.monitorSqsQueue({
        queue: props.deadLetterQueue,
        alarmFriendlyName: 'DeadLetterQueue',
        addQueueMaxSizeAlarm: deadLetterDepthAlarm,
      });
    }
  }
}

/** Part of every alarm name; the construct has one severity, so one value. */
const SEVERITY = 'Critical';

/** Marks an alarm as an input of the composite, and keeps it acceptable to Route 53 health checks. */
const REGION_HEALTH_INPUT: CustomAlarmThreshold = {
  customTags: [ResilienceMonitoring.REGION_HEALTH_TAG],
  metricAdjuster: Route53HealthCheckMetricAdjuster.INSTANCE,
};

/**
 * An access log line of a server error that is not load shedding. The access log writes `status`
 * and `integrationStatus` as strings; a shed order is the one 503 whose integration (the queue)
 * answered 400: every other 400 of the queue is answered 400 or 500 (see `OrderQueue`).
 */
const SERVER_ERROR_PATTERN =
  '{ ($.status = "5*") && (($.status != "503") || ($.integrationStatus != "400")) }';

/**
 * Every other access log line: the complement of {@link SERVER_ERROR_PATTERN}, written with `=`
 * only (wildcards are documented for string equality).
 */
const OTHER_REQUEST_PATTERN =
  '{ ($.status = "1*") || ($.status = "2*") || ($.status = "3*") || ($.status = "4*") || (($.status = "503") && ($.integrationStatus = "400")) }';

/** A region health input that is also an SLO alarm (see `sloAlarms`). */
const REGION_HEALTH_AND_SLO_INPUT: CustomAlarmThreshold = {
  ...REGION_HEALTH_INPUT,
  customTags: [ResilienceMonitoring.REGION_HEALTH_TAG, ResilienceMonitoring.SLO_TAG],
};

/** The construct's path below its stack, as an alarm-name-friendly string: unique within the stack. */
function friendlyNameOf(construct: IConstruct): string {
  const stackPath = Stack.of(construct).node.path;
  const relativePath = construct.node.path.slice(stackPath.length).replace(/^\//, '');
  return relativePath.replace(/\//g, '-').replace(/[^a-zA-Z0-9\-_.]/g, '');
}

function validateProps(props: ResilienceMonitoringProps): void {
  validatePercent('apiServerErrorRateThresholdPercent', props.apiServerErrorRateThresholdPercent);
  validatePercent('apiClientErrorRateThresholdPercent', props.apiClientErrorRateThresholdPercent);
  validatePositiveDuration('apiLatencyP99Threshold', props.apiLatencyP99Threshold);
  validatePositiveDuration('queueOldestMessageAgeThreshold', props.queueOldestMessageAgeThreshold);
  validateCount('functionErrorCountThreshold', props.functionErrorCountThreshold);
  validateCount('functionThrottleCountThreshold', props.functionThrottleCountThreshold);
  validateCount('apiThrottledCountThreshold', props.apiThrottledCountThreshold);

  // At 100% the alarm could never fire (no invocation outlasts its timeout), at 0% it always would.
  validatePercent(
    'functionDurationThresholdPercentOfTimeout',
    props.functionDurationThresholdPercentOfTimeout,
    {
      exclusive: true,
    },
  );

  const period = props.alarmPeriod;
  if (period !== undefined && !period.isUnresolved()) {
    const seconds = period.toSeconds({ integral: false });
    if (seconds < 60 || seconds % 60 !== 0) {
      throw new Error(`alarmPeriod must be a whole number of minutes (given ${period.toHumanString()})`);
    }
  }

  if (props.alarmPrefix !== undefined && props.alarmPrefix.length === 0) {
    throw new Error('alarmPrefix must not be empty (given an empty string)');
  }

  for (const monitored of props.monitoredFunctions ?? []) {
    const timeout = monitored.timeout;
    if (timeout.isUnresolved()) continue;
    const seconds = timeout.toSeconds({ integral: false });
    if (seconds <= 0 || seconds > 900) {
      throw new Error(
        `The timeout of monitored function ${monitored.lambdaFunction.node.path} must be between 1 second ` +
          `and 15 minutes (given ${timeout.toHumanString()})`,
      );
    }
  }
  assertUnique(
    'monitoredFunctions',
    (props.monitoredFunctions ?? []).map((m) => m.alarmFriendlyName ?? friendlyNameOf(m.lambdaFunction)),
  );
  assertUnique('tables', (props.tables ?? []).map(friendlyNameOf));
}

function validatePercent(
  name: string,
  value: number | undefined,
  options: { exclusive?: boolean } = {},
): void {
  if (value === undefined) return;
  // The alarm threshold is computed from this value, which a token cannot survive.
  if (Token.isUnresolved(value)) {
    throw new Error(`${name} must be a literal number (given an unresolved token)`);
  }
  if (options.exclusive) {
    if (!(value > 0 && value < 100)) {
      throw new Error(`${name} must be greater than 0 and less than 100 (given ${value})`);
    }
  } else if (!(value >= 0 && value <= 100)) {
    throw new Error(`${name} must be between 0 and 100 (given ${value})`);
  }
}

function validateCount(name: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number of 0 or more (given ${value})`);
  }
}

function validatePositiveDuration(name: string, value: Duration | undefined): void {
  if (value === undefined || value.isUnresolved()) return;
  if (value.toMilliseconds({ integral: false }) <= 0) {
    throw new Error(`${name} must be longer than 0 (given ${value.toHumanString()})`);
  }
}

function assertUnique(name: string, alarmNames: string[]): void {
  const seen = new Set<string>();
  for (const alarmName of alarmNames) {
    if (seen.has(alarmName)) {
      throw new Error(
        `${name} must not name the same resource twice in alarm names (given ${alarmName} twice)`,
      );
    }
    seen.add(alarmName);
  }
}
