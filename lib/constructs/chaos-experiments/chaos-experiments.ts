import {
  ArnFormat,
  CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Tokenization,
  Validations,
} from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';

/**
 * The tuning knobs of {@link ChaosExperiments}: what the experiments inject, how much and for how long.
 * `OrderApiStack` takes them as its `chaosExperiments` option.
 */
export interface ChaosExperimentsOptions {
  /**
   * How long each Lambda fault (delay or error) lasts once an experiment starts.
   * Between one minute and 12 hours.
   * @default Duration.minutes(5)
   */
  readonly lambdaFaultDuration?: Duration;

  /**
   * Delay the `aws:lambda:invocation-add-delay` action adds before the handler runs. FIS allows
   * 0 to 900,000 ms; a delay longer than a function's timeout turns into timeouts.
   * @default Duration.seconds(1)
   */
  readonly invocationDelay?: Duration;

  /**
   * Percentage (1 to 100) of invocations the delay experiment slows down.
   * @default 50
   */
  readonly delayInvocationPercentage?: number;

  /**
   * Percentage (1 to 100) of invocations the error experiment fails.
   * @default 10
   */
  readonly errorInvocationPercentage?: number;

  /**
   * Whether a failed invocation skips the handler (true) or runs it and then reports a failure (false:
   * the side effects happen, the caller sees an error, which is what a retry must survive).
   * @default true
   */
  readonly errorPreventsExecution?: boolean;

  /**
   * How long the global table's replication stays paused (multi-region, primary region only).
   * Between one minute and 12 hours.
   * @default Duration.minutes(10)
   */
  readonly replicationPauseDuration?: Duration;

  /**
   * ARN of the AWS FIS Lambda extension layer to attach to the target functions, for every
   * architecture. AWS publishes the layer in each region, for arm64 and x86_64, with ARNs of the
   * form `arn:aws:lambda:<region>:<AWS account>:layer:aws-fis-extension-<arch>:<version>`; look the
   * current one up per region (`aws ssm get-parameter --name
   * /aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x --region <region>`).
   * @default - resolved at deploy time, per function architecture, from the public SSM parameter
   * `/aws/service/fis/lambda-extension/AWS-FIS-extension-<arm64|x86_64>/1.x.x` of the stack's region
   */
  readonly fisExtensionLayerArn?: string;

  /**
   * Longest time the FIS extension waits for the current fault configuration before it handles an
   * invocation (`AWS_FIS_POLL_MAX_WAIT_MILLISECONDS`). AWS recommends a non-zero value (e.g. 2 s)
   * when errors skip the handler, so the first invocations of an experiment are not missed.
   * @default - not set (the extension's own default)
   */
  readonly extensionPollMaxWait?: Duration;

  /**
   * How long the experiments' log group keeps FIS's experiment logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Properties of a {@link ChaosExperiments}. */
export interface ChaosExperimentsProps extends ChaosExperimentsOptions {
  /**
   * Functions whose invocations the Lambda experiments delay or fail. Each gets the FIS extension
   * layer, its environment and read access to the configuration bucket, so they are concrete
   * functions: `IFunction` can take neither layers nor environment variables.
   * @default - no Lambda experiments, no extension, no configuration bucket
   */
  readonly targetFunctions?: lambda.Function[];

  /**
   * CloudWatch alarms that stop a running experiment when any goes into ALARM: the SLO alarms.
   * FIS refuses to start an experiment while one of them is already in ALARM. One to five (the FIS
   * quota of stop conditions per experiment template).
   */
  readonly stopConditionAlarms: cloudwatch.IAlarm[];

