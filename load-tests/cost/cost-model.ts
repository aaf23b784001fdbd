/**
 * Cost per million requests of a variant: what its templates deploy (read by
 * `readTemplateInventory`) × how each request uses it (assumptions, measured where the run can
 * measure them) × a price table with its source and date.
 */
import type { StackTemplate } from '../../local-cloud/assembly/cloud-assembly';
import type { PriceTable } from './price-table';
import {
  readTemplateInventory,
  type FunctionInventory,
  type RouteInventory,
  type TableInventory,
  type TemplateInventory,
} from './template-inventory';

/** DynamoDB request units one request of a route consumes, by table (logical id prefix, e.g. `OrdersTable`). */
export interface RouteUsage {
  /** Write request units per request (1 per write of an item up to 1 KB). */
  readonly writeUnits?: Readonly<Record<string, number>>;
  /** Read request units per request (0.5 per eventually consistent read of up to 4 KB). */
  readonly readUnits?: Readonly<Record<string, number>>;
}

/** How requests use what the templates deploy. */
export interface CostAssumptions {
  /** Share of each route (`POST /orders`…) in the requests; the shares sum to 1. */
  readonly requestMix: Readonly<Record<string, number>>;
  /** Mean billed duration per invocation in ms, by function logical id prefix (`CreateOrder`…); measured by the run. */
  readonly functionDurationMs: Readonly<Record<string, number>>;
  /** Mean messages per consumer invocation (measured). @default - the event source mapping's maximum batch size */
  readonly consumerBatchSize?: number;
  /** DynamoDB units per request, by route. */
  readonly routeUsage: Readonly<Record<string, RouteUsage>>;
  /** Log bytes a function writes per invocation (platform START/END/REPORT lines included). */
  readonly functionLogBytesPerInvocation: number;
  /** Bytes of one API access log line. */
  readonly accessLogBytesPerRequest: number;
  /** Bytes sent to each other region per replicated write. */
  readonly replicatedItemBytes: number;
  /** Share of requests X-Ray records a trace for (the default sampling rule: 1/s, then 5%). */
  readonly tracedShare: number;
  /** Requests per month, to spread the monthly costs over. */
  readonly monthlyRequests: number;
}

/**
 * Assumptions used when the run does not measure better. The durations and byte counts are
 * estimates, meant to be replaced by the run's measurements; the unit counts follow from the code
 * (create-order and process-orders write the idempotency record twice — in progress, then
 * completed — and the order once; get-order and the health check read one item).
 */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
  requestMix: { 'POST /orders': 1 },
  functionDurationMs: { CreateOrder: 60, ProcessOrders: 150, GetOrder: 30, Health: 40 },
  routeUsage: {
    'POST /orders': { writeUnits: { IdempotencyTable: 2, OrdersTable: 1 } },
    'GET /orders/{orderId}': { readUnits: { OrdersTable: 0.5 } },
    'GET /health': { readUnits: { OrdersTable: 0.5 } },
  },
  functionLogBytesPerInvocation: 1500,
  accessLogBytesPerRequest: 700,
  replicatedItemBytes: 1024,
  tracedShare: 0.05,
  monthlyRequests: 10_000_000,
};

/** One billed item per request. */
export interface CostLineItem {
  readonly item: string;
  /** Billed quantity per request, in `unit`. */
  readonly quantityPerRequest: number;
  readonly unit: string;
  readonly perMillionRequestsUsd: number;
}

/** One resource billed per month. */
export interface MonthlyCostItem {
  readonly item: string;
  readonly count: number;
  readonly monthlyUsd: number;
}

/** The cost estimate of one variant. */
export interface VariantCost {
  readonly variant: string;
  /** Request-dependent cost per million requests of the mix (what scales with traffic). */
  readonly perMillionRequestsUsd: number;
  readonly items: readonly CostLineItem[];
  /** The same per route, for one route alone. */
  readonly perRoute: Readonly<
    Record<string, { readonly perMillionRequestsUsd: number; readonly items: readonly CostLineItem[] }>
  >;
  /** What the stacks cost per month whatever the traffic (alarms, dashboards, health checks, keys). */
  readonly fixedMonthlyUsd: number;
  readonly fixedItems: readonly MonthlyCostItem[];
  /** `perMillionRequestsUsd` + `fixedMonthlyUsd` spread over `assumptions.monthlyRequests`. */
  readonly perMillionIncludingFixedUsd: number;
  readonly assumptions: CostAssumptions;
  readonly prices: {
    readonly region: string;
    readonly source: string;
    readonly retrievedOn: string;
    readonly caveat: string;
  };
  /** What the model leaves out, so a reader does not mistake the figure for a bill. */
  readonly notModelled: readonly string[];
}

