/**
 * The local cloud: runs the API stacks of a synthesized cloud assembly on this machine. One
 * DynamoDB Local process and one in-process SQS emulator serve every region; each region gets a
 * {@link RegionRuntime} (tables, queues, functions, event source mappings), a fault proxy in front of
 * DynamoDB through which chaos commands break it, and one local API Gateway per stack.
 */
import { SendMessageCommand, SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { createApiGatewayEmulator, EMULATED_RESOURCE_TYPES } from './apigateway';
import type { AccessLogEntry, ApiGatewayEmulator, RunningApiGateway } from './apigateway';
import type { InvokeFunction } from './apigateway/lambda-proxy';
import type { SendSqsMessage, SqsSendMessageInput } from './apigateway/mapped-integration';
import { AlarmRegistry } from './alarms/alarm-registry';
import { startCloudWatchApi } from './alarms/cloudwatch-api';
import { startApiGatewayControlPlane } from './apigateway/control-plane';
import { readCloudAssembly, type AssemblyStack } from './assembly/cloud-assembly';
import { startEmulators } from './emulators/emulators';
import { startLapTimes } from './lap-times';
import { assertPortFree } from './emulators/free-port';
import {
  DYNAMODB_INTERNAL_ERROR,
  SQS_INTERNAL_ERROR,
  startFaultProxy,
  type FaultProxy,
} from './faults/fault-proxy';
import type { BatchReport } from './event-sources/sqs-event-source';
import type { LocalCredentials } from './lambda/function-definitions';
import type { FunctionLogSink } from './lambda/function-worker';
import { findRegionFunction, qualifierIn } from './lambda/function-reference';
import {
  LOCAL_CREDENTIALS,
  startRegionRuntime,
  type RegionRuntime,
  type StackRuntime,
} from './region-runtime';
import type { EmulatedResource, NotEmulatedResource } from './resources/emulation-report';
import { apiListenerOf, type ApiListener } from './faults/api-listener';
import { createLocalCloudFaults, type LocalCloudFaults } from './faults/local-cloud-faults';
import {
  createGlobalTableReplicas,
  customDomainNamesOf,
  startMultiRegion,
  viewOf,
  type MultiRegion,
  type MultiRegionView,
} from './multi-region';
import { LocalSecrets } from './resources/local-secrets';
import { checkSendMessage, queueKindOf } from './emulators/sqs-validation';
import type { GlobalEndpoint } from './route53/local-route53';
import { ROUTE53_RESOURCE_TYPES } from './route53/route53-model';
import { logGroupNameOfArn } from './apigateway/access-log';
import { MetricStore } from './metrics/metric-store';
import { initDurationOf } from './lambda/local-function';
import {
  apiGatewayDatapoints,
  lambdaDatapoints,
  MetricFilters,
  sampleQueueDatapoints,
} from './metrics/metric-sources';

export type { LocalCloudFaults } from './faults/local-cloud-faults';

/** Region of stacks synthesized without one. */
const FALLBACK_REGION = 'us-east-1';

/** Ports the local cloud listens on; 0 lets the OS choose a free one. */
export interface LocalCloudPorts {
  /** @default 0 */
  readonly dynamodb?: number;
  /** @default 0 */
  readonly sqs?: number;
  /** Port of the first stack's API; each further stack takes the next port. @default 0 */
  readonly api?: number;
  /**
   * Port of the first global endpoint (the Route 53 stand-in's front door of a record name); each
   * further name takes the next port.
   * @default - the port after the last API's when `api` is set, else 0
   */
  readonly global?: number;
}

/** Options of {@link startLocalCloud}. */
export interface LocalCloudOptions {
  /** Folder of the synthesized cloud assembly (`cdk.out`). */
  readonly assemblyDir: string;
  /**
   * Stacks to run.
   * @default - every stack of the assembly that has a REST API
   */
  readonly stackNames?: readonly string[];
  /** @default - free ports */
  readonly ports?: LocalCloudPorts;
  /**
   * Emulators that are already running, to use instead of starting DynamoDB Local and fauxqs (the
   * tests share the ones their global setup started). The local cloud does not stop them.
   * @default - the local cloud starts its own
   */
  readonly emulators?: { readonly dynamodbEndpoint: string; readonly sqsEndpoint: string };
  /**
   * Prefix of generated table, queue and function names, to run several local clouds on shared emulators.
   * @default ''
   */
  readonly namePrefix?: string;
  /**
   * Credentials of the functions and of the local cloud's own clients. DynamoDB Local keeps one
   * database per access key, so another key also keeps apart the tables whose names the template
   * fixes (which `namePrefix` does not change).
   * @default LOCAL_CREDENTIALS
   */
  readonly credentials?: LocalCredentials;
  /**
   * Where the local cloud's own log lines go (faults, startup).
   * @default - stderr
   */
  readonly log?: (line: string) => void;
  /**
   * Where the functions' output goes.
   * @default - stdout, prefixed with the function name
   */
  readonly functionLogSink?: FunctionLogSink;
  /**
   * Called once per API request, for metrics.
   * @default - nothing
   */
  readonly onAccessLog?: (stackName: string, entry: AccessLogEntry) => void;
  /**
   * Called after each SQS batch an event source mapping delivered.
   * @default - nothing
   */
  readonly onBatch?: (report: BatchReport) => void;
  /**
   * Longest an API integration may take before the answer is 504.
   * @default 29 seconds, as API Gateway
   */
  readonly integrationTimeoutMillis?: number;
  /**
   * Interval of the Route 53 endpoint health checks instead of the template's `RequestInterval`
   * (10 or 30 s), to watch a failover without waiting for real intervals; the template's
   * `FailureThreshold` still applies.
   * @default - each check's `RequestInterval`
   */
  readonly healthCheckIntervalMillis?: number;
  /**
   * Pause between two reads of the global tables' streams by the replication.
   * @default 200 ms
   */
  readonly replicationPollIntervalMillis?: number;
  /**
   * The CloudWatch alarms: evaluated from the metrics the local cloud computes (API Gateway, Lambda,
   * SQS, metric filters on the access log), with CloudWatch's clock running `timeScale` times faster
   * (a 300 s period lasts 5 s with 60; metric values are not scaled); `false` leaves every alarm in
   * OK until it is forced.
   * @default { timeScale: 1 }
   */
  readonly alarms?: false | { readonly timeScale?: number };
}

/** One API stack running locally. */
export interface LocalStack {
  readonly stackName: string;
  readonly region: string;
  /** Base URL of the stage, ending in `/`, e.g. `http://127.0.0.1:3001/prod/`. */
  readonly apiUrl: string;
  readonly runtime: StackRuntime;
  readonly gateway: ApiGatewayEmulator;
}

/** A cold start: a function's new worker ran its first invocation after its init phase. */
export interface ColdStart {
  /** The function's name (as in its log lines and metrics). */
  readonly functionName: string;
  /** Epoch milliseconds when the invocation ended. */
  readonly at: number;
  /** What the init phase took (the module's load). */
  readonly initDurationMs: number;
}

/** A running local cloud. */
export interface LocalCloud {
  /** Stack outputs in the format of `cdk deploy --outputs-file`, plus `ApiKeyValue` per stack. */
  readonly outputs: Record<string, Record<string, string>>;
  readonly stacks: readonly LocalStack[];
  readonly regions: readonly RegionRuntime[];
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly emulated: readonly EmulatedResource[];
  readonly notEmulated: readonly NotEmulatedResource[];
  readonly faults: LocalCloudFaults;
  /** The stacks' CloudWatch alarms and the EventBridge rules on them. */
  readonly alarms: AlarmRegistry;
  /** The metrics the local cloud computes, which the alarms read. */
  readonly metrics: MetricStore;
  /**
   * The front doors of the Route 53 records' names; the stacks' `GlobalUrl` outputs point at them.
   * Empty when no stack has Route 53 records.
   */
  readonly globalEndpoints: readonly GlobalEndpoint[];
  /** Route 53 health and answers, replication status and lag (for status output and experiments). */
  readonly multiRegion: MultiRegionView;
  /** Every cold start so far, oldest first (one per worker started by an invocation). */
  readonly coldStarts: readonly ColdStart[];
  /** Where the start went: each step and its milliseconds, in the order they ran. */
  readonly startupMillis: ReadonlyArray<readonly [step: string, millis: number]>;
  /** Stops everything it started (no process is left); safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the local cloud. Everything it starts is stopped again if a later step fails. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const assembly = readCloudAssembly(options.assemblyDir);
  const stacks = selectStacks(assembly.stacks, options.stackNames);
  const ports = options.ports ?? {};
  const planned = portPlan(stacks.length, ports);
  await Promise.all(
    stacks.map((stack, index) =>
      assertPortFree(planned.apis[index] || undefined, `the API of ${stack.stackName}`, '--api-port'),
    ),
  );

  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => log(`stop: ${String(error)}`));
    }
  };

  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const startup = startLapTimes();
  try {
    const [dynamoDb, sqs] = options.emulators
      ? [{ endpoint: options.emulators.dynamodbEndpoint }, { endpoint: options.emulators.sqsEndpoint }]
      : await startOwnEmulators(ports, cleanups);
    if (!options.emulators) startup.lap('DynamoDB Local and the SQS emulator');

    // Until the alarms say how far back they look (below), keep an hour.
    const metrics = new MetricStore(3_600_000);
    // Functions that call API Gateway (the load shedder's UpdateStage) reach this local control plane.
    const controlPlane = await startApiGatewayControlPlane();
    cleanups.push(() => controlPlane.close());
    // And those that read alarms (the load shedder's DescribeAlarms) this one.
    const cloudWatchApi = await startCloudWatchApi();
    cleanups.push(() => cloudWatchApi.close());
    const coldStarts: ColdStart[] = [];
    const context: StartupContext = { options, stacks, credentials, metrics, coldStarts, log, cleanups };
    const { regions, dynamoDbProxies, sqsProxies } = await startRegions(context, {
      dynamodb: dynamoDb.endpoint,
      sqs: sqs.endpoint,
      apiGateway: controlPlane.endpoint,
      cloudWatch: cloudWatchApi.endpoint,
    });
    startup.lap('regions (tables, queues, functions, event sources)');

    const { localStacks, apiListeners, outputs } = await startGateways(context, {
      regions,
      sqsEndpoint: sqs.endpoint,
      sqsProxies,
      controlPlane,
      apiPorts: planned.apis,
    });
    startup.lap('API gateways');

    // Route 53's alarm checks follow their alarms' states as they change (set once it runs).
    let onAlarmStateChange = (): void => {};
    const alarms = createAlarms(context, localStacks, regions, () => onAlarmStateChange());
    cloudWatchApi.serve(alarms);
    for (const line of alarms.notEmulated) log(`event rule not emulated: ${line}`);

    const multiRegion = await startGlobalRouting(context, {
      localStacks,
      apiListeners,
      outputs,
      regions,
      dynamodbEndpoint: dynamoDb.endpoint,
      dynamoDbProxies,
      alarms,
      port: planned.global,
    });
    startup.lap('alarms and global routing');
    onAlarmStateChange = () => multiRegion.route53?.evaluate();
    metrics.retentionMillis = Math.max(alarms.longestWindowMillis, 60_000);
    cleanups.push(() => alarms.stop());
    alarms.start();
    if (options.alarms !== false) {
      // SQS publishes once a minute; sampling twice as often puts a sample in every one-minute
      // window the evaluation reads, whatever the timers' jitter.
      const sampler = startQueueSampler(sqs.endpoint, regions, 30_000 / alarms.scale, metrics, log);
      cleanups.push(() => sampler.stop());
    }
    const faults = createLocalCloudFaults({
      dynamoDbProxies,
      sqsProxies,
      regions,
      regionApis: (region) =>
        localStacks
          .filter((stack) => stack.region === region)
          .map((stack) => apiListeners.get(stack.stackName) as ApiListener),
      alarms,
      alarmsEvaluated: options.alarms !== false,
      replications: multiRegion.replications,
      log,
    });

    let stopped: Promise<void> | undefined;
    return {
      outputs,
      stacks: localStacks,
      regions,
      dynamodbEndpoint: dynamoDb.endpoint,
      sqsEndpoint: sqs.endpoint,
      emulated: regions.flatMap((region) => region.emulated),
      notEmulated: regions.flatMap((region) => region.notEmulated),
      faults,
      alarms,
      metrics,
      globalEndpoints: multiRegion.globalEndpoints,
      multiRegion: viewOf(multiRegion),
      coldStarts,
      startupMillis: startup.laps,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * What spans the regions: the global tables' replica tables and the replication between them, and the
 * Route 53 stand-in (health checks, records, the global endpoints); a stack output naming a global
 * domain (`GlobalUrl`) is pointed at its local endpoint.
 */
async function startGlobalRouting(
  context: StartupContext,
  parts: {
    readonly localStacks: readonly LocalStack[];
    readonly apiListeners: ReadonlyMap<string, ApiListener>;
    readonly outputs: Record<string, Record<string, string>>;
    readonly regions: readonly RegionRuntime[];
    /** DynamoDB Local itself, where the replica tables are created. */
    readonly dynamodbEndpoint: string;
    readonly dynamoDbProxies: ReadonlyMap<string, FaultProxy>;
    readonly alarms: AlarmRegistry;
    readonly port: number;
  },
): Promise<MultiRegion> {
  const { options, credentials, log, cleanups } = context;
  const { localStacks, apiListeners, outputs, alarms } = parts;
  const replicaTables = await createGlobalTableReplicas(parts.regions, {
    dynamodbEndpoint: parts.dynamodbEndpoint,
    credentials,
    namePrefix: options.namePrefix,
  });
  const multiRegion = await startMultiRegion({
    stacks: localStacks.map((stack) => ({
      stack: stack.runtime.stack,
      region: stack.region,
      runtime: stack.runtime,
      api: {
        stackName: stack.stackName,
        region: stack.region,
        restApiId: stack.gateway.restApiId,
        customDomainNames: customDomainNamesOf(stack.runtime),
        origin: (apiListeners.get(stack.stackName) as ApiListener).url,
        stageUrl: stack.apiUrl,
      },
    })),
    replicaTables,
    dynamodbEndpoints: new Map([...parts.dynamoDbProxies].map(([region, proxy]) => [region, proxy.endpoint])),
    credentials,
    alarmState: (alarm) => {
      try {
        return alarms.find(alarm.logicalId ? `${alarm.stackName}/${alarm.logicalId}` : alarm.alarmName).state;
      } catch {
        // An alarm outside the templates has no local state, as CloudWatch has no data for it.
        return 'INSUFFICIENT_DATA';
      }
    },
    healthCheckIntervalMillis: options.healthCheckIntervalMillis,
    replicationPollIntervalMillis: options.replicationPollIntervalMillis,
    port: parts.port,
    log,
  });
  cleanups.push(() => multiRegion.stop());
  for (const stackOutputs of Object.values(outputs)) {
    const endpoint = multiRegion.globalEndpoints.find(
      ({ name }) => stackOutputs.GlobalUrl === `https://${name}/`,
    );
    if (endpoint) stackOutputs.GlobalUrl = endpoint.url;
  }

  return multiRegion;
}

/** What the steps of {@link startLocalCloud} share. */
interface StartupContext {
  readonly options: LocalCloudOptions;
  readonly stacks: readonly AssemblyStack[];
  readonly credentials: LocalCredentials;
  readonly metrics: MetricStore;
  /** Where the functions' cold starts are recorded. */
  readonly coldStarts: ColdStart[];
  readonly log: (line: string) => void;
  /** Stops what has started; run in reverse order. */
  readonly cleanups: Array<() => Promise<void>>;
}

/** The regions of the stacks, each with its runtime and the fault proxies its functions go through. */
async function startRegions(
  context: StartupContext,
  endpoints: {
    readonly dynamodb: string;
    readonly sqs: string;
    readonly apiGateway: string;
    readonly cloudWatch: string;
  },
): Promise<{
  regions: RegionRuntime[];
  dynamoDbProxies: Map<string, FaultProxy>;
  sqsProxies: Map<string, FaultProxy>;
}> {
  const { options, stacks, credentials, metrics, coldStarts, log, cleanups } = context;
  const regionNames = [...new Set(stacks.map(regionOf))];
  const dynamoDbProxies = new Map<string, FaultProxy>();
  const sqsProxies = new Map<string, FaultProxy>();
  const regions: RegionRuntime[] = [];
  for (const region of regionNames) {
    const proxy = await startFaultProxy({ target: endpoints.dynamodb, ...DYNAMODB_INTERNAL_ERROR });
    cleanups.push(() => proxy.stop());
    dynamoDbProxies.set(region, proxy);
    const sqsProxy = await startFaultProxy({ target: endpoints.sqs, ...SQS_INTERNAL_ERROR });
    cleanups.push(() => sqsProxy.stop());
    sqsProxies.set(region, sqsProxy);
    const runtime = await startRegionRuntime({
      assemblyDir: options.assemblyDir,
      stackNames: stacks.filter((stack) => regionOf(stack) === region).map((stack) => stack.stackName),
      region,
      // Functions reach DynamoDB through the fault proxy, so chaos can break it for them.
      dynamodbEndpoint: proxy.endpoint,
      // The same for SQS: the region's functions and event source mappings go through its proxy.
      sqsEndpoint: sqsProxy.endpoint,
      apiGatewayEndpoint: endpoints.apiGateway,
      cloudWatchEndpoint: endpoints.cloudWatch,
      namePrefix: options.namePrefix,
      credentials,
      logSink: options.functionLogSink,
      onBatch: options.onBatch,
      onInvocation: (functionName, result, concurrentExecutions) => {
        const now = Date.now();
        for (const datum of lambdaDatapoints(functionName, result, concurrentExecutions, now)) {
          metrics.put(datum);
        }
        const initDurationMs = initDurationOf(result);
        if (initDurationMs !== undefined) coldStarts.push({ functionName, at: now, initDurationMs });
      },
      log,
      otherEmulators: {
        ...Object.fromEntries(EMULATED_RESOURCE_TYPES.map((type) => [type, 'local API Gateway'])),
        'AWS::CloudWatch::Alarm': 'alarm-registry',
        'AWS::CloudWatch::CompositeAlarm': 'alarm-registry',
        'AWS::Logs::MetricFilter': 'local metrics',
        'AWS::Events::Rule': 'alarm-registry',
        ...Object.fromEntries(ROUTE53_RESOURCE_TYPES.map((type) => [type, 'local Route 53 stand-in'])),
      },
    });
    cleanups.push(() => runtime.stop());
    regions.push(runtime);
  }
  return { regions, dynamoDbProxies, sqsProxies };
}

/**
 * One API Gateway emulator per stack, listening on its port, feeding the metrics (requests and the
 * access log's metric filters); the stacks' local outputs.
 */
async function startGateways(
  context: StartupContext,
  parts: {
    readonly regions: readonly RegionRuntime[];
    readonly sqsEndpoint: string;
    readonly sqsProxies: ReadonlyMap<string, FaultProxy>;
    readonly controlPlane: { register(gateway: ApiGatewayEmulator): void };
    readonly apiPorts: readonly number[];
  },
): Promise<{
  localStacks: LocalStack[];
  apiListeners: Map<string, ApiListener>;
  outputs: Record<string, Record<string, string>>;
}> {
  const { options, stacks, credentials, metrics, log, cleanups } = context;
  const { regions, sqsProxies, controlPlane } = parts;
  const regionRuntimeOf = (stack: AssemblyStack): RegionRuntime =>
    regions.find((region) => region.region === regionOf(stack)) as RegionRuntime;
  const stackRuntimeOf = (stack: AssemblyStack): StackRuntime =>
    regionRuntimeOf(stack).stacks.get(stack.stackName) as StackRuntime;
  // Before the gateways start: it registers the log groups their access logs name.
  const metricFilters = new MetricFilters(
    stacks.map((stack) => ({
      stack,
      resolver: stackRuntimeOf(stack).resolver,
      namePrefix: options.namePrefix,
    })),
  );
  for (const line of metricFilters.notEmulated) log(`metric filter not emulated: ${line}`);
  const recordRequest = (entry: AccessLogEntry): void => {
    const now = Date.now();
    for (const datum of apiGatewayDatapoints(entry, now)) metrics.put(datum);
    if (entry.accessLog) {
      const logGroupName = logGroupNameOfArn(entry.accessLog.destinationArn);
      for (const datum of metricFilters.ingest(logGroupName, entry.accessLog.line, now)) metrics.put(datum);
    }
  };

  const sqsClients = new Map<string, SQSClient>();
  const secrets = new LocalSecrets();
  const apiListeners = new Map<string, ApiListener>();
  const localStacks: LocalStack[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  for (const [index, stack] of stacks.entries()) {
    const region = regionOf(stack);
    const runtime = regionRuntimeOf(stack);
    const stackRuntime = stackRuntimeOf(stack);
    let sqsClient = sqsClients.get(region);
    if (!sqsClient) {
      // The gateway sends straight to the emulator: its requests are the async accept path, which
      // an extra proxy hop in this process would slow down; sendSqsMessage checks the region's
      // SQS fault itself instead.
      sqsClient = new SQSClient({ endpoint: parts.sqsEndpoint, region, credentials });
      sqsClients.set(region, sqsClient);
      const client = sqsClient;
      cleanups.push(() => Promise.resolve(client.destroy()));
    }
    const sqsProxy = sqsProxies.get(region) as FaultProxy;
    const { gateway, running } = await startGateway(stack, stackRuntime, runtime, sqsClient, sqsProxy, {
      port: parts.apiPorts[index],
      integrationTimeoutMillis: options.integrationTimeoutMillis,
      apiKeyValues: secrets.apiKeyValuesOf(stack.template),
      onAccessLog: (entry) => {
        recordRequest(entry);
        options.onAccessLog?.(stack.stackName, entry);
      },
    });
    const listener = apiListenerOf(gateway, running);
    apiListeners.set(stack.stackName, listener);
    cleanups.push(() => listener.close());
    controlPlane.register(gateway);
    const stageName = gateway.stageNames[0];
    const apiUrl = `${running.url}/${stageName}/`;
    localStacks.push({ stackName: stack.stackName, region, apiUrl, runtime: stackRuntime, gateway });
    outputs[stack.stackName] = localOutputs(stack, stackRuntime, gateway, running.url);
  }
  return { localStacks, apiListeners, outputs };
}

/**
 * The stacks' alarms, evaluated from the computed metrics (unless `alarms: false`), with their rules'
 * targets invoked in the regions; every state change but the first out of INSUFFICIENT_DATA logged.
 */
function createAlarms(
  context: StartupContext,
  localStacks: readonly LocalStack[],
  regions: readonly RegionRuntime[],
  onStateChange: () => void,
): AlarmRegistry {
  const { options, metrics, log } = context;
  return new AlarmRegistry({
    stacks: localStacks.map((stack) => ({
      stack: stack.runtime.stack,
      resolver: stack.runtime.resolver,
      region: stack.region,
      accountId: stack.runtime.accountId,
    })),
    namePrefix: options.namePrefix,
    log,
    evaluation:
      options.alarms === false ? undefined : { store: metrics, timeScale: options.alarms?.timeScale ?? 1 },
    onStateChange: (alarm, previousState) => {
      // The first evaluation takes every alarm out of INSUFFICIENT_DATA: not worth a line each.
      if (!alarm.forced && previousState !== 'INSUFFICIENT_DATA') {
        const { stackName, logicalId, state, stateReason } = alarm;
        log(`${new Date().toISOString()} alarm ${stackName}/${logicalId} ${state}: ${stateReason}`);
      }
      onStateChange();
    },
    invokeTarget: async (functionArn, event) => {
      const target = findRegionFunction(regions, functionArn);
      const result = await target.invoke(event, qualifierIn(functionArn));
      if (result.status !== 'succeeded') {
        throw new Error(
          result.status === 'failed'
            ? `${result.error.errorType}: ${result.error.errorMessage}`
            : 'throttled',
        );
      }
    },
  });
}

/**
 * The ports of the stacks' APIs and of the global front door, computed once: consecutive from
 * `api` (the global one after the last API's), or 0 for a free port each.
 */
function portPlan(stackCount: number, ports: LocalCloudPorts): { apis: number[]; global: number } {
  const apis = Array.from({ length: stackCount }, (_, index) => (ports.api ? ports.api + index : 0));
  return { apis, global: ports.global ?? (ports.api ? ports.api + stackCount : 0) };
}

/** The stacks to run: the named ones, or every stack with a REST API. */
function selectStacks(all: readonly AssemblyStack[], names: readonly string[] | undefined): AssemblyStack[] {
  if (names === undefined) {
    const withApi = all.filter((stack) =>
      Object.values(stack.template.Resources ?? {}).some(
        (resource) => resource.Type === 'AWS::ApiGateway::RestApi',
      ),
    );
    if (withApi.length === 0) throw new Error('The cloud assembly has no stack with a REST API to run');
    return withApi;
  }
  return names.map((name) => {
    const stack = all.find((candidate) => candidate.stackName === name);
    if (!stack) {
      throw new Error(
        `No stack ${name} in the cloud assembly (it has: ${all.map((s) => s.stackName).join(', ')})`,
      );
    }
    return stack;
  });
}

function regionOf(stack: AssemblyStack): string {
  return stack.region ?? FALLBACK_REGION;
}

interface GatewayOptions {
  readonly port: number;
  /** Values of API keys by logical id (those the template reads from a secret). */
  readonly apiKeyValues: ReadonlyMap<string, string>;
  readonly integrationTimeoutMillis?: number;
  readonly onAccessLog?: (entry: AccessLogEntry) => void;
}

async function startGateway(
  stack: AssemblyStack,
  stackRuntime: StackRuntime,
  runtime: RegionRuntime,
  sqsClient: SQSClient,
  /** The region's SQS fault proxy, whose fault the gateway's sends honour. */
  sqsFault: Pick<FaultProxy, 'fault'>,
  options: GatewayOptions,
): Promise<{ gateway: ApiGatewayEmulator; running: RunningApiGateway }> {
  const invokeFunction: InvokeFunction = async (functionLogicalId, event, qualifier) => {
    const result = await runtime
      .findFunction(`${stack.stackName}/${functionLogicalId}`)
      .invoke(event, qualifier);
    if (result.status === 'succeeded') return result.payload as Awaited<ReturnType<InvokeFunction>>;
    if (result.status === 'throttled') return { throttled: true };
    return { errorType: result.error.errorType, errorMessage: result.error.errorMessage };
  };

  const sendSqsMessage: SendSqsMessage = async (queueLogicalId, message) => {
    if (sqsFault.fault.down) {
      throw Object.assign(new Error(`connect ECONNREFUSED (SQS is down in ${runtime.region})`), {
        code: 'ECONNREFUSED',
      });
    }
    const queue = stackRuntime.queues.find((candidate) => candidate.logicalId === queueLogicalId);
    if (!queue) throw new Error(`No local queue ${queueLogicalId} in ${stack.stackName}`);
    return sendToLocalSqs(sqsClient, queue.queueUrl, queue.attributes, message);
  };

  const gateway = createApiGatewayEmulator({
    template: stack.template,
    stackName: stack.stackName,
    region: runtime.region,
    accountId: stackRuntime.accountId,
    resolver: stackRuntime.resolver,
    invokeFunction,
    sendSqsMessage,
    apiKeyValues: options.apiKeyValues,
    integrationTimeoutMillis: options.integrationTimeoutMillis,
    onAccessLog: options.onAccessLog,
  });
  const running = await gateway.listen(options.port, '127.0.0.1');
  return { gateway, running };
}

/**
 * Sends what API Gateway's SQS integration sends, as SQS would take it: SQS's input checks that the
 * emulator lacks first (a refusal rejects with SQS's code and a 400), then `SendMessage`.
 */
export async function sendToLocalSqs(
  client: SQSClient,
  queueUrl: string,
  queueAttributes: Readonly<Record<string, string>> | undefined,
  message: SqsSendMessageInput,
): Promise<{ messageId: string }> {
  checkSendMessage(message, queueKindOf(queueAttributes));
  const result = await client.send(new SendMessageCommand(sendMessageInputOf(queueUrl, message)));
  return { messageId: result.MessageId ?? '' };
}

/** The SDK's `SendMessage` input for what the gateway's SQS integration sends (form fields parsed). */
function sendMessageInputOf(queueUrl: string, message: SqsSendMessageInput): SendMessageCommandInput {
  return {
    QueueUrl: queueUrl,
    MessageBody: message.messageBody,
    MessageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([name, attribute]) => [
        name,
        {
          DataType: attribute.dataType,
          StringValue: attribute.stringValue,
          BinaryValue:
            attribute.binaryValue === undefined ? undefined : Buffer.from(attribute.binaryValue, 'base64'),
        },
      ]),
    ),
    DelaySeconds: message.delaySeconds,
    MessageGroupId: message.messageGroupId,
    MessageDeduplicationId: message.messageDeduplicationId,
  };
}

/**
 * The stack's outputs resolved locally. API Gateway URLs (`https://<id>.execute-api.<region>.<suffix>/`)
 * become the local gateway's URL; `ApiKeyValue` is added so a caller can authenticate.
 */
function localOutputs(
  stack: AssemblyStack,
  stackRuntime: StackRuntime,
  gateway: ApiGatewayEmulator,
  localUrl: string,
): Record<string, string> {
  const executeApiPrefix = new RegExp(`^https://${gateway.restApiId}\\.execute-api\\.[a-z0-9-]+\\.[a-z.]+/`);
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
    const value = stackRuntime.resolver.resolveString((output as { Value: unknown }).Value, `output ${name}`);
    outputs[name] = value.replace(executeApiPrefix, `${localUrl}/`);
  }
  const keys = gateway.apiKeys();
  const key = keys.find((candidate) => candidate.id === outputs.ApiKeyId) ?? keys[0];
  if (key) outputs.ApiKeyValue = key.value;
  return outputs;
}

