/**
 * What a variant's synthesized templates say about its cost: the functions (memory, architecture,
 * tracing), what each API route integrates with, the queue consumers, the tables and their
 * replicas, and the resources billed per month. Read from the templates only, never from a second
 * description of the stacks.
 */
import type { StackTemplate, TemplateResource } from '../../local-cloud/assembly/cloud-assembly';
import { referencedLogicalIds } from '../../local-cloud/apigateway/template-references';
import {
  functionQualifiersOf,
  invokedFunctionIn,
  provisionedConcurrencyOf,
} from '../../local-cloud/lambda/qualifiers';

/** A Lambda function as billed. */
export interface FunctionInventory {
  readonly logicalId: string;
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  /** Whether X-Ray active tracing is on. */
  readonly tracing: boolean;
  /** Provisioned concurrency over the function's aliases (0 for none). */
  readonly provisionedConcurrency: number;
}

/** A queue consumer (SQS event source mapping). */
export interface QueueConsumerInventory {
  readonly queueLogicalId: string;
  readonly function: FunctionInventory;
  /** The mapping's maximum batch size. */
  readonly batchSize: number;
}

/** What one API route runs. */
export interface RouteInventory {
  /** `METHOD /path`, e.g. `POST /orders`, the same form as `RequestRecord.endpoint`. */
  readonly route: string;
  /** The function of a Lambda proxy integration. */
  readonly function?: FunctionInventory;
  /** The queue of a direct SQS integration, and its consumer. */
  readonly queue?: { readonly logicalId: string; readonly consumer?: QueueConsumerInventory };
  /** Whether the stage has X-Ray tracing on. */
  readonly stageTracing: boolean;
  /** Whether the stage writes an access log. */
  readonly stageAccessLog: boolean;
}

/** A DynamoDB table and how many regions hold it. */
export interface TableInventory {
  readonly logicalId: string;
  readonly onDemand: boolean;
  /** Regions with a replica (1 for a single-region table). */
  readonly replicas: number;
}

/** Resources billed per month, counted over all the variant's stacks. */
export interface MonthlyInventory {
  /** Metrics of standard-resolution alarms (a metric-math alarm counts each metric it reads). */
  readonly alarmMetrics: number;
  /** Metrics of high-resolution alarms (period under 60 s). */
  readonly highResolutionAlarmMetrics: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  readonly healthChecks: number;
  /** Optional features over all health checks (HTTPS, string matching, 10 s interval, latency). */
  readonly healthCheckOptionalFeatures: number;
  readonly kmsKeys: number;
}

/** Everything the cost model reads from a variant's templates. */
export interface TemplateInventory {
  /** Routes of the stack that takes the traffic (the first template). */
  readonly routes: readonly RouteInventory[];
  /** Tables of all the stacks. */
  readonly tables: readonly TableInventory[];
  readonly monthly: MonthlyInventory;
  /** Functions of all the stacks with provisioned concurrency, billed for every second it is configured. */
  readonly provisioned: readonly FunctionInventory[];
  /** Sizes (GB, as CloudFormation names them) of the stages' cache clusters, over all the stacks. */
  readonly cacheClusters: readonly string[];
  readonly stacks: number;
}

type Resources = Readonly<Record<string, TemplateResource>>;

/**
 * Reads a variant's templates. Per-request figures come from the first template (the stack a
 * request enters: every regional stack runs the same path); tables, their replicas and the monthly
 * resources from all of them.
 */
export function readTemplateInventory(templates: readonly StackTemplate[]): TemplateInventory {
  if (templates.length === 0) throw new Error('A cost estimate needs at least one template');
  const all = templates.map((template) => template.Resources);
  return {
    routes: readRoutes(all[0]),
    tables: all.flatMap(readTables),
    monthly: sumMonthly(all.map(readMonthly)),
    provisioned: all.flatMap(readProvisioned),
    cacheClusters: all.flatMap(readCacheClusters),
    stacks: templates.length,
  };
}