const NOT_MODELLED = [
  'free tiers',
  'storage (DynamoDB, PITR backups, logs, SQS retention)',
  'data transfer out to the internet',
  'idle SQS polling by the event source mapping',
  "API calls besides DynamoDB reads and writes (e.g. the health check's GetQueueAttributes)",
  'KMS requests of DynamoDB encryption with the AWS managed key',
];

const BYTES_PER_GB = 1e9;
/** AWS prices by the month as 730 hours. */
const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** Estimates the cost of a variant from its synthesized templates (the stack that takes traffic first). */
export function estimateVariantCost(options: {
  readonly variant: string;
  readonly templates: readonly StackTemplate[];
  readonly prices: PriceTable;
  readonly assumptions?: CostAssumptions;
}): VariantCost {
  const assumptions = options.assumptions ?? DEFAULT_COST_ASSUMPTIONS;
  const inventory = readTemplateInventory(options.templates);
  validateMix(assumptions.requestMix, inventory);
  const perRoute: Record<string, { perMillionRequestsUsd: number; items: CostLineItem[] }> = {};
  const merged = new Map<string, CostLineItem>();
  for (const [route, share] of Object.entries(assumptions.requestMix)) {
    const routeInventory = inventory.routes.find((candidate) => candidate.route === route)!;
    const items = routeItems(routeInventory, inventory.tables, assumptions, options.prices);
    perRoute[route] = { perMillionRequestsUsd: total(items), items };
    for (const item of items) {
      const previous = merged.get(item.item);
      merged.set(item.item, {
        item: item.item,
        unit: item.unit,
        quantityPerRequest: (previous?.quantityPerRequest ?? 0) + share * item.quantityPerRequest,
        perMillionRequestsUsd: (previous?.perMillionRequestsUsd ?? 0) + share * item.perMillionRequestsUsd,
      });
    }
  }
  const items = [...merged.values()];
  const fixedItems = monthlyItems(inventory, options.prices);
  const fixedMonthlyUsd = fixedItems.reduce((sum, item) => sum + item.monthlyUsd, 0);
  const perMillionRequestsUsd = total(items);
  return {
    variant: options.variant,
    perMillionRequestsUsd,
    items,
    perRoute,
    fixedMonthlyUsd,
    fixedItems,
    perMillionIncludingFixedUsd:
      perMillionRequestsUsd + fixedMonthlyUsd / (assumptions.monthlyRequests / 1e6),
    assumptions,
    prices: {
      region: options.prices.region,
      source: options.prices.source,
      retrievedOn: options.prices.retrievedOn,
      caveat: options.prices.caveat,
    },
    notModelled: NOT_MODELLED,
  };
}

function total(items: readonly CostLineItem[]): number {
  return items.reduce((sum, item) => sum + item.perMillionRequestsUsd, 0);
}

function validateMix(mix: Readonly<Record<string, number>>, inventory: TemplateInventory): void {
  const known = inventory.routes.map((route) => route.route);
  for (const [route, share] of Object.entries(mix)) {
    if (!known.includes(route)) {
      throw new Error(
        `The request mix names ${route}, which the template does not have (it has ${known.join(', ')})`,
      );
    }
    if (!(share >= 0)) throw new RangeError(`The share of ${route} must be 0 or more (given ${share})`);
  }
  const sum = Object.values(mix).reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`The request mix shares must sum to 1 (given ${sum})`);
}

/** A line item: `quantity` of `unit` per request at `unitPriceUsd` per unit. */
function item(name: string, quantity: number, unit: string, unitPriceUsd: number): CostLineItem {
  return {
    item: name,
    quantityPerRequest: quantity,
    unit,
    perMillionRequestsUsd: quantity * unitPriceUsd * 1e6,
  };
}

function matchingPrefix(keys: Iterable<string>, logicalId: string): string | undefined {
  return [...keys].find((prefix) => logicalId.startsWith(prefix));
}

