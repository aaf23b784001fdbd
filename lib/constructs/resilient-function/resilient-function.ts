import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Size, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { refuseDerivedKeys } from '../pass-through';
import { ENVIRONMENT } from '../../../lambdas/contract/environment';
import { sdkRequestTimeoutMs } from '../../../lambdas/contract/sdk-config';

/** Powertools log levels. */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Properties of a {@link ResilientFunction}. */
export interface ResilientFunctionProps {
  /** Path to the TypeScript or JavaScript entry file of the handler. */
  readonly entry: string;

  /**
   * Name of the exported handler function in `entry`.
   * @default 'handler'
   */
  readonly handler?: string;

  /**
   * Description of the function.
   * @default - no description
   */
  readonly description?: string;

  /**
   * Memory of the function. On arm64, 512 MiB is where a small Node.js handler stops getting faster
   * cold starts from more CPU share for the price.
   * @default Size.mebibytes(512)
   */
  readonly memorySize?: Size;

  /**
   * Timeout of one invocation. Must be between 1 second and 15 minutes.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;

  /**
   * Reserved concurrency: the most concurrent invocations this function may run, and a guarantee
   * that it can run that many (a bulkhead).
   * @default - no reserved concurrency (shares the account's unreserved pool)
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Provisioned concurrency of the `live` alias: that many execution environments are initialised
   * before they are needed and kept warm, so the first requests after a quiet period, a scale-out or
   * a deployment do not wait for a cold start. It is billed for every second it is configured,
   * whether used or not (the cost model prices it), and it counts against the reserved concurrency
   * when there is one (it may not exceed it).
   * @default - none: every new execution environment starts cold
   */
  readonly provisionedConcurrency?: number;

  /**
   * Environment variables, in addition to the ones this construct sets. The variables the construct
   * derives from its props (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`,
   * `POWERTOOLS_METRICS_NAMESPACE`, `SDK_REQUEST_TIMEOUT_MS`) are refused: set the prop instead.
   * A `NODE_OPTIONS` given here is added after the construct's `--enable-source-maps`.
   * @default - only the construct's variables
   */
  readonly environment?: Record<string, string>;

  /**
   * Powertools service name (`POWERTOOLS_SERVICE_NAME`), which tags every log line and metric.
   * @default - the construct id
   */
  readonly serviceName?: string;

  /**
   * Powertools log level (`POWERTOOLS_LOG_LEVEL`).
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;

  /**
   * CloudWatch namespace of Powertools metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   * @default 'ResilientApi'
   */
  readonly metricsNamespace?: string;

  /**
   * How long the function's log group keeps logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * X-Ray tracing mode.
   * @default lambda.Tracing.ACTIVE
   */
  readonly tracing?: lambda.Tracing;

  /**
   * Pass-through properties for the underlying `NodejsFunction`, for what this construct does not
   * foresee. They override the construct's own choices, such as the runtime and architecture
   * (`bundling` is merged into the construct's bundling options), so use them with care. The keys
   * this construct derives or has a prop for ({@link ResilientFunctionDerivedKey}) are refused: use
   * the prop the error message names.
   * @default - none
   */
  readonly functionProps?: Partial<Omit<nodejs.NodejsFunctionProps, ResilientFunctionDerivedKey>>;
}

/**
 * Keys of `NodejsFunctionProps` that `functionProps` may not set: each has its own prop on
 * {@link ResilientFunctionProps}, or other values are derived from it. `runtime`, `architecture`
 * and `bundling` stay open: nothing else is derived from them (ChaosExperiments reads the
 * architecture off the function); a different runtime wants a matching `bundling.target`.
 */
export type ResilientFunctionDerivedKey =
  | 'entry'
  | 'handler'
  | 'description'
  | 'memorySize'
  | 'timeout'
  | 'reservedConcurrentExecutions'
  | 'environment'
  | 'tracing'
  | 'logGroup'
  | 'logRetention'
  | 'role';

/** Why each derived key is refused, and what to use instead; the error message quotes it. */
const DERIVED_FUNCTION_PROPS: Record<ResilientFunctionDerivedKey, string> = {
  entry: 'has its own prop; set entry on ResilientFunctionProps instead',
  handler: 'has its own prop; set handler on ResilientFunctionProps instead',
  description: 'has its own prop; set description on ResilientFunctionProps instead',
  memorySize: 'has its own prop; set memorySize (a Size) on ResilientFunctionProps instead',
  timeout:
    "is what the SDK request timeout, a queue's visibility timeout and the duration alarm derive from; set timeout on ResilientFunctionProps instead",
  reservedConcurrentExecutions:
    'is what OrderQueue checks its maximum concurrency against; set reservedConcurrentExecutions on ResilientFunctionProps instead',
  environment:
    'would replace the Powertools and SDK variables; set environment on ResilientFunctionProps instead, which adds to them',
  tracing: 'has its own prop; set tracing on ResilientFunctionProps instead',
  logGroup:
    'would replace the log group the role may write to (ResilientFunction.logGroup); set logRetention and logRemovalPolicy on ResilientFunctionProps instead',
  logRetention:
    "would add a second retention to the construct's own log group; set logRetention on ResilientFunctionProps instead",
  role: 'would replace ResilientFunction.role, the role grants are given to; grant permissions to ResilientFunction.role instead',
};

