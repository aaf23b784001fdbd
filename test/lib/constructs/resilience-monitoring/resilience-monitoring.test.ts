import { App, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import {
  ResilienceMonitoring,
  ResilienceMonitoringProps,
} from '../../../../lib/constructs/resilience-monitoring';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const recommendedFlags: Record<string, unknown> = require('aws-cdk-lib/recommended-feature-flags.json');

/** Stand-ins for the resources the construct watches; the real ones are built and checked elsewhere. */
interface StandIns {
  readonly app: App;
  readonly stack: Stack;
  readonly handler: lambda.Function;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly table: dynamodb.TableV2;
  readonly api: apigateway.RestApi;
}

function createStandIns(): StandIns {
  const app = new App({ context: recommendedFlags });
  const stack = new Stack(app, 'TestStack');
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    timeout: Duration.seconds(10),
    memorySize: 256,
    tracing: lambda.Tracing.ACTIVE,
  });
  const deadLetterQueue = new sqs.Queue(stack, 'DeadLetterQueue', { enforceSSL: true });
  const queue = new sqs.Queue(stack, 'Queue', {
    enforceSSL: true,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
  });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const api = new apigateway.RestApi(stack, 'Api');
  api.root.addMethod('GET', new apigateway.MockIntegration());
  return { app, stack, handler, queue, deadLetterQueue, table, api };
}

function fullProps(standIns: StandIns): ResilienceMonitoringProps {
  return {
    api: standIns.api,
    monitoredFunctions: [{ lambdaFunction: standIns.handler, timeout: Duration.seconds(10) }],
    queue: standIns.queue,
    deadLetterQueue: standIns.deadLetterQueue,
    tables: [standIns.table],
  };
}

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as cloudwatch.CfnAlarm);
}

