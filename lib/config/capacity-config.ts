/**
 * Capacity of one region's deployment and the bulkheads derived from it: the stage throttle, each
 * function's reserved concurrency, the consumer's event source maximum concurrency, and the
 * synth-time check that the API throttles (429) before Lambda does.
 */

import { Duration, Token } from 'aws-cdk-lib';
import type { ClientTier } from '../constructs/resilient-api';

/**
 * Capacity of one region's deployment: the numbers the stage throttle and the bulkheads derive from
 * ({@link deriveBulkheads}).
 *
 * The check is on the steady rate (Little's law). The burst is not checked: a token bucket may let
 * `apiBurstLimit` requests through at once, more than any reservation here, so a path's reservation
 * is also the most requests it serves at the same instant; requests above it are throttled by
 * Lambda (API Gateway answers 5xx for a throttled function), which is why clients retry 5xx with
 * backoff and the reservations sit above the steady rate with headroom.
 *
 * Reserved concurrency needs account headroom: Lambda keeps at least 100 of the account's
 * concurrency unreserved, and new accounts start with a concurrency limit of 10, so they cannot
 * reserve any. Set a path's `…ReservedConcurrency` to `undefined` to opt that path out (it then
 * shares the account's unreserved pool, and its capacity is not checked); ask for a higher account
 * limit before deploying the defaults to a new account.
 */
export interface CapacityConfig {
  /** Stage-wide steady-state rate limit, in requests per second. */
  readonly apiRateLimit: number;
  /** Stage-wide burst limit (token-bucket size). */
  readonly apiBurstLimit: number;
  /**
   * Client tiers (usage plans with API keys).
   * @default - ResilientApi's default: one `standard` tier, 50 requests/s, burst 100, 1,000,000 a day
   */
  readonly clientTiers?: ClientTier[];

  /**
   * Reserved concurrency of the synchronous create-order function (`POST /orders`, sync variant).
   * @default - no reservation (the account's unreserved pool)
   */
  readonly createOrderReservedConcurrency?: number;
  /** Expected p99 latency of one create-order invocation. */
  readonly createOrderExpectedP99Latency: Duration;
  /**
   * Provisioned concurrency of the create-order function's `live` alias: environments kept initialised, so
   * an order written after a quiet period or a failover does not wait for a cold start. Billed for every second it is configured (the cost model
   * prices it); at most the path's reserved concurrency.
   * @default - none
   */
  readonly createOrderProvisionedConcurrency?: number;

  /**
   * Reserved concurrency of the get-order function (`GET /orders/{orderId}`, the read path).
   * @default - no reservation (the account's unreserved pool)
   */
  readonly getOrderReservedConcurrency?: number;
  /** Expected p99 latency of one get-order invocation. */
  readonly getOrderExpectedP99Latency: Duration;
  /**
   * Provisioned concurrency of the get-order function's `live` alias: environments kept initialised, so
   * a read after a quiet period or a failover does not wait for a cold start. Billed for every second it is configured (the cost model
   * prices it); at most the path's reserved concurrency.
   * @default - none
   */
  readonly getOrderProvisionedConcurrency?: number;

  /**
   * Reserved concurrency of the health function (`GET /health`), so a flood of health checks cannot
   * starve the order paths and the order paths cannot starve the health check.
   * @default - no reservation (the account's unreserved pool)
   */
  readonly healthReservedConcurrency?: number;
  /** Expected p99 latency of one health check. */
  readonly healthExpectedP99Latency: Duration;
  /**
   * Provisioned concurrency of the health function's `live` alias: environments kept initialised, so
   * a Route 53 health check (which wants an answer within 2 s) does not wait for a cold start. Billed for every second it is configured (the cost model
   * prices it); at most the path's reserved concurrency.
   * @default - none
   */
  readonly healthProvisionedConcurrency?: number;

  /**
   * Most write request units per second the on-demand orders table may consume. When set, the
   * synchronous path's writes are checked against the stage rate like the functions are.
   * @default - no limit (on-demand scales)
   */
  readonly ordersTableMaxWriteRequestUnits?: number;