/**
 * Variables this construct sets from its props, each with the prop to set instead. The SDK request
 * timeout is derived from the function timeout so that every SDK attempt ends before the function
 * times out; the Powertools ones have props of their own.
 */
const DERIVED_VARIABLES: Readonly<Record<string, keyof ResilientFunctionProps>> = {
  POWERTOOLS_SERVICE_NAME: 'serviceName',
  POWERTOOLS_LOG_LEVEL: 'logLevel',
  POWERTOOLS_METRICS_NAMESPACE: 'metricsNamespace',
  [ENVIRONMENT.sdkRequestTimeoutMs]: 'timeout',
};

/**
 * What every function's bundle is built with (esbuild, through NodejsFunction); the cold-start
 * benchmark builds its baselines with the same options.
 */
export const FUNCTION_BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  // ES modules, from the packages' ES module builds where they have one: tree-shaking drops more.
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ES module bundle still call require.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const satisfies nodejs.BundlingOptions;

/**
 * {@link FUNCTION_BUNDLING} with a caller's overrides (`functionProps.bundling`), kept working: the
 * `createRequire` banner that ES module bundles need goes only into ES module bundles, before the
 * caller's own banner; a CommonJS bundle gets the caller's banner alone.
 */
export function functionBundling(overrides: nodejs.BundlingOptions = {}): nodejs.BundlingOptions {
  const format = overrides.format ?? FUNCTION_BUNDLING.format;
  const banner =
    format === nodejs.OutputFormat.ESM
      ? [FUNCTION_BUNDLING.banner, overrides.banner].filter(Boolean).join('\n')
      : overrides.banner;
  return { ...FUNCTION_BUNDLING, ...overrides, banner };
}

/**
 * Name of the alias every invoker calls (API Gateway, the SQS event source, EventBridge targets):
 * a deployment moves it from one published version to the next, which is what a gradual rollout
 * shifts and rolls back, and where provisioned concurrency is configured.
 */
export const LIVE_ALIAS_NAME = 'live';

/** Source maps turn minified stack traces back into TypeScript lines. */
const SOURCE_MAPS_NODE_OPTION = '--enable-source-maps';

const MIN_TIMEOUT = Duration.seconds(1);
const MAX_TIMEOUT = Duration.minutes(15);

/**
 * The project's one Lambda function wrapper: a Node.js function on the latest runtime of the
 * installed aws-cdk-lib (nodejs24.x), arm64, bundled locally by esbuild (minified, with source maps and
 * the AWS SDK bundled in so the deployed code runs the SDK version it was tested with), with an
 * explicit log group, active tracing, explicit memory and timeout, and Powertools configuration.
 */
export class ResilientFunction extends Construct {
  /** The Lambda function. */
  public readonly function: nodejs.NodejsFunction;

  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;

  /** The invocation timeout; queues and SDK clients derive their own timeouts from it. */
  public readonly timeout: Duration;

  /** The function's execution role. */
  public readonly role: iam.Role;

  /** The function's reserved concurrency, when it has one. */
  public readonly reservedConcurrentExecutions?: number;

  /**
   * The `live` alias ({@link LIVE_ALIAS_NAME}) on the function's current version. Give it, not
   * {@link function}, to whatever invokes the function: integrations, event sources, rule targets.
   */
  public readonly alias: lambda.Alias;

  /** The provisioned concurrency of the `live` alias, when it has one. */
  public readonly provisionedConcurrency?: number;

  /** The handler file that is bundled (`npm run bench:coldstart` rebuilds it to see what costs). */
  public readonly entry: string;

