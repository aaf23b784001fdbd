/**
 * The CloudWatch metrics the local cloud computes from what its emulators observe, under the names,
 * dimensions and units AWS publishes them with:
 *
 * - **API Gateway** (`AWS/ApiGateway`, by `ApiName` + `Stage` and by `ApiName`), per request:
 *   `Count` (1), `4XXError` and `5XXError` (1 or 0, so `Average` is the rate), `Latency` and
 *   `IntegrationLatency` in milliseconds; for a cached method, `CacheHitCount` and `CacheMissCount`
 *   (1 or 0).
 * - **Lambda** (`AWS/Lambda`, by `FunctionName`), per invocation: `Invocations`, `Errors` (1 or 0),
 *   `Duration` (not for throttled invocations), `Throttles`, `ConcurrentExecutions`.
 * - **SQS** (`AWS/SQS`, by `QueueName`), sampled: `ApproximateAgeOfOldestMessage` (seconds),
 *   `ApproximateNumberOfMessagesVisible`, `…NotVisible`, `…Delayed`.
 * - **Metric filters** (`AWS::Logs::MetricFilter`) on the access log group, per line.
 *
 * Sources: "Amazon API Gateway dimensions and metrics", "Types of metrics for Lambda functions",
 * "Available CloudWatch metrics for Amazon SQS", and `AWS::Logs::MetricFilter` in the CloudFormation
 * reference (DefaultValue: "the value to emit when a filter pattern does not match a log event").
 */
import { resourcesOfType, type AssemblyStack } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import type { AccessLogEntry } from '../apigateway/api-gateway-emulator';
import type { InvocationResult } from '../lambda/local-function';
import { localResourceName } from '../resources/local-names';
import { parseFilterPattern, selectNumber, selectText, type FilterPattern } from './filter-pattern';
import type { MetricDatum } from './metric-store';

/** The datapoints API Gateway publishes for one request (requests outside a stage publish none). */
export function apiGatewayDatapoints(entry: AccessLogEntry, timestamp: number): MetricDatum[] {
  if (entry.stage === undefined) return [];
  const datapoints: MetricDatum[] = [];
  const byStage: Record<string, string> = { ApiName: entry.apiName, Stage: entry.stage };
  for (const dimensions of [byStage, { ApiName: entry.apiName }]) {
    const put = (metricName: string, value: number) =>
      datapoints.push({ namespace: 'AWS/ApiGateway', metricName, dimensions, value, timestamp });
    put('Count', 1);
    put('4XXError', entry.status >= 400 && entry.status < 500 ? 1 : 0);
    put('5XXError', entry.status >= 500 ? 1 : 0);
    put('Latency', entry.latencyMillis);
    if (entry.integrationLatencyMillis !== undefined)
      put('IntegrationLatency', entry.integrationLatencyMillis);
    if (entry.cacheStatus !== undefined) {
      put('CacheHitCount', entry.cacheStatus === 'hit' ? 1 : 0);
      put('CacheMissCount', entry.cacheStatus === 'miss' ? 1 : 0);
    }
  }
  return datapoints;
}

/** The datapoints Lambda publishes for one invocation. */
export function lambdaDatapoints(
  functionName: string,
  result: InvocationResult,
  concurrentExecutions: number,
  timestamp: number,
): MetricDatum[] {
  const dimensions = { FunctionName: functionName };
  const datum = (metricName: string, value: number): MetricDatum => ({
    namespace: 'AWS/Lambda',
    metricName,
    dimensions,
    value,
    timestamp,
  });
  // A throttled request is not an invocation: it counts in Throttles only.
  if (result.status === 'throttled') return [datum('Throttles', 1)];
  return [
    datum('Invocations', 1),
    datum('Errors', result.status === 'failed' ? 1 : 0),
    datum('Duration', result.durationMs),
    datum('ConcurrentExecutions', concurrentExecutions),
  ];
}

/** One stack's metric filters and log groups, as the local cloud needs them. */
export interface MetricFilterSource {
  readonly stack: AssemblyStack;
  readonly resolver: IntrinsicResolver;
  /** @default '' */
  readonly namePrefix?: string;
}

interface MetricFilter {
  readonly description: string;
  readonly logGroupName: string;
  readonly pattern: FilterPattern;
  readonly transformations: ReadonlyArray<{
    readonly namespace: string;
    readonly metricName: string;
    /** A number, or a `$.field` selector. */
    readonly value: string;
    readonly defaultValue?: number;
    /** Dimension name → `$.field` selector. */
    readonly dimensions: Readonly<Record<string, string>>;
  }>;
}

/** Log group name limit of CloudWatch Logs. */
const MAX_LOG_GROUP_NAME_LENGTH = 512;

/**
 * The `AWS::Logs::MetricFilter`s of the stacks. Registers every `AWS::Logs::LogGroup` with its
 * stack's resolver (its local name and ARN), so that the stage's access log destination and the
 * filters' `LogGroupName` resolve to the same group.
 */
export class MetricFilters {
  private readonly filters: MetricFilter[] = [];
  /** Filters the local cloud cannot run, with the reason, for the startup report. */
  public readonly notEmulated: string[] = [];

  constructor(sources: readonly MetricFilterSource[]) {
    for (const source of sources) this.addStack(source);
  }