  /**
   * Most concurrent consumer invocations (event source mapping maximum concurrency, 2 to 1000): the
   * bulkhead that keeps a backlog from taking the account's concurrency.
   */
  readonly consumerMaxConcurrency: number;
  /**
   * Reserved concurrency of the queue consumer (async variant). AWS advises at least the event
   * source mapping's maximum concurrency, or the mapping's invocations are throttled and messages
   * return to the queue.
   * @default - no reservation (the account's unreserved pool)
   */
  readonly consumerReservedConcurrency?: number;
  /** Expected p99 latency of one consumer invocation (one batch). */
  readonly consumerExpectedP99Latency: Duration;
  /**
   * Provisioned concurrency of the queue consumer function's `live` alias: environments kept initialised, so
   * a backlog starts draining does not wait for a cold start. Billed for every second it is configured (the cost model
   * prices it); at most the path's reserved concurrency.
   * @default - none
   */
  readonly consumerProvisionedConcurrency?: number;
}

/** Event source mapping maximum concurrency of the default capacity. */
const DEFAULT_CONSUMER_MAX_CONCURRENCY = 10;

/**
 * Capacity used when nothing else is configured. Each Lambda path can serve more than the stage's
 * 100 requests/s (reserved concurrency ÷ expected p99 latency): create-order 25 ÷ 0.2 s = 125/s,
 * get-order 15 ÷ 0.1 s = 150/s, health 12 ÷ 0.1 s = 120/s, so the stage throttles first. The
 * reservations add up to 52 (sync) or 37 (async) of the account's concurrency.
 */
export const DEFAULT_CAPACITY: CapacityConfig = {
  apiRateLimit: 100,
  apiBurstLimit: 200,
  createOrderReservedConcurrency: 25,
  createOrderExpectedP99Latency: Duration.millis(200),
  getOrderReservedConcurrency: 15,
  getOrderExpectedP99Latency: Duration.millis(100),
  healthReservedConcurrency: 12,
  healthExpectedP99Latency: Duration.millis(100),
  consumerMaxConcurrency: DEFAULT_CONSUMER_MAX_CONCURRENCY,
  consumerReservedConcurrency: DEFAULT_CONSUMER_MAX_CONCURRENCY,
  consumerExpectedP99Latency: Duration.seconds(1),
};

/**
 * Write request units one order takes: an order item of up to 1 KB is one write unit. The schema
 * allows larger orders (one unit per started KB), so leave headroom when orders are big.
 */
export const WRITE_REQUEST_UNITS_PER_ORDER = 1;

/** A path served by a Lambda function behind the API. */
export type LambdaPath = 'createOrder' | 'getOrder' | 'health';

/** What one API path behind a Lambda function can serve. */
export interface LambdaPathCapacity {
  /** Reserved concurrency of the path's function, or `undefined` for none. */
  readonly reservedConcurrency?: number;
  /** Provisioned concurrency of the path's function, or `undefined` for none. */
  readonly provisionedConcurrency?: number;
  /** Expected p99 latency of one invocation. */
  readonly expectedP99Latency: Duration;
  /**
   * Requests per second the reservation sustains at that latency (Little's law: concurrency ÷
   * latency), rounded down; `undefined` without a reservation.
   */
  readonly maxRequestsPerSecond?: number;
}

/** The bulkheads of one deployment, derived from a {@link CapacityConfig}. */
export interface Bulkheads {
  /** The API paths served by functions. */
  readonly paths: Readonly<Record<LambdaPath, LambdaPathCapacity>>;
  /**
   * Orders per second the orders table's write limit allows (`ordersTableMaxWriteRequestUnits` ÷
   * {@link WRITE_REQUEST_UNITS_PER_ORDER}, rounded down), or `undefined` without a limit.
   */
  readonly ordersTableMaxWritesPerSecond?: number;
  /** Event source mapping maximum concurrency of the queue consumer. */
  readonly consumerMaxConcurrency: number;
  /** Reserved concurrency of the queue consumer, or `undefined` for none. */
  readonly consumerReservedConcurrency?: number;
  /** Provisioned concurrency of the queue consumer, or `undefined` for none. */
  readonly consumerProvisionedConcurrency?: number;
  /**
   * One message per API path whose function would throttle before the stage does (the stage rate
   * is above `maxRequestsPerSecond`); empty when the API answers 429 first.
   */
  readonly throttleAboveCapacity: string[];
}