  constructor(scope: Construct, id: string, props: ResilientFunctionProps) {
    super(scope, id);

    this.timeout = props.timeout ?? Duration.seconds(10);
    validateTimeout(this.timeout);
    validateReservedConcurrency(props.reservedConcurrentExecutions);
    validateProvisionedConcurrency(props.provisionedConcurrency, props.reservedConcurrentExecutions);
    refuseDerivedKeys('functionProps', props.functionProps, DERIVED_FUNCTION_PROPS);
    // A derived variable is refused, not silently outvoted by the construct's value: the caller
    // learns which prop to set instead.
    for (const [key, value] of Object.entries(props.environment ?? {})) {
      refuseDerivedVariable(`environment.${key}`, key, value);
    }
    this.reservedConcurrentExecutions = props.reservedConcurrentExecutions;
    this.provisionedConcurrency = props.provisionedConcurrency;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });

    // An own role instead of the AWS-managed AWSLambdaBasicExecutionRole: it may write to this
    // function's log group only, not to every log group in the account.
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    const entry = props.entry;
    this.entry = entry;
    const lockFile = findLockFile(entry);
    const {
      bundling: bundlingOverrides,
      onFailure,
      onSuccess,
      retryAttempts,
      maxEventAge,
      ...functionOverrides
    } = props.functionProps ?? {};
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_LATEST,
      architecture: lambda.Architecture.ARM_64,
      memorySize: (props.memorySize ?? Size.mebibytes(512)).toMebibytes(),
      timeout: this.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: props.tracing ?? lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? 'ResilientApi',
        // Every SDK attempt, with its retries, must end before the function times out.
        [ENVIRONMENT.sdkRequestTimeoutMs]: String(sdkRequestTimeoutMs(this.timeout.toMilliseconds())),
        // A caller's NODE_OPTIONS adds flags; it does not drop the source maps.
        NODE_OPTIONS: [SOURCE_MAPS_NODE_OPTION, props.environment?.NODE_OPTIONS].filter(Boolean).join(' '),
      },
      projectRoot: lockFile ? path.dirname(lockFile) : undefined,
      depsLockFilePath: lockFile,
      bundling: {
        logLevel: nodejs.LogLevel.WARNING,
        bundleAwsSDK: true,
        // esbuild is a devDependency: bundling never needs Docker.
        forceDockerBundling: false,
        ...functionBundling(bundlingOverrides),
      },
      ...functionOverrides,
    });

    // Invokers call the alias, so the asynchronous invocation settings belong to it: Lambda keeps
    // them per qualifier, and the function's own ($LATEST) would never apply.
    this.alias = new lambda.Alias(this, 'LiveAlias', {
      aliasName: LIVE_ALIAS_NAME,
      version: this.function.currentVersion,
      provisionedConcurrentExecutions: props.provisionedConcurrency,
      onFailure,
      onSuccess,
      retryAttempts,
      maxEventAge,
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions.',
    });
    if (onFailure) {
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked asynchronously with an on-failure destination (functionProps.onFailure), which AWS recommends over a function DLQ: it receives the failed event together with the error.',
      });
    } else if (!functionOverrides.deadLetterQueue && !functionOverrides.deadLetterQueueEnabled) {
      Validations.of(this.function).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'A function DLQ only catches asynchronous invocations; these functions are invoked synchronously by API Gateway or by an SQS event source mapping, whose queue has its own DLQ. Pass functionProps.onFailure (or deadLetterQueueEnabled) for asynchronous use.',
      });
    }
  }

  /**
   * Adds an environment variable to the function. The variables the construct derives from its
   * props are refused, as in `environment`.
   */
  public addEnvironment(key: string, value: string): void {
    refuseDerivedVariable(`addEnvironment('${key}')`, key, value);
    this.function.addEnvironment(key, value);
  }
}

function validateTimeout(timeout: Duration): void {
  if (Token.isUnresolved(timeout.toSeconds())) return;
  const seconds = timeout.toSeconds();
  if (seconds < MIN_TIMEOUT.toSeconds() || seconds > MAX_TIMEOUT.toSeconds()) {
    throw new Error(`Function timeout must be between 1 second and 15 minutes (given ${seconds} seconds)`);
  }
}

function refuseDerivedVariable(where: string, key: string, value: string): void {
  if (!Object.hasOwn(DERIVED_VARIABLES, key)) return;
  const prop = DERIVED_VARIABLES[key];
  throw new Error(
    `${where} is set by ResilientFunction from ${prop}; set ${prop} on ResilientFunctionProps instead (given ${JSON.stringify(value)})`,
  );
}

function validateReservedConcurrency(reserved: number | undefined): void {
  if (reserved === undefined || Token.isUnresolved(reserved)) return;
  if (!Number.isInteger(reserved) || reserved < 0) {
    throw new Error(`Reserved concurrency must be a whole number of 0 or more (given ${reserved})`);
  }
}

function validateProvisionedConcurrency(provisioned: number | undefined, reserved: number | undefined): void {
  if (provisioned === undefined || Token.isUnresolved(provisioned)) return;
  if (!Number.isInteger(provisioned) || provisioned < 1) {
    throw new Error(
      `Provisioned concurrency must be a whole number of 1 or more (given ${provisioned}); leave it unset for none`,
    );
  }
  if (reserved !== undefined && !Token.isUnresolved(reserved) && provisioned > reserved) {
    throw new Error(
      `Provisioned concurrency (${provisioned}) may not exceed the reserved concurrency (${reserved}): ` +
        'Lambda refuses it, since the provisioned environments are part of the reservation',
    );
  }
}

/**
 * The lock file nearest above the entry. Its folder becomes the bundling project root, which holds
 * both the entry and node_modules: the repository itself, or, when this library is installed in
 * another app, that app (the entry then sits in its node_modules).
 */
function findLockFile(entry: string): string | undefined {
  for (const name of ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb']) {
    const found = findUp(name, path.dirname(entry));
    if (found) return found;
  }
  return undefined;
}

function findUp(name: string, from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