function alarmWithMetric(template: Template, metricName: string): string {
  const ids = Object.keys(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: metricName } }),
  );
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('ResilienceMonitoring', () => {
  describe('with the API access log group', () => {
    test('counts 429 answers from the access log and alarms when there are any', () => {
      // GIVEN
      const standIns = createStandIns();
      const accessLogs = new logs.LogGroup(standIns.stack, 'AccessLogs');
      // WHEN
      new ResilienceMonitoring(standIns.stack, 'Monitoring', {
        ...fullProps(standIns),
        apiAccessLogGroup: accessLogs,
      });
      // THEN
      const template = Template.fromStack(standIns.stack);
      template.hasResourceProperties('AWS::Logs::MetricFilter', {
        FilterPattern: '{ $.status = "429" }',
        MetricTransformations: [
          Match.objectLike({ MetricName: 'ThrottledRequests', MetricValue: '1', DefaultValue: 0 }),
        ],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ThrottledRequests',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('the access-log alarms (429 count, server-error share) evaluate over alarmPeriod like the others', () => {
      // GIVEN
      const standIns = createStandIns();
      const accessLogs = new logs.LogGroup(standIns.stack, 'AccessLogs');
      // WHEN
      new ResilienceMonitoring(standIns.stack, 'Monitoring', {
        ...fullProps(standIns),
        apiAccessLogGroup: accessLogs,
        alarmPeriod: Duration.minutes(1),
      });
      // THEN
      const template = Template.fromStack(standIns.stack);
      for (const metricName of ['ThrottledRequests', 'ServerErrorShare']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName, Period: 60 });
      }
    });

    test('fails if the 429 threshold is negative', () => {
      const standIns = createStandIns();
      const accessLogs = new logs.LogGroup(standIns.stack, 'AccessLogs');
      expect(
        () =>
          new ResilienceMonitoring(standIns.stack, 'Monitoring', {
            ...fullProps(standIns),
            apiAccessLogGroup: accessLogs,
            apiThrottledCountThreshold: -1,
          }),
      ).toThrow(/apiThrottledCountThreshold/);
    });
  });

  describe('with an API, a function, a queue with its DLQ and a table', () => {
    let standIns: StandIns;
    let monitoring: ResilienceMonitoring;
    let template: Template;

    beforeAll(() => {
      // GIVEN
      standIns = createStandIns();
      // WHEN
      monitoring = new ResilienceMonitoring(standIns.stack, 'Monitoring', fullProps(standIns));
      template = Template.fromStack(standIns.stack);
    });

    test('creates an alarm topic encrypted with a rotated customer managed key', () => {
      // THEN
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(monitoring.alarmTopicKey!), 'Arn'] },
      });
    });

    test('lets CloudWatch use the topic key, without which alarm notifications are dropped', () => {
      // THEN
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
    });

    test('refuses publishers that do not use TLS', () => {
      // THEN
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    test('alarms when more than 1% of API requests end in a 5XX within 5 minutes', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5XXError',
        Dimensions: Match.arrayWith([{ Name: 'ApiName', Value: 'Api' }]),
        // The Average of 5XXError is the fraction of requests that failed.
        Statistic: 'Average',
        Threshold: 0.01,
        ComparisonOperator: 'GreaterThanThreshold',
        Period: 300,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
      });
    });

    test('alarms when more than 5% of API requests end in a 4XX (429 throttling included)', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: Match.objectLike({ Namespace: 'AWS/ApiGateway', MetricName: '4XXError' }),
              Period: 300,
              Stat: 'Average',
            },
          }),
        ],
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('alarms when the API p99 latency is above 2000 ms', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: Match.objectLike({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency' }),
              Period: 300,
              Stat: 'p99',
            },
          }),
        ],
        Threshold: 2000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('alarms on any function error', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(standIns.handler) } }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('alarms on any throttled function invocation', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: Match.objectLike({ Namespace: 'AWS/Lambda', MetricName: 'Throttles' }),
              Period: 300,
              Stat: 'Sum',
            },
          }),
        ],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('alarms when the function p99 duration is above 80% of its timeout', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: Match.objectLike({ Namespace: 'AWS/Lambda', MetricName: 'Duration' }),
              Period: 300,
              Stat: 'p99',
            },
          }),
        ],
        Threshold: 8000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('alarms when the oldest queued message is older than 5 minutes', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [
                  { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(standIns.queue), 'QueueName'] } },
                ],
              },
              Period: 300,
              Stat: 'Maximum',
            },
          }),
        ],
        Threshold: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    test('alarms on any message in the dead-letter queue', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalIdOf(standIns.deadLetterQueue), 'QueueName'] },
          },
        ],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    test.each(['ReadThrottleEvents', 'WriteThrottleEvents'])('alarms on any table %s', (metricName) => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({
                Namespace: 'AWS/DynamoDB',
                MetricName: metricName,
                Dimensions: [{ Name: 'TableName', Value: { Ref: logicalIdOf(standIns.table) } }],
              }),
              Stat: 'Sum',
            }),
          }),
        ]),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('alarms on any table system error', () => {
      // THEN
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            Expression: Match.stringLikeRegexp('^systemErrorGetItem\\+.*systemErrorPutItem'),
          }),
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({ Namespace: 'AWS/DynamoDB', MetricName: 'SystemErrors' }),
            }),
          }),
        ]),
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    test('creates the eleven alarms and nothing else', () => {
      // THEN
      template.resourceCountIs('AWS::CloudWatch::Alarm', 11);
      template.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 1);
    });

    test('sends ALARM and OK of every alarm, composite included, to the topic', () => {
      // THEN
      const topicRef = { Ref: logicalIdOf(monitoring.alarmTopic) };
      const alarms = {
        ...template.findResources('AWS::CloudWatch::Alarm'),
        ...template.findResources('AWS::CloudWatch::CompositeAlarm'),
      };
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties).toMatchObject({
          ActionsEnabled: true,
          AlarmActions: [topicRef],
          OKActions: [topicRef],
        });
      }
    });

    test('prefixes alarm names with the stack name', () => {
      // THEN
      const alarms = template.findResources('AWS::CloudWatch::Alarm');
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties.AlarmName).toMatch(/^TestStack-/);
      }
      template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
        AlarmName: 'TestStack-RegionUnhealthy',
      });
    });

    test('puts the region unhealthy alarm in ALARM when the 5XX rate, DLQ depth or function errors alarm is', () => {
      // THEN
      const inputs = [
        alarmWithMetric(template, '5XXError'),
        alarmWithMetric(template, 'ApproximateNumberOfMessagesVisible'),
        alarmWithMetric(template, 'Errors'),
      ];
      const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0];
      const [, ruleParts] = composite.Properties.AlarmRule['Fn::Join'] as [string, unknown[]];
      const referenced = ruleParts
        .filter((part): part is { 'Fn::GetAtt': [string, string] } => typeof part === 'object')
        .map((part) => part['Fn::GetAtt'][0]);
      expect(referenced.sort()).toEqual(inputs.sort());
      const literals = ruleParts.filter((part) => typeof part === 'string').join('');
      expect(literals).toBe('(ALARM("") OR ALARM("") OR ALARM(""))');
    });

    test('exposes the region unhealthy inputs as single-metric alarms Route 53 health checks accept', () => {
      // THEN
      expect(monitoring.regionHealthAlarms).toHaveLength(3);
      for (const alarm of monitoring.regionHealthAlarms) {
        const properties = template.toJSON().Resources[logicalIdOf(alarm)].Properties;
        expect(properties.Metrics).toBeUndefined();
        expect(properties.ExtendedStatistic).toBeUndefined();
        expect(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']).toContain(properties.Statistic);
        expect(properties.Period).toBeGreaterThanOrEqual(60);
      }
    });

    test('exposes as SLO alarms the API 5XX rate, API p99 latency and dead-letter alarms, no function alarm', () => {
      // THEN
      const apiLatency = Object.keys(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: {
            Metrics: [
              Match.objectLike({
                MetricStat: Match.objectLike({
                  Metric: Match.objectLike({ MetricName: 'Latency', Namespace: 'AWS/ApiGateway' }),
                }),
              }),
            ],
          },
        }),
      );
      expect(apiLatency).toHaveLength(1);
      expect(monitoring.sloAlarms.map(logicalIdOf).sort()).toEqual(
        [
          alarmWithMetric(template, '5XXError'),
          apiLatency[0],
          alarmWithMetric(template, 'ApproximateNumberOfMessagesVisible'),
        ].sort(),
      );
    });

    test('creates a dashboard named after the alarm prefix and the region', () => {
      // THEN
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
        DashboardName: { 'Fn::Join': ['', ['TestStack-', { Ref: 'AWS::Region' }]] },
      });
      expect(monitoring.dashboard).toBeInstanceOf(cloudwatch.Dashboard);
    });
  });

  test('watches the given API stage', () => {
    // GIVEN
    const standIns = createStandIns();
    // WHEN
    new ResilienceMonitoring(standIns.stack, 'Monitoring', { api: standIns.api, apiStageName: 'live' });
    // THEN
    Template.fromStack(standIns.stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Dimensions: Match.arrayWith([{ Name: 'Stage', Value: 'live' }]),
    });
  });

  test('applies custom thresholds, period and prefix', () => {
    // GIVEN
    const standIns = createStandIns();
    // WHEN
    new ResilienceMonitoring(standIns.stack, 'Monitoring', {
      ...fullProps(standIns),
      alarmPrefix: 'OrdersEu',
      alarmPeriod: Duration.minutes(1),
      apiServerErrorRateThresholdPercent: 5,
      functionErrorCountThreshold: 3,
      functionDurationThresholdPercentOfTimeout: 50,
      queueOldestMessageAgeThreshold: Duration.minutes(2),
      dashboardName: 'orders-eu',
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.stringLikeRegexp('^OrdersEu-Api-'),
      MetricName: '5XXError',
      Threshold: 0.05,
      Period: 60,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Threshold: 3,
      Period: 60,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [Match.objectLike({ MetricStat: Match.objectLike({ Stat: 'p99', Period: 60 }) })],
      Threshold: 5000,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'ApproximateAgeOfOldestMessage' }),
          }),
        }),
      ],
      Threshold: 120,
    });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'OrdersEu-RegionUnhealthy',
    });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'orders-eu' });
  });

  test('sends notifications to a given topic and creates no topic or key', () => {
    // GIVEN
    const standIns = createStandIns();
    const topic = new sns.Topic(standIns.stack, 'OpsTopic', { enforceSSL: true });
    // WHEN
    const monitoring = new ResilienceMonitoring(standIns.stack, 'Monitoring', {
      ...fullProps(standIns),
      alarmTopic: topic,
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(monitoring.alarmTopic).toBe(topic);
    expect(monitoring.alarmTopicKey).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [{ Ref: logicalIdOf(topic) }],
      OKActions: [{ Ref: logicalIdOf(topic) }],
    });
  });

  test('leaves out of the region unhealthy alarm a function that opts out', () => {
    // GIVEN
    const standIns = createStandIns();
    // WHEN
    const monitoring = new ResilienceMonitoring(standIns.stack, 'Monitoring', {
      deadLetterQueue: standIns.deadLetterQueue,
      monitoredFunctions: [
        { lambdaFunction: standIns.handler, timeout: Duration.seconds(10), affectsRegionHealth: false },
      ],
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    expect(monitoring.regionHealthAlarms.map(logicalIdOf)).toEqual([
      alarmWithMetric(template, 'ApproximateNumberOfMessagesVisible'),
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Errors' }) }),
        }),
      ],
    });
  });

  test('tells apart functions whose construct IDs are the same', () => {
    // GIVEN
    const standIns = createStandIns();
    const consumer = new lambda.Function(new Construct(standIns.stack, 'Consumer'), 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    });
    // WHEN
    new ResilienceMonitoring(standIns.stack, 'Monitoring', {
      monitoredFunctions: [
        { lambdaFunction: standIns.handler, timeout: Duration.seconds(10) },
        { lambdaFunction: consumer, timeout: Duration.seconds(3) },
      ],
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-Handler-Fault-Count-Critical',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'TestStack-Consumer-Handler-Fault-Count-Critical',
    });
  });

  test('passes the AwsSolutions and Serverless cdk-nag checks', () => {
    // GIVEN
    const standIns = createStandIns();
    acknowledgeStandInFindings(standIns);
    // Plugins must be registered before the first synthesis: Template.fromStack caches the assembly.
    const packs = [new AwsSolutionsChecks(standIns.app), new ServerlessChecks(standIns.app)];
    Validations.of(standIns.app).addPlugins(...packs);
    // WHEN
    new ResilienceMonitoring(standIns.stack, 'Monitoring', fullProps(standIns));
    // THEN
    expect(() => standIns.app.synth()).not.toThrow();
    // Synthesis only fails on errors; validateScope also lists warnings.
    for (const pack of packs) {
      expect(pack.validateScope(standIns.app).violations).toEqual([]);
    }
  });

  describe('fails if', () => {
    function build(props: (standIns: StandIns) => ResilienceMonitoringProps): () => void {
      const standIns = createStandIns();
      return () => new ResilienceMonitoring(standIns.stack, 'Monitoring', props(standIns));
    }

    test.each([
      [
        'apiServerErrorRateThresholdPercent',
        150,
        'apiServerErrorRateThresholdPercent must be between 0 and 100 (given 150)',
      ],
      [
        'apiClientErrorRateThresholdPercent',
        -1,
        'apiClientErrorRateThresholdPercent must be between 0 and 100 (given -1)',
      ],
      [
        'functionDurationThresholdPercentOfTimeout',
        100,
        'functionDurationThresholdPercentOfTimeout must be greater than 0 and less than 100 (given 100)',
      ],
      [
        'functionErrorCountThreshold',
        1.5,
        'functionErrorCountThreshold must be a whole number of 0 or more (given 1.5)',
      ],
      [
        'functionThrottleCountThreshold',
        -1,
        'functionThrottleCountThreshold must be a whole number of 0 or more (given -1)',
      ],
    ])('%s is %d', (name, value, message) => {
      expect(build((standIns) => ({ ...fullProps(standIns), [name]: value }))).toThrow(message);
    });

    test('a percentage is an unresolved token', () => {
      expect(
        build((standIns) => ({
          ...fullProps(standIns),
          apiServerErrorRateThresholdPercent: Token.asNumber({ Ref: 'X' }),
        })),
      ).toThrow('apiServerErrorRateThresholdPercent must be a literal number (given an unresolved token)');
    });

    test('the alarm period is not a whole number of minutes', () => {
      expect(build((standIns) => ({ ...fullProps(standIns), alarmPeriod: Duration.seconds(30) }))).toThrow(
        'alarmPeriod must be a whole number of minutes (given 30 seconds)',
      );
    });

    test('the API latency threshold is zero', () => {
      expect(
        build((standIns) => ({ ...fullProps(standIns), apiLatencyP99Threshold: Duration.millis(0) })),
      ).toThrow('apiLatencyP99Threshold must be longer than 0 (given 0 millis)');
    });

    test('a monitored function timeout is longer than 15 minutes', () => {
      expect(
        build((standIns) => ({
          monitoredFunctions: [{ lambdaFunction: standIns.handler, timeout: Duration.minutes(16) }],
        })),
      ).toThrow(
        'The timeout of monitored function TestStack/Handler must be between 1 second and 15 minutes (given 16 minutes)',
      );
    });

    test('the same function is monitored twice', () => {
      expect(
        build((standIns) => ({
          monitoredFunctions: [
            { lambdaFunction: standIns.handler, timeout: Duration.seconds(10) },
            { lambdaFunction: standIns.handler, timeout: Duration.seconds(10) },
          ],
        })),
      ).toThrow(
        'monitoredFunctions must not name the same resource twice in alarm names (given Handler twice)',
      );
    });

    test('nothing feeds the region unhealthy alarm', () => {
      expect(build((standIns) => ({ queue: standIns.queue, tables: [standIns.table] }))).toThrow(
        'ResilienceMonitoring needs at least one input for the region unhealthy alarm: api, deadLetterQueue, ' +
          'or a monitored function with affectsRegionHealth (given none)',
      );
    });

    test('the alarm prefix is empty', () => {
      expect(build((standIns) => ({ ...fullProps(standIns), alarmPrefix: '' }))).toThrow(
        'alarmPrefix must not be empty (given an empty string)',
      );
    });

    test('the alarm prefix is an unresolved token', () => {
      expect(
        build((standIns) => ({ ...fullProps(standIns), alarmPrefix: Token.asString({ Ref: 'X' }) })),
      ).toThrow(/^alarmPrefix must be a literal string/);
    });
  });
});