/** Which paths a deployment serves from functions: `createOrder` only in the sync variant. */
export function lambdaPathsOf(orderPath: 'sync' | 'async'): LambdaPath[] {
  return orderPath === 'sync' ? ['createOrder', 'getOrder', 'health'] : ['getOrder', 'health'];
}

const PATH_NAMES: Record<LambdaPath, string> = {
  createOrder: 'create-order (POST /orders)',
  getOrder: 'get-order (GET /orders/{orderId})',
  health: 'health (GET /health)',
};

/**
 * Derives the bulkheads from a capacity config and checks that the stage throttle is below what
 * each Lambda path can serve: `apiRateLimit ≤ floor(reservedConcurrency ÷ expectedP99Latency)`, and,
 * in the sync variant with a table write limit, `apiRateLimit ≤ floor(ordersTableMaxWriteRequestUnits
 * ÷ WRITE_REQUEST_UNITS_PER_ORDER)`. The stage rate is the bound because every method may take all of it. Paths without a reservation
 * are not checked (their capacity depends on the rest of the account). Throws if the config is
 * invalid.
 *
 * @param paths the paths the deployment serves from functions (see {@link lambdaPathsOf})
 */
export function deriveBulkheads(
  capacity: CapacityConfig,
  paths: readonly LambdaPath[] = ['createOrder', 'getOrder', 'health'],
): Bulkheads {
  validateCapacity(capacity);
  const pathCapacity = (
    reservedConcurrency: number | undefined,
    latency: Duration,
    provisionedConcurrency: number | undefined,
  ): LambdaPathCapacity => ({
    reservedConcurrency,
    provisionedConcurrency,
    expectedP99Latency: latency,
    maxRequestsPerSecond:
      reservedConcurrency === undefined || Token.isUnresolved(reservedConcurrency)
        ? undefined
        : Math.floor((reservedConcurrency * 1000) / latency.toMilliseconds({ integral: false })),
  });
  const derived: Record<LambdaPath, LambdaPathCapacity> = {
    createOrder: pathCapacity(
      capacity.createOrderReservedConcurrency,
      capacity.createOrderExpectedP99Latency,
      capacity.createOrderProvisionedConcurrency,
    ),
    getOrder: pathCapacity(
      capacity.getOrderReservedConcurrency,
      capacity.getOrderExpectedP99Latency,
      capacity.getOrderProvisionedConcurrency,
    ),
    health: pathCapacity(
      capacity.healthReservedConcurrency,
      capacity.healthExpectedP99Latency,
      capacity.healthProvisionedConcurrency,
    ),
  };
  const throttleAboveCapacity: string[] = [];
  for (const path of paths) {
    const { reservedConcurrency, expectedP99Latency, maxRequestsPerSecond } = derived[path];
    if (maxRequestsPerSecond === undefined || Token.isUnresolved(capacity.apiRateLimit)) continue;
    if (capacity.apiRateLimit > maxRequestsPerSecond) {
      throttleAboveCapacity.push(
        `${PATH_NAMES[path]} serves at most ${maxRequestsPerSecond} requests/s ` +
          `(reserved concurrency ${reservedConcurrency} ÷ expected p99 latency ${expectedP99Latency.toMilliseconds({ integral: false })} ms) ` +
          `but the stage allows ${capacity.apiRateLimit} requests/s: Lambda throttles before the API answers 429. ` +
          `Lower the stage rate or raise the reservation to at least ${Math.ceil((capacity.apiRateLimit * expectedP99Latency.toMilliseconds({ integral: false })) / 1000)}.`,
      );
    }
  }
  const maxWriteUnits = capacity.ordersTableMaxWriteRequestUnits;
  const ordersTableMaxWritesPerSecond =
    maxWriteUnits === undefined || Token.isUnresolved(maxWriteUnits)
      ? undefined
      : Math.floor(maxWriteUnits / WRITE_REQUEST_UNITS_PER_ORDER);
  // Only the synchronous path writes while the client waits; the consumer's writes are behind the
  // queue, and a throttled batch returns to it.
  if (
    paths.includes('createOrder') &&
    ordersTableMaxWritesPerSecond !== undefined &&
    !Token.isUnresolved(capacity.apiRateLimit) &&
    capacity.apiRateLimit > ordersTableMaxWritesPerSecond
  ) {
    throttleAboveCapacity.push(
      `The orders table accepts at most ${ordersTableMaxWritesPerSecond} order writes/s ` +
        `(ordersTableMaxWriteRequestUnits ${maxWriteUnits} ÷ ${WRITE_REQUEST_UNITS_PER_ORDER} per order) ` +
        `but the stage allows ${capacity.apiRateLimit} requests/s: DynamoDB throttles before the API answers 429.`,
    );
  }
  return {
    paths: derived,
    ordersTableMaxWritesPerSecond,
    consumerMaxConcurrency: capacity.consumerMaxConcurrency,
    consumerReservedConcurrency: capacity.consumerReservedConcurrency,
    consumerProvisionedConcurrency: capacity.consumerProvisionedConcurrency,
    throttleAboveCapacity,
  };
}