function resourcesOfType(resources: Resources, type: string): [string, Record<string, unknown>][] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);
}

/** The function a value invokes (directly or through an alias or version), if it names one. */
function invokedFunctionId(resources: Resources, value: unknown): string | undefined {
  return invokedFunctionIn({ Resources: resources }, value)?.functionLogicalId;
}

function readCacheClusters(resources: Resources): string[] {
  return (
    resourcesOfType(resources, 'AWS::ApiGateway::Stage')
      .filter(([, properties]) => properties.CacheClusterEnabled === true)
      // CloudFormation's default size is 0.5 GB.
      .map(([, properties]) =>
        typeof properties.CacheClusterSize === 'string' ? properties.CacheClusterSize : '0.5',
      )
  );
}

/** The versions and aliases of a template's functions, read once per template. */
const qualifiersByTemplate = new WeakMap<Resources, ReturnType<typeof functionQualifiersOf>>();
function qualifiersOf(resources: Resources): ReturnType<typeof functionQualifiersOf> {
  let qualifiers = qualifiersByTemplate.get(resources);
  if (qualifiers === undefined) {
    qualifiers = functionQualifiersOf({ Resources: resources });
    qualifiersByTemplate.set(resources, qualifiers);
  }
  return qualifiers;
}

function readProvisioned(resources: Resources): FunctionInventory[] {
  return [...qualifiersOf(resources).keys()]
    .map((logicalId) => readFunction(resources, logicalId))
    .filter((fn) => fn.provisionedConcurrency > 0);
}

function readFunction(resources: Resources, logicalId: string): FunctionInventory {
  const properties = resources[logicalId].Properties ?? {};
  const aliases = qualifiersOf(resources).get(logicalId)?.aliases ?? [];
  const architectures = properties.Architectures as string[] | undefined;
  const tracing = properties.TracingConfig as { Mode?: string } | undefined;
  return {
    logicalId,
    // CloudFormation's defaults when the properties are absent.
    memoryMb: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
    architecture: architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
    tracing: tracing?.Mode === 'Active',
    provisionedConcurrency: provisionedConcurrencyOf(aliases),
  };
}

function readConsumer(resources: Resources, queueLogicalId: string): QueueConsumerInventory | undefined {
  for (const [, properties] of resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping')) {
    if (!referencedLogicalIds(properties.EventSourceArn).includes(queueLogicalId)) continue;
    const functionId = invokedFunctionId(resources, properties.FunctionName);
    if (functionId === undefined) continue;
    return {
      queueLogicalId,
      function: readFunction(resources, functionId),
      // 10 is CloudFormation's default batch size for SQS.
      batchSize: typeof properties.BatchSize === 'number' ? properties.BatchSize : 10,
    };
  }
  return undefined;
}

/** `/orders/{orderId}` for an API Gateway resource, from its chain of parents. */
function resourcePath(resources: Resources, resourceId: unknown): string {
  const [logicalId] = referencedLogicalIds(resourceId);
  const resource = logicalId === undefined ? undefined : resources[logicalId];
  if (resource?.Type !== 'AWS::ApiGateway::Resource') return ''; // the API's root resource
  const properties = resource.Properties ?? {};
  return `${resourcePath(resources, properties.ParentId)}/${String(properties.PathPart)}`;
}

