import { Duration, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { LoadShedder, type LoadShedderProps } from '../../../../lib/constructs/load-shedder';
import { testStack } from '../../../harness/app';

function build(props: Partial<LoadShedderProps> = {}) {
  const stack = testStack();
  const queue = new sqs.Queue(stack, 'Queue');
  const api = new apigateway.RestApi(stack, 'Api', { deployOptions: { stageName: 'prod' } });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  const shedder = new LoadShedder(stack, 'Shedder', { queue, stage: api.deploymentStage, ...props });
  const logicalIdOf = (construct: IConstruct) =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { shedder, logicalIdOf, template: () => Template.fromStack(stack) };
}

describe('LoadShedder', () => {
  test('alarms when the oldest message is older than the bound, for one one-minute period', () => {
    // GIVEN a 2-minute bound
    const { template } = build({ maxQueueAge: Duration.minutes(2) });
    // THEN the alarm watches the queue's maximum message age, and an empty queue does not breach
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 120,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('defaults to a 5-minute bound', () => {
    build().template().hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 300 });
  });

  test("routes the alarm's state changes to the switch function, with retries", () => {
    const { template, shedder, logicalIdOf } = build();
    const stack = template();
    const alarmLogicalId = stack.getResourceId('AWS::CloudWatch::Alarm', {});
    stack.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: [{ 'Fn::GetAtt': [alarmLogicalId, 'Arn'] }],
      },
      Targets: [
        Match.objectLike({
          // the live alias, not the unqualified function
          Arn: { Ref: logicalIdOf(shedder.switchFunction.alias) },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 },
        }),
      ],
    });
  });

  test('sends a failed switch invocation (after two retries) to the same dead-letter queue as undelivered events', () => {
    // GIVEN the shedder (EventBridge invokes the switch asynchronously)
    const { template, shedder, logicalIdOf } = build();
    const stack = template();
    const queueId = stack.getResourceId('AWS::SQS::Queue', {
      Properties: { MessageRetentionPeriod: 1_209_600 },
    });

    // THEN the rule's dead-letter queue and the function's on-failure destination are that queue
    stack.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } })],
    });
    stack.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: {
        Ref: stack.getResourceId('AWS::Lambda::Function', {
          Properties: { ReservedConcurrentExecutions: 1 },
        }),
      },
      // on the alias EventBridge invokes (the last part of its ARN): Lambda keeps these settings
      // per qualifier
      Qualifier: {
        'Fn::Select': [7, { 'Fn::Split': [':', { Ref: logicalIdOf(shedder.switchFunction.alias) }] }],
      },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    // ...which the construct exposes
    expect(logicalIdOf(shedder.deadLetterQueue)).toBe(queueId);
  });

  test('lets the switch function read its alarm and read and PATCH only its stage, one invocation at a time', () => {
    const stack = build().template();
    const alarmLogicalId = stack.getResourceId('AWS::CloudWatch::Alarm', {});
    stack.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          REST_API_ID: { Ref: Match.stringLikeRegexp('^Api') },
          STAGE_NAME: Match.anyValue(),
          SHEDDING_ALARM_NAME: { Ref: alarmLogicalId },
        }),
      },
    });
    stack.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['apigateway:GET', 'apigateway:PATCH'],
            Resource: {
              'Fn::Join': [
                '',
                Match.arrayWith([Match.stringLikeRegexp(':apigateway:[a-z0-9-]+::/restapis/$'), '/stages/']),
              ],
            },
          }),
          Match.objectLike({
            Action: 'cloudwatch:DescribeAlarms',
            Resource: { 'Fn::GetAtt': [alarmLogicalId, 'Arn'] },
          }),
        ]),
      },
    });
  });

  test('runs the switch every minute besides the state changes, so that it converges on the alarm state', () => {
    // GIVEN the default interval
    const { template, shedder, logicalIdOf } = build();
    const stack = template();
    // THEN a schedule rule invokes the same function, with the same retries and dead-letter queue
    stack.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { Ref: logicalIdOf(shedder.switchFunction.alias) },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    // ...and the construct exposes that rule as its convergence rule
    expect(logicalIdOf(shedder.convergenceRule)).toBe(
      stack.getResourceId('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(1 minute)' } }),
    );
  });

  test('takes another convergence interval', () => {
    build({ convergenceInterval: Duration.minutes(5) })
      .template()
      .hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  test('fails if the convergence interval is not whole minutes from 1 to 60', () => {
    expect(() => build({ convergenceInterval: Duration.seconds(30) })).toThrow(
      'Convergence interval must be whole minutes from 60 to 3600 seconds (given 30 seconds)',
    );
  });

  test('fails if the bound is under a minute', () => {
    expect(() => build({ maxQueueAge: Duration.seconds(30) })).toThrow(
      'Maximum queue age must be whole seconds from 60 to 86400 seconds (given 30 seconds)',
    );
  });

  test('fails if the alarm period is not whole minutes', () => {
    expect(() => build({ alarmPeriod: Duration.seconds(90) })).toThrow(
      'Alarm period must be whole minutes from 60 to 86400 seconds (given 90 seconds)',
    );
  });
});
