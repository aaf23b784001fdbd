/**
 * One region of the local cloud: the tables, queues, functions and SQS event source mappings of
 * the given stacks of a cloud assembly, on a DynamoDB Local and an SQS emulator. A second region is
 * just another instance (DynamoDB Local and fauxqs keep regions apart). The API Gateway emulator
 * sits on top: it resolves its integrations with the stacks' resolvers and calls {@link RegionRuntime.invoke}.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localAlarmValues } from './alarms/alarm-registry';
import { readCloudAssembly, stackByName, type AssemblyStack } from './assembly/cloud-assembly';
import { apiGatewayLocalValues } from './apigateway';
import { IntrinsicResolver } from './assembly/intrinsic-resolver';
import {
  sqsEventSourceDefinitionsOf,
  SqsEventSourcePoller,
  type BatchReport,
  type SqsEventSourceDefinition,
} from './event-sources/sqs-event-source';
import { functionDefinitionsOf, type LocalCredentials } from './lambda/function-definitions';
import type { FunctionLogSink } from './lambda/function-worker';
import { findFunctionByReference, qualifierIn } from './lambda/function-reference';
import { LocalFunction, type InvocationResult } from './lambda/local-function';
import { createStackTables, type LocalTable } from './resources/dynamodb-tables';
import {
  emulationReportOf,
  type EmulatedResource,
  type NotEmulatedResource,
} from './resources/emulation-report';
import { createStackQueues, type LocalQueue } from './resources/sqs-queues';

/** Fake credentials of the local cloud; DynamoDB Local only accepts alphanumeric access keys. */
export const LOCAL_CREDENTIALS: LocalCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The account of stacks synthesized without one. */
const FALLBACK_ACCOUNT_ID = '000000000000';

/** Options of {@link startRegionRuntime}. */
export interface RegionRuntimeOptions {
  /** Folder of the synthesized cloud assembly (`cdk.out`). */
  readonly assemblyDir: string;
  /** The stacks to run in this region. */
  readonly stackNames: readonly string[];
  /** The region; a stack bound to another region is refused. */
  readonly region: string;
  /** Endpoint of DynamoDB Local. */
  readonly dynamodbEndpoint: string;
  /** Endpoint of the SQS emulator. */
  readonly sqsEndpoint: string;
  /**
   * Endpoint of the local API Gateway control plane, given to the functions as
   * `AWS_ENDPOINT_URL_API_GATEWAY`.
   * @default - none
   */
  readonly apiGatewayEndpoint?: string;
  /**
   * Endpoint of the local CloudWatch API (`DescribeAlarms`), handed to the functions.
   * @default - none
   */
  readonly cloudWatchEndpoint?: string;
  /**
   * The account of pseudo parameters and ARNs.
   * @default - each stack's account from the manifest, else 000000000000
   */
  readonly accountId?: string;
  /**
   * Credentials of the local cloud's clients and of the functions. DynamoDB Local keeps a separate
   * database per access key, so a distinct key isolates a runtime completely.
   * @default LOCAL_CREDENTIALS
   */
  readonly credentials?: LocalCredentials;
  /**
   * Prefix of generated table, queue and function names, to run several runtimes on one emulator.
   * @default ''
   */
  readonly namePrefix?: string;
  /**
   * Concurrency limit of functions without reserved concurrency.
   * @default DEFAULT_CONCURRENCY_LIMIT (10)
   */
  readonly defaultConcurrencyLimit?: number;
  /**
   * Where the functions' output goes.
   * @default - this process's stdout, prefixed with the function name
   */
  readonly logSink?: FunctionLogSink;
  /**
   * Resource types emulated outside this runtime (e.g. by the API Gateway emulator), with the name
   * of their emulator, so that they are reported as emulated.
   * @default - none
   */
  readonly otherEmulators?: Readonly<Record<string, string>>;
  /**
   * Called after each SQS batch an event source mapping delivered.
   * @default - nothing
   */
  readonly onBatch?: (report: BatchReport) => void;
  /**
   * Called when an invocation of any function ends (see `LocalFunctionProps.onInvocation`).
   * @default - nothing
   */
  readonly onInvocation?: (
    functionName: string,
    result: InvocationResult,
    concurrentExecutions: number,
  ) => void;
  /**
   * Where the event source mappings' lines go (polling failed, polling works again).
   * @default - stderr
   */
  readonly log?: (line: string) => void;
}