function readRoutes(resources: Resources): RouteInventory[] {
  const stage = resourcesOfType(resources, 'AWS::ApiGateway::Stage')[0]?.[1] ?? {};
  return resourcesOfType(resources, 'AWS::ApiGateway::Method')
    .filter(([, properties]) => properties.HttpMethod !== 'OPTIONS')
    .map(([, properties]) => {
      const integration = (properties.Integration ?? {}) as { Uri?: unknown };
      const targets = referencedLogicalIds(integration.Uri);
      const functionId = invokedFunctionId(resources, integration.Uri);
      const queueId = targets.find((id) => resources[id]?.Type === 'AWS::SQS::Queue');
      const path = resourcePath(resources, properties.ResourceId) || '/';
      return {
        route: `${String(properties.HttpMethod)} ${path}`,
        function: functionId === undefined ? undefined : readFunction(resources, functionId),
        queue:
          queueId === undefined
            ? undefined
            : { logicalId: queueId, consumer: readConsumer(resources, queueId) },
        stageTracing: stage.TracingEnabled === true,
        stageAccessLog: stage.AccessLogSetting !== undefined,
      };
    });
}

function readTables(resources: Resources): TableInventory[] {
  const tables = resourcesOfType(resources, 'AWS::DynamoDB::GlobalTable').map(([logicalId, properties]) => ({
    logicalId,
    onDemand: properties.BillingMode === 'PAY_PER_REQUEST',
    replicas: Array.isArray(properties.Replicas) ? Math.max(1, properties.Replicas.length) : 1,
  }));
  const classic = resourcesOfType(resources, 'AWS::DynamoDB::Table').map(([logicalId, properties]) => ({
    logicalId,
    onDemand: properties.BillingMode === 'PAY_PER_REQUEST',
    replicas: 1,
  }));
  return [...tables, ...classic];
}

function alarmMetricCount(properties: Record<string, unknown>): number {
  const metrics = properties.Metrics as { MetricStat?: unknown }[] | undefined;
  if (metrics === undefined) return 1;
  return metrics.filter((metric) => metric.MetricStat !== undefined).length;
}

function alarmPeriod(properties: Record<string, unknown>): number {
  if (typeof properties.Period === 'number') return properties.Period;
  const metrics = (properties.Metrics ?? []) as { MetricStat?: { Period?: number } }[];
  return Math.min(...metrics.map((metric) => metric.MetricStat?.Period ?? 60), 60);
}

function readMonthly(resources: Resources): MonthlyInventory {
  let alarmMetrics = 0;
  let highResolutionAlarmMetrics = 0;
  for (const [, properties] of resourcesOfType(resources, 'AWS::CloudWatch::Alarm')) {
    if (alarmPeriod(properties) < 60) highResolutionAlarmMetrics += alarmMetricCount(properties);
    else alarmMetrics += alarmMetricCount(properties);
  }
  let healthCheckOptionalFeatures = 0;
  const healthChecks = resourcesOfType(resources, 'AWS::Route53::HealthCheck');
  for (const [, properties] of healthChecks) {
    const config = (properties.HealthCheckConfig ?? {}) as {
      Type?: string;
      RequestInterval?: number;
      MeasureLatency?: boolean;
    };
    const type = config.Type ?? '';
    if (type.startsWith('HTTPS')) healthCheckOptionalFeatures += 1;
    if (type.endsWith('_STR_MATCH')) healthCheckOptionalFeatures += 1;
    if (config.RequestInterval === 10) healthCheckOptionalFeatures += 1;
    if (config.MeasureLatency === true) healthCheckOptionalFeatures += 1;
  }
  return {
    alarmMetrics,
    highResolutionAlarmMetrics,
    compositeAlarms: resourcesOfType(resources, 'AWS::CloudWatch::CompositeAlarm').length,
    dashboards: resourcesOfType(resources, 'AWS::CloudWatch::Dashboard').length,
    healthChecks: healthChecks.length,
    healthCheckOptionalFeatures,
    kmsKeys: resourcesOfType(resources, 'AWS::KMS::Key').length,
  };
}

function sumMonthly(parts: readonly MonthlyInventory[]): MonthlyInventory {
  const keys = Object.keys(parts[0]) as (keyof MonthlyInventory)[];
  return Object.fromEntries(
    keys.map((key) => [key, parts.reduce((sum, part) => sum + part[key], 0)]),
  ) as unknown as MonthlyInventory;
}