function functionItems(
  fn: FunctionInventory,
  invocationsPerRequest: number,
  assumptions: CostAssumptions,
  prices: PriceTable,
): CostLineItem[] {
  const name = matchingPrefix(Object.keys(assumptions.functionDurationMs), fn.logicalId);
  if (name === undefined) {
    throw new Error(
      `No duration is given for function ${fn.logicalId}: add functionDurationMs.<logical id prefix>`,
    );
  }
  const gbSeconds = (assumptions.functionDurationMs[name] / 1000) * (fn.memoryMb / 1024);
  // An invocation on a provisioned environment is billed at the lower duration price; the model
  // assumes the traffic fits within the provisioned concurrency (spill-over is billed on demand).
  const provisioned = fn.provisionedConcurrency > 0;
  const perGbSecond = provisioned
    ? byArchitecture(
        fn,
        prices.lambdaProvisionedDurationPerGbSecondArm64,
        prices.lambdaProvisionedDurationPerGbSecondX86,
      )
    : byArchitecture(fn, prices.lambdaPerGbSecondArm64, prices.lambdaPerGbSecondX86);
  return [
    item(
      `Lambda invocations (${name})`,
      invocationsPerRequest,
      'invocations',
      prices.lambdaPerMillionRequests / 1e6,
    ),
    item(
      `Lambda compute (${name}, ${fn.memoryMb} MB ${fn.architecture}${provisioned ? ', on provisioned concurrency' : ''})`,
      invocationsPerRequest * gbSeconds,
      'GB-s',
      perGbSecond,
    ),
    item(
      `CloudWatch Logs ingestion (${name})`,
      (invocationsPerRequest * assumptions.functionLogBytesPerInvocation) / BYTES_PER_GB,
      'GB',
      prices.cloudWatchLogsIngestionPerGb,
    ),
  ];
}

/** The Arm or the x86 price, by the function's architecture. */
function byArchitecture(fn: FunctionInventory, arm64: number, x86: number): number {
  return fn.architecture === 'arm64' ? arm64 : x86;
}

function tableByPrefix(tables: readonly TableInventory[], prefix: string): TableInventory {
  const matches = tables.filter((table) => table.logicalId.startsWith(prefix));
  if (matches.length === 0) {
    throw new Error(
      `No table's logical id starts with ${prefix} (tables: ${tables.map((t) => t.logicalId).join(', ')})`,
    );
  }
  // A global table appears in full in the stack that owns it; the other regions import it.
  return matches.reduce((widest, table) => (table.replicas > widest.replicas ? table : widest));
}

function dynamoDbItems(
  usage: RouteUsage,
  tables: readonly TableInventory[],
  assumptions: CostAssumptions,
  prices: PriceTable,
): CostLineItem[] {
  const items: CostLineItem[] = [];
  for (const [prefix, units] of Object.entries(usage.writeUnits ?? {})) {
    const table = tableByPrefix(tables, prefix);
    items.push(item(`DynamoDB writes (${prefix})`, units, 'WRU', prices.dynamoDbPerMillionWriteUnits / 1e6));
    const otherRegions = table.replicas - 1;
    if (otherRegions > 0) {
      items.push(
        item(
          `DynamoDB replicated writes (${prefix}, ${otherRegions} other region(s))`,
          units * otherRegions,
          'rWRU',
          prices.dynamoDbPerMillionReplicatedWriteUnits / 1e6,
        ),
        item(
          `Inter-region transfer (${prefix} replication)`,
          (units * otherRegions * assumptions.replicatedItemBytes) / BYTES_PER_GB,
          'GB',
          prices.interRegionTransferPerGb,
        ),
      );
    }
  }
  for (const [prefix, units] of Object.entries(usage.readUnits ?? {})) {
    tableByPrefix(tables, prefix);
    items.push(item(`DynamoDB reads (${prefix})`, units, 'RRU', prices.dynamoDbPerMillionReadUnits / 1e6));
  }
  return items;
}