/** What runs locally for one stack. */
export interface StackRuntime {
  readonly stack: AssemblyStack;
  /** The account the stack runs in (`AWS::AccountId`). */
  readonly accountId: string;
  /** Resolves the stack's intrinsic functions against the local resources. */
  readonly resolver: IntrinsicResolver;
  readonly tables: readonly LocalTable[];
  readonly queues: readonly LocalQueue[];
  /** The stack's functions by logical id. */
  readonly functions: ReadonlyMap<string, LocalFunction>;
  readonly eventSources: readonly SqsEventSourceDefinition[];
}

/** A running region of the local cloud. */
export interface RegionRuntime {
  readonly region: string;
  /** What runs for each stack, by stack name. */
  readonly stacks: ReadonlyMap<string, StackRuntime>;
  /** Every resource of the stacks the local cloud runs. */
  readonly emulated: readonly EmulatedResource[];
  /** Every resource of the stacks the local cloud does not run, with the reason. */
  readonly notEmulated: readonly NotEmulatedResource[];
  /**
   * The function a reference names: a logical id (when only one stack has it),
   * `<stackName>/<logicalId>`, a function name or a function ARN.
   *
   * @throws Error for an unknown or ambiguous reference
   */
  findFunction(reference: string): LocalFunction;
  /**
   * Invokes a function (see {@link findFunction} for the references it accepts); a name or ARN
   * qualified by an alias or version invokes that qualifier.
   */
  invoke(reference: string, event: unknown): Promise<InvocationResult>;
  /**
   * Stops (false) or restarts (true) every SQS event source mapping of the region, like disabling
   * and enabling the mappings in AWS: messages wait in their queues meanwhile.
   */
  setEventSourcesEnabled(enabled: boolean): Promise<void>;
  /**
   * Makes the messages that failed invocations left on the queues visible again at once (see
   * `SqsEventSourcePoller.releaseFailedMessages`); resolves with how many. For local bookkeeping
   * after a run only: Lambda waits for the visibility timeout.
   */
  releaseFailedMessages(): Promise<number>;
  /** Stops the pollers and every function's workers; the tables and queues stay. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Provisions the tables and queues of the stacks, prepares their functions (workers start on the
 * first invocation, like Lambda's cold starts) and starts the SQS event source pollers.
 */
export async function startRegionRuntime(options: RegionRuntimeOptions): Promise<RegionRuntime> {
  const assembly = readCloudAssembly(options.assemblyDir);
  const stacks = options.stackNames.map((stackName) => stackByName(assembly, stackName));
  for (const stack of stacks) {
    if (stack.region !== undefined && stack.region !== options.region) {
      throw new Error(
        `Stack ${stack.stackName} is bound to region ${stack.region}; it cannot run in the ${options.region} runtime`,
      );
    }
  }
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const dynamoDbClient = new DynamoDBClient({
    endpoint: options.dynamodbEndpoint,
    region: options.region,
    credentials,
  });
  const sqsClient = new SQSClient({
    endpoint: options.sqsEndpoint,
    region: options.region,
    credentials,
    // Queue URLs name the emulator's own host; a fault proxy at sqsEndpoint must see every call.
    useQueueUrlAsEndpoint: false,
  });
  const stackRuntimes = new Map<string, StackRuntime>();
  let pollers: SqsEventSourcePoller[] = [];
  let createPollers: () => SqsEventSourcePoller[] = () => [];

  const stop = async (): Promise<void> => {
    const pollersStopped = Promise.all(pollers.map((poller) => poller.stop()));
    // Stopping the functions at the same time ends the batches in flight at once; their messages
    // come back after the visibility timeout, as after a crash in AWS.
    await Promise.all(
      [...stackRuntimes.values()].flatMap((runtime) =>
        [...runtime.functions.values()].map((fn) => fn.stop()),
      ),
    );
    await pollersStopped;
    dynamoDbClient.destroy();
    sqsClient.destroy();
  };

  try {
    for (const stack of stacks) {
      stackRuntimes.set(
        stack.stackName,
        await startStack(stack, options, dynamoDbClient, sqsClient, credentials),
      );
    }
    const findFunction = functionFinder(stackRuntimes);
    // Provisioned concurrency is initialised before the stack is ready, as CloudFormation waits for it.
    await Promise.all(
      [...stackRuntimes.values()].flatMap((runtime) =>
        [...runtime.functions.values()].map((fn) => fn.provision()),
      ),
    );
    // A stopped poller cannot start again, so enabling the mappings creates new ones.
    createPollers = () =>
      [...stackRuntimes.values()].flatMap((runtime) =>
        runtime.eventSources.map(
          (definition) =>
            new SqsEventSourcePoller({
              definition,
              target: findFunction(definition.functionReference),
              client: sqsClient,
              region: options.region,
              onBatch: options.onBatch,
              log: options.log,
            }),
        ),
      );
    pollers = createPollers();
    for (const poller of pollers) poller.start();
    let eventSourcesEnabled = true;

    const report = emulationReportOf(stacks, options.otherEmulators);
    let stopped: Promise<void> | undefined;
    return {
      region: options.region,
      stacks: stackRuntimes,
      emulated: report.emulated,
      notEmulated: report.notEmulated,
      findFunction,
      invoke: async (reference, event) => {
        const fn = findFunction(reference);
        return fn.invoke(event, qualifierIn(reference));
      },
      async setEventSourcesEnabled(enabled) {
        // Already polling: keep the pollers (and what they know of failed messages).
        if (enabled && eventSourcesEnabled) return;
        eventSourcesEnabled = enabled;
        const running = pollers;
        pollers = [];
        await Promise.all(running.map((poller) => poller.stop()));
        if (enabled) {
          pollers = createPollers();
          for (const poller of pollers) poller.start();
        }
      },
      async releaseFailedMessages() {
        const counts = await Promise.all(pollers.map((poller) => poller.releaseFailedMessages()));
        return counts.reduce((sum, count) => sum + count, 0);
      },
      stop: () => (stopped ??= stop()),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startStack(
  stack: AssemblyStack,
  options: RegionRuntimeOptions,
  dynamoDbClient: DynamoDBClient,
  sqsClient: SQSClient,
  credentials: LocalCredentials,
): Promise<StackRuntime> {
  const accountId = options.accountId ?? stack.account ?? FALLBACK_ACCOUNT_ID;
  const resolver = new IntrinsicResolver({
    stackName: stack.stackName,
    template: stack.template,
    region: options.region,
    accountId,
  });
  // The REST APIs' and stages' local ids, as the API Gateway emulator names them: registered before
  // the functions' environments resolve, since those may name their API.
  for (const [logicalId, values] of apiGatewayLocalValues(stack.template, {
    stackName: stack.stackName,
    region: options.region,
    accountId,
  })) {
    resolver.register(logicalId, values);
  }
  // Alarms are named before the functions' environments (the load shedder's alarm name) resolve.
  const alarms = localAlarmValues(
    stack,
    { region: options.region, accountId, namePrefix: options.namePrefix },
    (value, what) => resolver.resolveString(value, what),
  );
  for (const [logicalId, values] of alarms) resolver.register(logicalId, values);
  const [tables, queues] = await Promise.all([
    createStackTables(stack, {
      resolver,
      client: dynamoDbClient,
      region: options.region,
      accountId,
      namePrefix: options.namePrefix,
    }),
    createStackQueues(stack, { resolver, client: sqsClient, namePrefix: options.namePrefix }),
  ]);
  const functions = new Map(
    functionDefinitionsOf(stack, {
      resolver,
      assemblyDirectory: options.assemblyDir,
      region: options.region,
      accountId,
      dynamodbEndpoint: options.dynamodbEndpoint,
      sqsEndpoint: options.sqsEndpoint,
      apiGatewayEndpoint: options.apiGatewayEndpoint,
      cloudWatchEndpoint: options.cloudWatchEndpoint,
      credentials,
      namePrefix: options.namePrefix,
    }).map((definition) => [
      definition.logicalId,
      new LocalFunction({
        definition,
        defaultConcurrencyLimit: options.defaultConcurrencyLimit,
        logSink: options.logSink,
        onInvocation: options.onInvocation
          ? (result, concurrent) => options.onInvocation?.(definition.functionName, result, concurrent)
          : undefined,
      }),
    ]),
  );
  return {
    stack,
    accountId,
    resolver,
    tables,
    queues,
    functions,
    eventSources: sqsEventSourceDefinitionsOf(stack, resolver, queues),
  };
}

/** Finds a function by logical id, `<stackName>/<logicalId>`, name or ARN. */
function functionFinder(stacks: ReadonlyMap<string, StackRuntime>): (reference: string) => LocalFunction {
  const all = [...stacks.values()].flatMap((runtime) => [...runtime.functions.values()]);
  return (reference) => findFunctionByReference(all, reference);
}