/** The emulators this local cloud starts itself, stopped with it. */
async function startOwnEmulators(
  ports: LocalCloudPorts,
  cleanups: Array<() => Promise<void>>,
): Promise<[{ readonly endpoint: string }, { readonly endpoint: string }]> {
  const emulators = await startEmulators(ports);
  cleanups.push(() => emulators.stop());
  return [emulators.dynamodb, emulators.sqs];
}

/**
 * Samples every queue's metrics every `intervalMillis`. A failed
 * sample is logged once, and once more when sampling works again.
 */
function startQueueSampler(
  sqsEndpoint: string,
  regions: readonly RegionRuntime[],
  intervalMillis: number,
  metrics: MetricStore,
  log: (line: string) => void,
): { stop(): Promise<void> } {
  const queues = regions.flatMap((region) => [...region.stacks.values()].flatMap((stack) => stack.queues));
  let failing = false;
  let running: Promise<void> = Promise.resolve();
  const sample = async (): Promise<void> => {
    try {
      for (const datum of await sampleQueueDatapoints(sqsEndpoint, queues, Date.now())) metrics.put(datum);
      if (failing) log(`${new Date().toISOString()} queue metrics: sampling works again`);
      failing = false;
    } catch (error) {
      if (!failing) log(`${new Date().toISOString()} queue metrics: sampling failed: ${String(error)}`);
      failing = true;
    }
  };
  running = sample();
  const timer = setInterval(() => {
    running = running.then(sample);
  }, intervalMillis);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