  /**
   * The DynamoDB global table whose replication the replication pause experiment interrupts. Give it
   * only in the stack that owns the global table: FIS pauses replication of the replica in the
   * region the experiment runs in.
   * @default - no replication pause experiment
   */
  readonly globalTable?: dynamodb.ITableV2;
}

/** Folder of the configuration bucket where FIS writes fault configurations and the extension reads them. */
export const FIS_CONFIGURATION_PREFIX = 'FisConfigs/';

/** Wrapper script of the FIS extension layer, run by Lambda before the runtime (`AWS_LAMBDA_EXEC_WRAPPER`). */
export const FIS_EXTENSION_WRAPPER = '/opt/aws-fis/bootstrap';

const DEFAULT_LAMBDA_FAULT_DURATION = Duration.minutes(5);
const DEFAULT_INVOCATION_DELAY = Duration.seconds(1);
const DEFAULT_DELAY_PERCENTAGE = 50;
const DEFAULT_ERROR_PERCENTAGE = 10;
const DEFAULT_REPLICATION_PAUSE_DURATION = Duration.minutes(10);

/** What differs between the experiment templates. */
interface Experiment {
  /** Suffix of the template's `Name` tag, after the stack name. */
  readonly name: string;
  readonly description: string;
  /** The key under which the action takes its target (set by the action); the target has the same name. */
  readonly targetKey: string;
  readonly target: fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty;
  readonly actionId: string;
  readonly actionDescription: string;
  readonly parameters: Record<string, string>;
}

/** FIS quota: stop conditions per experiment template. */
const MAX_STOP_CONDITIONS = 5;
/** FIS limits of the Lambda delay (aws:lambda:invocation-add-delay `startupDelayMilliseconds`). */
const MAX_DELAY_MILLISECONDS = 900_000;
/** Range FIS documents for the duration of its timed actions. */
const MIN_ACTION_DURATION = Duration.minutes(1);
const MAX_ACTION_DURATION = Duration.hours(12);

/**
 * AWS Fault Injection Service experiment templates against one region of the order API, whose stop
 * conditions are the stack's SLO alarms:
 *
 * - `invocationDelayTemplate`: `aws:lambda:invocation-add-delay` on the target functions;
 * - `invocationErrorTemplate`: `aws:lambda:invocation-error` on the target functions;
 * - `replicationPauseTemplate`: `aws:dynamodb:global-table-pause-replication` on the global table.
 *
 * The Lambda actions work through the FIS Lambda extension: the construct attaches its layer to the
 * target functions, points them at an S3 configuration bucket (where FIS writes the fault
 * configuration and the extension polls it) and lets them read that bucket. Experiments log to a
 * CloudWatch log group. Creating the templates injects nothing: an experiment starts only with
 * `aws fis start-experiment`.
 */
export class ChaosExperiments extends Construct {
  /** The role FIS assumes to run the experiments. */
  public readonly role: iam.Role;

  /** Log group of the experiments' logs. */
  public readonly logGroup: logs.LogGroup;

  /** Bucket through which FIS hands fault configurations to the extension, when there are target functions. */
  public readonly configBucket?: s3.Bucket;

  /** The Lambda delay experiment, when there are target functions. */
  public readonly invocationDelayTemplate?: fis.CfnExperimentTemplate;

  /** The Lambda error experiment, when there are target functions. */
  public readonly invocationErrorTemplate?: fis.CfnExperimentTemplate;

  /** The replication pause experiment, when a global table is given. */
  public readonly replicationPauseTemplate?: fis.CfnExperimentTemplate;