  /** The datapoints the filters of a log group publish for one log event. */
  public ingest(logGroupName: string, message: string, timestamp: number): MetricDatum[] {
    const datapoints: MetricDatum[] = [];
    for (const filter of this.filters) {
      if (filter.logGroupName !== logGroupName) continue;
      const matched = filter.pattern.matches(message);
      for (const transformation of filter.transformations) {
        const value = matched
          ? /^\$/.test(transformation.value)
            ? selectNumber(transformation.value, message)
            : Number(transformation.value)
          : transformation.defaultValue;
        if (value === undefined || Number.isNaN(value)) continue;
        const dimensions: Record<string, string> = {};
        for (const [name, selector] of Object.entries(transformation.dimensions)) {
          const dimensionValue = matched ? selectText(selector, message) : undefined;
          if (dimensionValue !== undefined) dimensions[name] = dimensionValue;
        }
        datapoints.push({
          namespace: transformation.namespace,
          metricName: transformation.metricName,
          dimensions,
          value,
          timestamp,
        });
      }
    }
    return datapoints;
  }

  private addStack({ stack, resolver, namePrefix }: MetricFilterSource): void {
    for (const { logicalId, resource } of resourcesOfType(stack.template, 'AWS::Logs::LogGroup')) {
      if (resolver.has(logicalId)) continue;
      const properties = resource.Properties ?? {};
      const name = localResourceName({
        templateName:
          properties.LogGroupName === undefined
            ? undefined
            : resolver.resolveString(properties.LogGroupName, `${logicalId}.LogGroupName`),
        stackName: stack.stackName,
        logicalId,
        prefix: namePrefix,
        maxLength: MAX_LOG_GROUP_NAME_LENGTH,
        kind: 'log group',
      });
      const arn = resolver.resolveString(
        { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}:*` },
        `${logicalId}.Arn`,
      );
      resolver.register(logicalId, { ref: name, attributes: { Arn: arn } });
    }
    for (const { logicalId, resource } of resourcesOfType(stack.template, 'AWS::Logs::MetricFilter')) {
      const description = `${stack.stackName}/${logicalId}`;
      const properties = resource.Properties ?? {};
      try {
        const transformations = (properties.MetricTransformations as Array<Record<string, unknown>>).map(
          (transformation) => ({
            namespace: String(transformation.MetricNamespace),
            metricName: String(transformation.MetricName),
            value: String(transformation.MetricValue),
            defaultValue:
              transformation.DefaultValue === undefined ? undefined : Number(transformation.DefaultValue),
            dimensions: Object.fromEntries(
              ((transformation.Dimensions as Array<{ Key: string; Value: string }> | undefined) ?? []).map(
                ({ Key, Value }) => [Key, Value],
              ),
            ),
          }),
        );
        this.filters.push({
          description,
          logGroupName: resolver.resolveString(properties.LogGroupName, `${logicalId}.LogGroupName`),
          pattern: parseFilterPattern(
            properties.FilterPattern === undefined
              ? ''
              : resolver.resolveString(properties.FilterPattern, `${logicalId}.FilterPattern`),
          ),
          transformations,
        });
      } catch (error) {
        this.notEmulated.push(`${description}: ${(error as Error).message}`);
      }
    }
  }
}

/** A queue whose metrics are sampled. */
export interface SampledQueue {
  readonly queueName: string;
}

interface FauxqsQueueSummary {
  readonly name: string;
  readonly approximateMessageCount: number;
  readonly approximateInflightCount: number;
  readonly approximateDelayedCount: number;
}

interface FauxqsQueueState {
  readonly messages: {
    readonly ready: ReadonlyArray<{ readonly sentTimestamp: number }>;
    readonly inflight: ReadonlyArray<{ readonly message: { readonly sentTimestamp: number } }>;
  };
}

/**
 * Samples the queues' metrics from the SQS emulator's inspection endpoint (`/_fauxqs/queues`), which
 * reads without receiving, so sampling never changes a message's receive count or visibility.
 * `ApproximateAgeOfOldestMessage` is the age of the oldest message not deleted yet, in flight or not
 * (0 for an empty queue).
 */
export async function sampleQueueDatapoints(
  sqsEndpoint: string,
  queues: readonly SampledQueue[],
  timestamp: number,
): Promise<MetricDatum[]> {
  const wanted = new Set(queues.map((queue) => queue.queueName));
  const summaries = (await getJson(`${sqsEndpoint}/_fauxqs/queues`)) as FauxqsQueueSummary[];
  const datapoints: MetricDatum[] = [];
  for (const summary of summaries) {
    if (!wanted.has(summary.name)) continue;
    const put = (metricName: string, value: number) =>
      datapoints.push({
        namespace: 'AWS/SQS',
        metricName,
        dimensions: { QueueName: summary.name },
        value,
        timestamp,
      });
    put('ApproximateNumberOfMessagesVisible', summary.approximateMessageCount);
    put('ApproximateNumberOfMessagesNotVisible', summary.approximateInflightCount);
    put('ApproximateNumberOfMessagesDelayed', summary.approximateDelayedCount);
    let oldest = timestamp;
    if (summary.approximateMessageCount + summary.approximateInflightCount > 0) {
      const state = (await getJson(
        `${sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(summary.name)}`,
      )) as FauxqsQueueState;
      for (const message of state.messages.ready) oldest = Math.min(oldest, message.sentTimestamp);
      for (const entry of state.messages.inflight) oldest = Math.min(oldest, entry.message.sentTimestamp);
    }
    put('ApproximateAgeOfOldestMessage', Math.max(0, Math.floor((timestamp - oldest) / 1000)));
  }
  return datapoints;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