function routeItems(
  route: RouteInventory,
  tables: readonly TableInventory[],
  assumptions: CostAssumptions,
  prices: PriceTable,
): CostLineItem[] {
  const items = [
    item('API Gateway REST requests', 1, 'requests', prices.apiGatewayRestPerMillionRequests / 1e6),
  ];
  if (route.stageAccessLog) {
    items.push(
      item(
        'CloudWatch Logs ingestion (API access log)',
        assumptions.accessLogBytesPerRequest / BYTES_PER_GB,
        'GB',
        prices.cloudWatchLogsIngestionPerGb,
      ),
    );
  }
  // One trace covers the gateway and the function it calls; each consumer invocation starts its own.
  let traces = route.stageTracing || route.function?.tracing === true ? 1 : 0;
  if (route.function !== undefined) items.push(...functionItems(route.function, 1, assumptions, prices));
  if (route.queue !== undefined) {
    const perSqsRequest = prices.sqsStandardPerMillionRequests / 1e6;
    items.push(item('SQS SendMessage', 1, 'requests', perSqsRequest));
    const consumer = route.queue.consumer;
    if (consumer !== undefined) {
      const batch = assumptions.consumerBatchSize ?? consumer.batchSize;
      if (!(batch >= 1)) throw new RangeError(`The consumer batch size must be 1 or more (given ${batch})`);
      items.push(item('SQS ReceiveMessage + DeleteMessageBatch', 2 / batch, 'requests', perSqsRequest));
      items.push(...functionItems(consumer.function, 1 / batch, assumptions, prices));
      if (consumer.function.tracing) traces += 1 / batch;
    }
  }
  if (traces > 0) {
    items.push(
      item(
        'X-Ray traces recorded',
        traces * assumptions.tracedShare,
        'traces',
        prices.xRayPerMillionTracesRecorded / 1e6,
      ),
    );
  }
  items.push(...dynamoDbItems(assumptions.routeUsage[route.route] ?? {}, tables, assumptions, prices));
  return items;
}

function monthlyItems(inventory: TemplateInventory, prices: PriceTable): MonthlyCostItem[] {
  const monthly = inventory.monthly;
  const rows: [string, number, number][] = [
    [
      'CloudWatch alarm metrics (standard resolution)',
      monthly.alarmMetrics,
      prices.cloudWatchAlarmPerMetricMonth,
    ],
    [
      'CloudWatch alarm metrics (high resolution)',
      monthly.highResolutionAlarmMetrics,
      prices.cloudWatchHighResolutionAlarmPerMetricMonth,
    ],
    ['CloudWatch composite alarms', monthly.compositeAlarms, prices.cloudWatchCompositeAlarmPerMonth],
    ['CloudWatch dashboards', monthly.dashboards, prices.cloudWatchDashboardPerMonth],
    ['Route 53 health checks', monthly.healthChecks, prices.route53HealthCheckPerMonth],
    [
      'Route 53 health check optional features',
      monthly.healthCheckOptionalFeatures,
      prices.route53HealthCheckOptionalFeaturePerMonth,
    ],
    ['KMS customer managed keys', monthly.kmsKeys, prices.kmsKeyPerMonth],
  ];
  const provisioned = inventory.provisioned.map((fn) => {
    const perGbSecond = byArchitecture(
      fn,
      prices.lambdaProvisionedConcurrencyPerGbSecondArm64,
      prices.lambdaProvisionedConcurrencyPerGbSecondX86,
    );
    return {
      item: `Lambda provisioned concurrency (${fn.logicalId}, ${fn.memoryMb} MB ${fn.architecture} each)`,
      count: fn.provisionedConcurrency,
      monthlyUsd: fn.provisionedConcurrency * (fn.memoryMb / 1024) * SECONDS_PER_MONTH * perGbSecond,
    };
  });
  const caches = inventory.cacheClusters.map((size) => {
    const perHour = prices.apiGatewayCachePerHourBySize[size];
    if (perHour === undefined) {
      throw new Error(
        `The price table has no API Gateway cache price for ${size} GB (it has ${Object.keys(prices.apiGatewayCachePerHourBySize).join(', ')})`,
      );
    }
    return {
      item: `API Gateway cache cluster (${size} GB)`,
      count: 1,
      monthlyUsd: perHour * HOURS_PER_MONTH,
    };
  });
  return [
    ...rows
      .filter(([, count]) => count > 0)
      .map(([name, count, price]) => ({ item: name, count, monthlyUsd: count * price })),
    ...provisioned,
    ...caches,
  ];
}