/**
 * Acknowledges the findings of the stand-ins, never of the monitoring construct: the stand-ins are
 * the bare minimum a monitoring test needs, and the real resources are checked in their own tests.
 * Plain rule IDs, not the `AwsSolutions::` form the CDK report suggests: cdk-nag's own
 * `validateScope` only recognises the plain form.
 */
function acknowledgeStandInFindings(standIns: StandIns): void {
  const reason =
    'Stand-in for the monitoring test; the real resource is configured and checked in its own test.';
  const findings: [IConstruct, string[]][] = [
    [
      standIns.handler,
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Resource::*]',
        'Serverless-LambdaDLQ',
      ],
    ],
    [standIns.deadLetterQueue, ['Serverless-SQSRedrivePolicy']],
    [
      standIns.api,
      [
        'AwsSolutions-APIG1',
        'AwsSolutions-APIG2',
        'AwsSolutions-APIG3',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG6',
        'AwsSolutions-COG4',
        'Serverless-APIGWAccessLogging',
        'Serverless-APIGWDefaultThrottling',
        'Serverless-APIGWXrayEnabled',
      ],
    ],
  ];
  for (const [construct, ids] of findings) {
    for (const id of ids) {
      Validations.of(construct).acknowledge({ id, reason });
    }
  }
}
