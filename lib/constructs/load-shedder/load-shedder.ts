import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENVIRONMENT } from '../../../lambdas/contract/environment';
import { handlerEntry } from '../../lambda-entries';
import { ResilientFunction } from '../resilient-function';

/** Properties of a {@link LoadShedder}. */
export interface LoadShedderProps {
  /** The queue whose backlog is bounded. */
  readonly queue: sqs.IQueue;

  /**
   * The API stage whose shedding variable is switched. The async edge's mapping template (see
   * `OrderQueue`) answers 503 while the variable is `true`.
   */
  readonly stage: apigateway.IStage;

  /**
   * Age of the queue's oldest message above which new orders are shed: the longest an accepted order
   * may wait before it is written. Whole seconds, 1 minute to 1 day.
   * @default Duration.minutes(5)
   */
  readonly maxQueueAge?: Duration;

  /**
   * Period of the queue-age alarm: one breaching period starts shedding, one period under the bound
   * stops it. Whole minutes (SQS publishes its metrics once a minute).
   * @default Duration.minutes(1)
   */
  readonly alarmPeriod?: Duration;

  /**
   * How often a schedule runs the switch besides the alarm's state changes, so that it converges on
   * the alarm's state: after an event delivered late or out of order, a failed invocation, or a stack
   * update that changed the stage's variables. Whole minutes, 1 to 60.
   * @default Duration.minutes(1)
   */
  readonly convergenceInterval?: Duration;
}

/**
 * Load shedding for the asynchronous path, driven by an alarm rather than by the request path: a
 * CloudWatch alarm on the queue's `ApproximateAgeOfOldestMessage`, an EventBridge rule on its state
 * changes and a schedule, and a small function that reads the alarm's current state and sets the
 * stage variable `shedding` to `true` (ALARM) or `false` (OK, INSUFFICIENT_DATA) with `UpdateStage`
 * when it differs. The stage applies the variable to the next requests without a deployment, so the
 * edge refuses new orders with 503 and `Retry-After` instead of growing the backlog without bound,
 * and accepts them again once the alarm clears.
 *
 * The stage's template must not set `shedding` (a missing variable means accepting): then a stack
 * update leaves the switch's value alone, and the schedule corrects whatever else went wrong.
 */
export class LoadShedder extends Construct {
  /** The queue-age alarm whose state drives shedding. */
  public readonly alarm: cloudwatch.Alarm;
  /** The function that switches the stage variable. */
  public readonly switchFunction: ResilientFunction;
  /** The EventBridge rule on the alarm's state changes. */
  public readonly rule: events.Rule;
  /** The EventBridge schedule that runs the switch every `convergenceInterval`. */
  public readonly convergenceRule: events.Rule;
  /**
   * Where state changes end up that EventBridge could not deliver after its retries, or whose switch
   * invocation failed after Lambda's retries (the function's on-failure destination).
   */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: LoadShedderProps) {
    super(scope, id);
    const maxQueueAge = props.maxQueueAge ?? Duration.minutes(5);
    validateWholeSeconds('Maximum queue age', maxQueueAge, 60, 86_400);
    const alarmPeriod = props.alarmPeriod ?? Duration.minutes(1);
    validateWholeSeconds('Alarm period', alarmPeriod, 60, 86_400, 60);
    const convergenceInterval = props.convergenceInterval ?? Duration.minutes(1);
    validateWholeSeconds('Convergence interval', convergenceInterval, 60, 3_600, 60);

    this.alarm = new cloudwatch.Alarm(this, 'QueueAgeAlarm', {
      alarmDescription: `Load shedding: the oldest queued order is older than ${maxQueueAge.toSeconds()} seconds; the API answers 503 to new orders until it clears`,
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: alarmPeriod, statistic: 'Maximum' }),
      threshold: maxQueueAge.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // An empty queue publishes no age: that is no backlog, not an unknown one.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // cdk-nag only recognises queues that are another queue's dead-letter queue.
    const deadLetterReason =
      'This queue is the dead-letter queue of the alarm rule and the switch function: a state change that was not delivered, or whose switch failed, waits here for an operator.';
    for (const id of ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy']) {
      Validations.of(this.deadLetterQueue).acknowledge({ id, reason: deadLetterReason });
    }

    this.switchFunction = new ResilientFunction(this, 'Switch', {
      entry: handlerEntry('load-shedder'),
      description: 'Sets the API stage variable shedding from the queue-age alarm state',
      timeout: Duration.seconds(10),
      // One switch at a time: two concurrent invocations cannot interleave their read and update.
      reservedConcurrentExecutions: 1,
      environment: {
        [ENVIRONMENT.restApiId]: props.stage.restApi.restApiId,
        [ENVIRONMENT.stageName]: props.stage.stageName,
        [ENVIRONMENT.sheddingAlarmName]: this.alarm.alarmName,
      },
      functionProps: {
        // EventBridge invokes the switch asynchronously: its rule's dead-letter queue only catches
        // events it could not deliver, so an invocation that fails after Lambda's own retries (a
        // failed UpdateStage) goes to the same queue through an on-failure destination.
        onFailure: new lambdaDestinations.SqsDestination(this.deadLetterQueue),
        retryAttempts: 2,
      },
    });
    this.switchFunction.role.addToPolicy(
      new iam.PolicyStatement({
        // GET reads the variable, PATCH changes it (UpdateStage).
        actions: ['apigateway:GET', 'apigateway:PATCH'],
        resources: [
          Stack.of(this).formatArn({
            service: 'apigateway',
            account: '',
            resource: `/restapis/${props.stage.restApi.restApiId}/stages/${props.stage.stageName}`,
          }),
        ],
      }),
    );
    this.switchFunction.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: [this.alarm.alarmArn] }),
    );
    const switchTarget = new targets.LambdaFunction(this.switchFunction.alias, {
      retryAttempts: 4,
      maxEventAge: Duration.minutes(10),
      deadLetterQueue: this.deadLetterQueue,
    });

    this.rule = new events.Rule(this, 'AlarmStateChange', {
      description: 'Switches load shedding when the queue-age alarm changes state',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [this.alarm.alarmArn],
      },
      targets: [switchTarget],
    });
    this.convergenceRule = new events.Rule(this, 'Convergence', {
      description: 'Sets load shedding from the queue-age alarm state even when no state change arrives',
      schedule: events.Schedule.rate(convergenceInterval),
      targets: [switchTarget],
    });
  }
}

function validateWholeSeconds(what: string, value: Duration, min: number, max: number, multiple = 1): void {
  const seconds = value.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) return;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max || seconds % multiple !== 0) {
    const unit = multiple === 60 ? 'whole minutes' : 'whole seconds';
    throw new Error(`${what} must be ${unit} from ${min} to ${max} seconds (given ${seconds} seconds)`);
  }
}
