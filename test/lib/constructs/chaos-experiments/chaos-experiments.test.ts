import * as path from 'node:path';
import { Duration, Stack, type App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { ChaosExperiments, type ChaosExperimentsProps } from '../../../../lib/constructs/chaos-experiments';
import { ResilientFunction } from '../../../../lib/constructs/resilient-function';
import { testApp, testStack } from '../../../harness/app';
import { TEST_ACCOUNT } from '../../../harness/local-aws';

const entry = path.join(__dirname, '../../../fixtures/echo-handler.ts');
const ARM64_LAYER_PARAMETER = '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x';

/** Stand-ins for what a stack gives the construct: two handlers, two SLO alarms and a global table. */
interface StandIns {
  readonly app: App;
  readonly stack: Stack;
  readonly handlers: ResilientFunction[];
  readonly alarms: cloudwatch.Alarm[];
  readonly table: dynamodb.TableV2;
}

function createStandIns(): StandIns {
  const app = testApp();
  const stack = testStack(app);
  const handlers = [
    new ResilientFunction(stack, 'CreateOrder', { entry }),
    new ResilientFunction(stack, 'GetOrder', { entry }),
  ];
  const alarms = ['5XXError', 'Latency'].map(
    (metricName) =>
      new cloudwatch.Alarm(stack, `Slo${metricName}`, {
        metric: new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName }),
        threshold: 1,
        evaluationPeriods: 1,
      }),
  );
  const table = new dynamodb.TableV2(stack, 'Orders', {
    partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
    replicas: [{ region: 'us-west-2' }],
  });
  return { app, stack, handlers, alarms, table };
}

function lambdaProps(standIns: StandIns): ChaosExperimentsProps {
  return {
    targetFunctions: standIns.handlers.map((handler) => handler.function),
    stopConditionAlarms: standIns.alarms,
  };
}

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as lambda.CfnFunction);
}

const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] });

/** The Properties of the only experiment template whose action has this id. */
function templateWithAction(template: Template, actionId: string): Record<string, any> {
  const templates = Object.values(template.findResources('AWS::FIS::ExperimentTemplate')).filter((resource) =>
    Object.values<{ ActionId: string }>(resource.Properties.Actions).some(
      (action) => action.ActionId === actionId,
    ),
  );
  expect(templates).toHaveLength(1);
  return templates[0].Properties;
}

/** The statements of the FIS role's policy. */
function fisRoleStatements(template: Template, chaos: ChaosExperiments): Record<string, any>[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: logicalIdOf(chaos.role) }] },
  });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