  constructor(scope: Construct, id: string, props: ChaosExperimentsProps) {
    super(scope, id);
    validateProps(props);
    const stack = Stack.of(this);
    const targetFunctions = props.targetFunctions ?? [];

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      description: `Role AWS FIS assumes to run the chaos experiments of ${stack.stackName}`,
      // Only experiments of this account and region may assume it (confused deputy protection).
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'fis',
            resource: 'experiment',
            resourceName: '*',
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        },
      }),
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeliverExperimentLogs',
        // FIS sets up log delivery to the group when an experiment starts; these calls take no resource.
        actions: [
          'logs:CreateLogDelivery',
          'logs:PutResourcePolicy',
          'logs:DescribeResourcePolicies',
          'logs:DescribeLogGroups',
        ],
        resources: ['*'],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ResolveTargets',
        // Every action used here lists tag:GetResources among its permissions; it takes no resource.
        actions: ['tag:GetResources'],
        resources: ['*'],
      }),
    );

    const stopConditions = props.stopConditionAlarms.map((alarm) => ({
      source: 'aws:cloudwatch:alarm',
      value: alarm.alarmArn,
    }));
    /** One experiment template with one action on one target, stopped by the SLO alarms. */
    const addTemplate = (id: string, experiment: Experiment): fis.CfnExperimentTemplate =>
      // aws-cdk-lib has no L2 for FIS, only this L1.
      new fis.CfnExperimentTemplate(this, id, {
        description: experiment.description,
        roleArn: this.role.roleArn,
        stopConditions,
        targets: { [experiment.targetKey]: experiment.target },
        actions: {
          [id]: {
            actionId: experiment.actionId,
            description: experiment.actionDescription,
            parameters: experiment.parameters,
            targets: { [experiment.targetKey]: experiment.targetKey },
          },
        },
        logConfiguration: {
          // L1 property typed `any`: the CloudFormation field names are PascalCase here.
          cloudWatchLogsConfiguration: { LogGroupArn: this.logGroup.logGroupArn },
          logSchemaVersion: 2,
        },
        // An experiment whose targets resolve to nothing fails rather than runs against nothing.
        experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
        tags: { Name: `${stack.stackName}-${experiment.name}` },
      });

    if (targetFunctions.length > 0) {
      const configBucket = this.wireExtension(targetFunctions, props);
      this.configBucket = configBucket;
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'WriteFaultConfigurations',
          actions: ['s3:PutObject', 's3:DeleteObject'],
          resources: [configBucket.arnForObjects(`${FIS_CONFIGURATION_PREFIX}*`)],
        }),
      );
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'InspectTargetFunctions',
          actions: ['lambda:GetFunction'],
          resources: targetFunctions.map((fn) => fn.functionArn),
        }),
      );
      const functions = {
        targetKey: 'Functions',
        target: {
          resourceType: 'aws:lambda:function',
          resourceArns: targetFunctions.map((fn) => fn.functionArn),
          selectionMode: 'ALL',
        },
      };
      const lambdaDuration = (props.lambdaFaultDuration ?? DEFAULT_LAMBDA_FAULT_DURATION).toIsoString();
      const delayPercentage = props.delayInvocationPercentage ?? DEFAULT_DELAY_PERCENTAGE;
      const errorPercentage = props.errorInvocationPercentage ?? DEFAULT_ERROR_PERCENTAGE;

      this.invocationDelayTemplate = addTemplate('InvocationDelay', {
        ...functions,
        name: 'lambda-invocation-delay',
        description: `Delays ${delayPercentage}% of the handlers' invocations`,
        actionId: 'aws:lambda:invocation-add-delay',
        actionDescription: 'Wait before the handler runs, like a slow cold start or a slow dependency',
        parameters: {
          duration: lambdaDuration,
          invocationPercentage: Tokenization.stringifyNumber(delayPercentage),
          startupDelayMilliseconds: Tokenization.stringifyNumber(
            (props.invocationDelay ?? DEFAULT_INVOCATION_DELAY).toMilliseconds(),
          ),
        },
      });

      this.invocationErrorTemplate = addTemplate('InvocationError', {
        ...functions,
        name: 'lambda-invocation-error',
        description: `Fails ${errorPercentage}% of the handlers' invocations`,
        actionId: 'aws:lambda:invocation-error',
        actionDescription: 'Mark invocations as failed, like a crashing handler',
        parameters: {
          duration: lambdaDuration,
          invocationPercentage: Tokenization.stringifyNumber(errorPercentage),
          preventExecution: String(props.errorPreventsExecution ?? true),
        },
      });
    }

    if (props.globalTable) {
      const tableArn = props.globalTable.tableArn;
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PauseReplication',
          // FIS adds deny statements to the table's and its stream's resource policies, then removes them.
          actions: [
            'dynamodb:PutResourcePolicy',
            'dynamodb:DeleteResourcePolicy',
            'dynamodb:GetResourcePolicy',
            'dynamodb:DescribeTable',
          ],
          resources: [tableArn, `${tableArn}/stream/*`],
        }),
      );
      this.replicationPauseTemplate = addTemplate('ReplicationPause', {
        name: 'dynamodb-replication-pause',
        description: 'Pauses replication of the orders global table from and to this region',
        targetKey: 'Tables',
        target: { resourceType: 'aws:dynamodb:global-table', resourceArns: [tableArn], selectionMode: 'ALL' },
        actionId: 'aws:dynamodb:global-table-pause-replication',
        actionDescription: 'Stop replicating the orders table, like a regional replication outage',
        parameters: {
          duration: (props.replicationPauseDuration ?? DEFAULT_REPLICATION_PAUSE_DURATION).toIsoString(),
        },
      });
    }

    const findings = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'tag:GetResources (target resolution) and the CloudWatch Logs log delivery calls FIS makes for the experiment log support no resource-level permissions.',
      },
    ];
    if (this.configBucket) {
      findings.push({
        id: `AwsSolutions-IAM5[Resource::${nagArnOf(this.configBucket, this.configBucket.bucketArn)}/${FIS_CONFIGURATION_PREFIX}*]`,
        reason:
          'FIS names each fault configuration object itself, per experiment; the grant is limited to the configuration folder of a bucket that holds nothing else.',
      });
    }
    if (props.globalTable) {
      findings.push({
        id: `AwsSolutions-IAM5[Resource::${nagArnOf(props.globalTable, props.globalTable.tableArn)}/stream/*]`,
        reason:
          "FIS pauses replication by editing the resource policy of the table's current stream, whose label changes whenever the stream is re-created.",
      });
    }
    for (const finding of findings) {
      Validations.of(this.role).acknowledge(finding);
    }
  }

  /**
   * Attaches the FIS extension to the functions and creates the configuration bucket they read.
   * The environment variables follow the AWS FIS user guide ("Use the AWS FIS aws:lambda:function actions").
   */
  private wireExtension(functions: lambda.Function[], props: ChaosExperimentsProps): s3.Bucket {
    const bucket = new s3.Bucket(this, 'ConfigBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // FIS deletes each configuration when its experiment ends; the rule clears what an interrupted one leaves.
      lifecycleRules: [{ expiration: Duration.days(1) }],
      // Nothing in it outlives an experiment, so it goes with the stack (deletion fails only while an
      // experiment runs, or within a day of an interrupted one).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket only relays short-lived fault configurations from FIS to the Lambda extension; the experiment log records every experiment, and server access logs would need a second bucket with the same finding.',
    });

    const configurationLocation = bucket.arnForObjects(FIS_CONFIGURATION_PREFIX);
    const readPolicy = new iam.Policy(this, 'ExtensionReadPolicy', {
      statements: [
        new iam.PolicyStatement({
          sid: 'ListFaultConfigurations',
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${FIS_CONFIGURATION_PREFIX}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadFaultConfigurations',
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects(`${FIS_CONFIGURATION_PREFIX}*`)],
        }),
      ],
    });
    Validations.of(readPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArnOf(bucket, bucket.bucketArn)}/${FIS_CONFIGURATION_PREFIX}*]`,
      reason:
        'The FIS extension reads fault configurations whose object names FIS chooses per experiment, in the configuration folder only.',
    });

    const layers = new Map<string, lambda.ILayerVersion>();
    const layerFor = (architecture: lambda.Architecture): lambda.ILayerVersion => {
      const key = props.fisExtensionLayerArn ? 'given' : architecture.name;
      let layer = layers.get(key);
      if (!layer) {
        const arn =
          props.fisExtensionLayerArn ??
          ssm.StringParameter.valueForStringParameter(
            this,
            `/aws/service/fis/lambda-extension/AWS-FIS-extension-${architecture.name}/1.x.x`,
          );
        layer = lambda.LayerVersion.fromLayerVersionArn(this, `ExtensionLayer-${key}`, arn);
        layers.set(key, layer);
      }
      return layer;
    };

    for (const fn of functions) {
      fn.addLayers(layerFor(fn.architecture));
      fn.addEnvironment('AWS_LAMBDA_EXEC_WRAPPER', FIS_EXTENSION_WRAPPER);
      fn.addEnvironment('AWS_FIS_CONFIGURATION_LOCATION', configurationLocation);
      if (props.extensionPollMaxWait) {
        fn.addEnvironment(
          'AWS_FIS_POLL_MAX_WAIT_MILLISECONDS',
          Tokenization.stringifyNumber(props.extensionPollMaxWait.toMilliseconds()),
        );
      }
      if (!fn.role) {
        throw new Error(`Target function ${fn.node.path} has no execution role to grant the bucket to`);
      }
      readPolicy.attachToRole(fn.role);
    }
    return bucket;
  }
}

/**
 * How cdk-nag prints the ARN of a resource in a finding: `<LogicalId.Arn>` for a resource of this app,
 * the ARN itself for an imported one.
 */
function nagArnOf(construct: IConstruct, arn: string): string {
  const resource = construct.node.defaultChild;
  return resource instanceof CfnResource ? `<${Stack.of(construct).getLogicalId(resource)}.Arn>` : arn;
}

function validateProps(props: ChaosExperimentsProps): void {
  const alarms = props.stopConditionAlarms.length;
  if (alarms < 1 || alarms > MAX_STOP_CONDITIONS) {
    throw new Error(
      `stopConditionAlarms must hold between 1 and ${MAX_STOP_CONDITIONS} alarms (given ${alarms}): ` +
        'an experiment without a stop condition cannot be stopped by the SLO',
    );
  }
  if ((props.targetFunctions ?? []).length === 0 && !props.globalTable) {
    throw new Error('ChaosExperiments needs targetFunctions or a globalTable (given neither)');
  }
  validatePercentage('delayInvocationPercentage', props.delayInvocationPercentage);
  validatePercentage('errorInvocationPercentage', props.errorInvocationPercentage);
  validateActionDuration('lambdaFaultDuration', props.lambdaFaultDuration);
  validateActionDuration('replicationPauseDuration', props.replicationPauseDuration);
  const delay = props.invocationDelay;
  if (delay && !delay.isUnresolved()) {
    const milliseconds = delay.toMilliseconds();
    if (milliseconds > MAX_DELAY_MILLISECONDS) {
      throw new Error(
        `invocationDelay must be between 0 and ${MAX_DELAY_MILLISECONDS} milliseconds inclusive (given ${milliseconds})`,
      );
    }
  }
}

function validatePercentage(name: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!(value >= 1 && value <= 100)) {
    throw new Error(`${name} must be between 1 and 100 inclusive (given ${value})`);
  }
}

function validateActionDuration(name: string, value: Duration | undefined): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (seconds < MIN_ACTION_DURATION.toSeconds() || seconds > MAX_ACTION_DURATION.toSeconds()) {
    throw new Error(`${name} must be between 1 minute and 12 hours (given ${value.toHumanString()})`);
  }
}