/** Validates a capacity config; throws with a message that says what was given and what is allowed. */
export function validateCapacity(capacity: CapacityConfig): void {
  validateReservedConcurrency('createOrderReservedConcurrency', capacity.createOrderReservedConcurrency);
  validateReservedConcurrency('getOrderReservedConcurrency', capacity.getOrderReservedConcurrency);
  validateReservedConcurrency('healthReservedConcurrency', capacity.healthReservedConcurrency);
  validateReservedConcurrency('consumerReservedConcurrency', capacity.consumerReservedConcurrency);
  for (const path of ['createOrder', 'getOrder', 'health', 'consumer'] as const) {
    validateProvisionedConcurrency(
      `${path}ProvisionedConcurrency`,
      capacity[`${path}ProvisionedConcurrency`],
      `${path}ReservedConcurrency`,
      capacity[`${path}ReservedConcurrency`],
    );
  }
  const maxWriteUnits = capacity.ordersTableMaxWriteRequestUnits;
  if (maxWriteUnits !== undefined && !Token.isUnresolved(maxWriteUnits)) {
    if (!Number.isInteger(maxWriteUnits) || maxWriteUnits < 1) {
      throw new Error(
        `ordersTableMaxWriteRequestUnits must be a whole number of at least 1, or undefined for no limit (given ${maxWriteUnits})`,
      );
    }
  }
  validateLatency('createOrderExpectedP99Latency', capacity.createOrderExpectedP99Latency);
  validateLatency('getOrderExpectedP99Latency', capacity.getOrderExpectedP99Latency);
  validateLatency('healthExpectedP99Latency', capacity.healthExpectedP99Latency);
  validateLatency('consumerExpectedP99Latency', capacity.consumerExpectedP99Latency);
  const { consumerMaxConcurrency: max, consumerReservedConcurrency: reserved } = capacity;
  if (Token.isUnresolved(max)) return;
  if (!Number.isInteger(max) || max < 2 || max > 1000) {
    throw new Error(`consumerMaxConcurrency must be between 2 and 1000 inclusive (given ${max})`);
  }
  if (reserved !== undefined && !Token.isUnresolved(reserved) && reserved < max) {
    throw new Error(
      `consumerReservedConcurrency must be at least consumerMaxConcurrency (${max}), or the event source ` +
        `mapping is throttled (given ${reserved})`,
    );
  }
}

function validateReservedConcurrency(name: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `${name} must be a whole number of at least 1, or undefined for no reservation (given ${value})`,
    );
  }
}

function validateProvisionedConcurrency(
  name: string,
  value: number | undefined,
  reservedName: string,
  reserved: number | undefined,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a whole number of at least 1, or undefined for none (given ${value})`);
  }
  if (reserved !== undefined && !Token.isUnresolved(reserved) && value > reserved) {
    throw new Error(
      `${name} (${value}) may not exceed ${reservedName} (${reserved}): the provisioned environments are part of the reservation`,
    );
  }
}

function validateLatency(name: string, latency: Duration): void {
  const ms = latency.toMilliseconds({ integral: false });
  if (Token.isUnresolved(ms)) return;
  if (!(ms >= 1 && ms <= 900_000)) {
    throw new Error(`${name} must be between 1 millisecond and 15 minutes (given ${ms} milliseconds)`);
  }
}