describe('ChaosExperiments', () => {
  describe('with target functions, SLO alarms and a global table, all defaults', () => {
    let standIns: StandIns;
    let chaos: ChaosExperiments;
    let template: Template;

    beforeAll(() => {
      // GIVEN
      standIns = createStandIns();
      // WHEN
      chaos = new ChaosExperiments(standIns.stack, 'Chaos', {
        ...lambdaProps(standIns),
        globalTable: standIns.table,
      });
      template = Template.fromStack(standIns.stack);
    });

    test('creates one template per experiment: delay, error and replication pause', () => {
      // THEN
      template.resourceCountIs('AWS::FIS::ExperimentTemplate', 3);
      // ...each exposed under the name of its experiment
      const idsWithAction = (actionId: string) =>
        Object.entries(template.findResources('AWS::FIS::ExperimentTemplate'))
          .filter(([, resource]) =>
            Object.values<{ ActionId: string }>(resource.Properties.Actions).some(
              (action) => action.ActionId === actionId,
            ),
          )
          .map(([logicalId]) => logicalId);
      const idOf = (experiment: CfnElement | undefined) =>
        experiment && standIns.stack.getLogicalId(experiment);
      expect([idOf(chaos.invocationDelayTemplate)]).toEqual(idsWithAction('aws:lambda:invocation-add-delay'));
      expect([idOf(chaos.invocationErrorTemplate)]).toEqual(idsWithAction('aws:lambda:invocation-error'));
      expect([idOf(chaos.replicationPauseTemplate)]).toEqual(
        idsWithAction('aws:dynamodb:global-table-pause-replication'),
      );
    });

    test('the delay experiment delays half the invocations of every target function by 1 s for 5 minutes', () => {
      // THEN
      const properties = templateWithAction(template, 'aws:lambda:invocation-add-delay');
      expect(Object.values(properties.Actions)).toEqual([
        expect.objectContaining({
          Parameters: { duration: 'PT5M', invocationPercentage: '50', startupDelayMilliseconds: '1000' },
          Targets: { Functions: 'Functions' },
        }),
      ]);
      expect(properties.Targets).toEqual({
        Functions: {
          ResourceType: 'aws:lambda:function',
          ResourceArns: standIns.handlers.map((handler) => arnOf(handler.function)),
          SelectionMode: 'ALL',
        },
      });
    });

    test('the error experiment fails 10% of the invocations without running the handler, for 5 minutes', () => {
      // THEN
      const properties = templateWithAction(template, 'aws:lambda:invocation-error');
      expect(Object.values(properties.Actions)).toEqual([
        expect.objectContaining({
          Parameters: { duration: 'PT5M', invocationPercentage: '10', preventExecution: 'true' },
          Targets: { Functions: 'Functions' },
        }),
      ]);
      expect(properties.Targets.Functions.ResourceArns).toEqual(
        standIns.handlers.map((handler) => arnOf(handler.function)),
      );
    });

    test('the replication pause experiment pauses the global table for 10 minutes', () => {
      // THEN
      const properties = templateWithAction(template, 'aws:dynamodb:global-table-pause-replication');
      expect(Object.values(properties.Actions)).toEqual([
        expect.objectContaining({ Parameters: { duration: 'PT10M' }, Targets: { Tables: 'Tables' } }),
      ]);
      expect(properties.Targets).toEqual({
        Tables: {
          ResourceType: 'aws:dynamodb:global-table',
          ResourceArns: [arnOf(standIns.table)],
          SelectionMode: 'ALL',
        },
      });
    });

    test('every experiment stops when any SLO alarm goes off, and logs to the log group', () => {
      // THEN
      const templates = Object.values(template.findResources('AWS::FIS::ExperimentTemplate'));
      for (const resource of templates) {
        expect(resource.Properties.StopConditions).toEqual(
          standIns.alarms.map((alarm) => ({ Source: 'aws:cloudwatch:alarm', Value: arnOf(alarm) })),
        );
        expect(resource.Properties.RoleArn).toEqual(arnOf(chaos.role));
        expect(resource.Properties.LogConfiguration).toEqual({
          CloudWatchLogsConfiguration: { LogGroupArn: arnOf(chaos.logGroup) },
          LogSchemaVersion: 2,
        });
        // A template whose targets vanished must fail rather than run against nothing.
        expect(resource.Properties.ExperimentOptions).toEqual({
          AccountTargeting: 'single-account',
          EmptyTargetResolutionMode: 'fail',
        });
      }
    });

    test('attaches the arm64 FIS extension layer, resolved per region from the public SSM parameter', () => {
      // THEN
      const parameters = template.findParameters('*', { Default: ARM64_LAYER_PARAMETER });
      expect(Object.values(parameters)).toEqual([
        { Type: 'AWS::SSM::Parameter::Value<String>', Default: ARM64_LAYER_PARAMETER },
      ]);
      const [parameterId] = Object.keys(parameters);
      for (const handler of standIns.handlers) {
        const fn = template.toJSON().Resources[logicalIdOf(handler.function)];
        expect(fn.Properties.Layers).toEqual([{ Ref: parameterId }]);
      }
    });

    test("points the extension at the bucket's configuration folder and wraps the runtime", () => {
      // THEN
      for (const handler of standIns.handlers) {
        const fn = template.toJSON().Resources[logicalIdOf(handler.function)];
        expect(fn.Properties.Environment.Variables).toMatchObject({
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/aws-fis/bootstrap',
          AWS_FIS_CONFIGURATION_LOCATION: {
            'Fn::Join': ['', [arnOf(chaos.configBucket!), '/FisConfigs/']],
          },
        });
        expect(fn.Properties.Environment.Variables.AWS_FIS_POLL_MAX_WAIT_MILLISECONDS).toBeUndefined();
      }
    });

    test('lets every target function list and read the configuration folder, nothing more', () => {
      // THEN
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: standIns.handlers.map((handler) => ({ Ref: logicalIdOf(handler.role) })),
        PolicyDocument: {
          Statement: [
            {
              Sid: 'ListFaultConfigurations',
              Effect: 'Allow',
              Action: 's3:ListBucket',
              Resource: arnOf(chaos.configBucket!),
              Condition: { StringLike: { 's3:prefix': ['FisConfigs/*'] } },
            },
            {
              Sid: 'ReadFaultConfigurations',
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: { 'Fn::Join': ['', [arnOf(chaos.configBucket!), '/FisConfigs/*']] },
            },
          ],
        },
      });
    });

    test('the configuration bucket is private, encrypted, TLS-only and empties itself', () => {
      // THEN
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 1, Status: 'Enabled' }] },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalIdOf(chaos.configBucket!) },
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      });
    });

    test('only FIS experiments of this account and region may assume the role', () => {
      // THEN
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'fis.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
                ArnLike: { 'aws:SourceArn': 'arn:aws:fis:us-east-1:111111111111:experiment/*' },
              },
            },
          ],
        },
      });
    });

    test('the role writes only the configuration folder, inspects only the targets, pauses only the table', () => {
      // THEN
      const bucketArn = arnOf(chaos.configBucket!);
      const tableArn = arnOf(standIns.table);
      expect(fisRoleStatements(template, chaos)).toEqual([
        {
          Sid: 'DeliverExperimentLogs',
          Effect: 'Allow',
          Action: [
            'logs:CreateLogDelivery',
            'logs:DescribeLogGroups',
            'logs:DescribeResourcePolicies',
            'logs:PutResourcePolicy',
          ],
          Resource: '*',
        },
        { Sid: 'ResolveTargets', Effect: 'Allow', Action: 'tag:GetResources', Resource: '*' },
        {
          Sid: 'WriteFaultConfigurations',
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:PutObject'],
          Resource: { 'Fn::Join': ['', [bucketArn, '/FisConfigs/*']] },
        },
        {
          Sid: 'InspectTargetFunctions',
          Effect: 'Allow',
          Action: 'lambda:GetFunction',
          Resource: standIns.handlers.map((handler) => arnOf(handler.function)),
        },
        {
          Sid: 'PauseReplication',
          Effect: 'Allow',
          Action: [
            'dynamodb:DeleteResourcePolicy',
            'dynamodb:DescribeTable',
            'dynamodb:GetResourcePolicy',
            'dynamodb:PutResourcePolicy',
          ],
          Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/stream/*']] }],
        },
      ]);
    });
  });

  test('options set the Lambda faults: percentages, delay, duration, handler execution, poll wait', () => {
    // GIVEN
    const standIns = createStandIns();
    // WHEN
    new ChaosExperiments(standIns.stack, 'Chaos', {
      ...lambdaProps(standIns),
      lambdaFaultDuration: Duration.minutes(15),
      invocationDelay: Duration.seconds(12),
      delayInvocationPercentage: 100,
      errorInvocationPercentage: 1,
      errorPreventsExecution: false,
      extensionPollMaxWait: Duration.seconds(2),
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    const delay = templateWithAction(template, 'aws:lambda:invocation-add-delay');
    expect(Object.values<{ Parameters: unknown }>(delay.Actions)[0].Parameters).toEqual({
      duration: 'PT15M',
      invocationPercentage: '100',
      startupDelayMilliseconds: '12000',
    });
    const error = templateWithAction(template, 'aws:lambda:invocation-error');
    expect(Object.values<{ Parameters: unknown }>(error.Actions)[0].Parameters).toEqual({
      duration: 'PT15M',
      invocationPercentage: '1',
      preventExecution: 'false',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AWS_FIS_POLL_MAX_WAIT_MILLISECONDS: '2000' }) },
    });
  });

  test('a given layer ARN replaces the SSM lookup', () => {
    // GIVEN
    const standIns = createStandIns();
    const layerArn = 'arn:aws:lambda:us-east-1:123456789012:layer:aws-fis-extension-arm64:9';
    // WHEN
    new ChaosExperiments(standIns.stack, 'Chaos', {
      ...lambdaProps(standIns),
      fisExtensionLayerArn: layerArn,
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    expect(template.findParameters('*', { Default: ARM64_LAYER_PARAMETER })).toEqual({});
    for (const handler of standIns.handlers) {
      const fn = template.toJSON().Resources[logicalIdOf(handler.function)];
      expect(fn.Properties.Layers).toEqual([layerArn]);
    }
  });

  test('an x86_64 function gets the x86_64 extension', () => {
    // GIVEN
    const standIns = createStandIns();
    const x86 = new ResilientFunction(standIns.stack, 'X86', {
      entry,
      functionProps: { architecture: lambda.Architecture.X86_64 },
    });
    // WHEN
    new ChaosExperiments(standIns.stack, 'Chaos', {
      targetFunctions: [x86.function],
      stopConditionAlarms: standIns.alarms,
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    const x86Parameter = '/aws/service/fis/lambda-extension/AWS-FIS-extension-x86_64/1.x.x';
    const [parameterId] = Object.keys(template.findParameters('*', { Default: x86Parameter }));
    expect(template.toJSON().Resources[logicalIdOf(x86.function)].Properties.Layers).toEqual([
      { Ref: parameterId },
    ]);
    expect(template.findParameters('*', { Default: ARM64_LAYER_PARAMETER })).toEqual({});
  });

  test('without a global table, no replication pause and no DynamoDB permission', () => {
    // GIVEN
    const standIns = createStandIns();
    // WHEN
    const chaos = new ChaosExperiments(standIns.stack, 'Chaos', lambdaProps(standIns));
    // THEN
    const template = Template.fromStack(standIns.stack);
    template.resourceCountIs('AWS::FIS::ExperimentTemplate', 2);
    expect(chaos.replicationPauseTemplate).toBeUndefined();
    const actions = fisRoleStatements(template, chaos).flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action: string) => action.startsWith('dynamodb:'))).toEqual([]);
  });

  test('with only a global table, no Lambda experiments, no extension and no configuration bucket', () => {
    // GIVEN
    const standIns = createStandIns();
    // WHEN
    const chaos = new ChaosExperiments(standIns.stack, 'Chaos', {
      stopConditionAlarms: standIns.alarms,
      globalTable: standIns.table,
    });
    // THEN
    const template = Template.fromStack(standIns.stack);
    template.resourceCountIs('AWS::FIS::ExperimentTemplate', 1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    expect(chaos.configBucket).toBeUndefined();
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Layers).toBeUndefined();
      expect(fn.Properties.Environment.Variables.AWS_LAMBDA_EXEC_WRAPPER).toBeUndefined();
    }
  });

  describe('fails if', () => {
    test.each([
      [
        'delayInvocationPercentage',
        { delayInvocationPercentage: 0 },
        /delayInvocationPercentage must be between 1 and 100 inclusive \(given 0\)/,
      ],
      [
        'errorInvocationPercentage',
        { errorInvocationPercentage: 101 },
        /errorInvocationPercentage must be between 1 and 100 inclusive \(given 101\)/,
      ],
      [
        'invocationDelay',
        { invocationDelay: Duration.seconds(901) },
        /invocationDelay must be between 0 and 900000 milliseconds inclusive \(given 901000\)/,
      ],
      [
        'lambdaFaultDuration',
        { lambdaFaultDuration: Duration.seconds(30) },
        /lambdaFaultDuration must be between 1 minute and 12 hours \(given 30 seconds\)/,
      ],
      [
        'replicationPauseDuration',
        { replicationPauseDuration: Duration.hours(13) },
        /replicationPauseDuration must be between 1 minute and 12 hours \(given 13 hours\)/,
      ],
    ] as const)('%s is out of range', (_, options, message) => {
      const standIns = createStandIns();
      expect(
        () =>
          new ChaosExperiments(standIns.stack, 'Chaos', {
            ...lambdaProps(standIns),
            globalTable: standIns.table,
            ...options,
          }),
      ).toThrow(message);
    });

    test('no stop condition alarm is given', () => {
      const standIns = createStandIns();
      expect(
        () =>
          new ChaosExperiments(standIns.stack, 'Chaos', {
            ...lambdaProps(standIns),
            stopConditionAlarms: [],
          }),
      ).toThrow(/stopConditionAlarms must hold between 1 and 5 alarms \(given 0\)/);
    });

    test('more stop condition alarms than the FIS quota of 5 are given', () => {
      const standIns = createStandIns();
      const six = Array.from({ length: 6 }, () => standIns.alarms[0]);
      expect(
        () =>
          new ChaosExperiments(standIns.stack, 'Chaos', {
            ...lambdaProps(standIns),
            stopConditionAlarms: six,
          }),
      ).toThrow(/stopConditionAlarms must hold between 1 and 5 alarms \(given 6\)/);
    });

    test('there is nothing to experiment on', () => {
      const standIns = createStandIns();
      expect(
        () => new ChaosExperiments(standIns.stack, 'Chaos', { stopConditionAlarms: standIns.alarms }),
      ).toThrow(/needs targetFunctions or a globalTable \(given neither\)/);
    });
  });
});
