/**
 * A capacity configuration from JSON (`-c capacity=path/to/capacity.json`): the keys of
 * {@link CapacityConfig}, each optional (a missing key keeps {@link DEFAULT_CAPACITY}'s value),
 * latencies in milliseconds (`createOrderExpectedP99LatencyMs`), `null` for "no reservation".
 *
 * ```json
 * { "apiRateLimit": 200, "apiBurstLimit": 400, "createOrderReservedConcurrency": 50,
 *   "createOrderExpectedP99LatencyMs": 150, "clientTiers": [{ "name": "gold", "rateLimit": 100, "burstLimit": 200 }] }
 * ```
 */
import { Duration } from 'aws-cdk-lib';
import { Period } from 'aws-cdk-lib/aws-apigateway';
import type { ClientTier } from '../constructs/resilient-api';
import { DEFAULT_CAPACITY, validateCapacity, type CapacityConfig } from './capacity-config';

/** Keys whose value is a number of requests or workers (or `null` where optional). */
const NUMBER_KEYS = [
  'apiRateLimit',
  'apiBurstLimit',
  'consumerMaxConcurrency',
] as const satisfies ReadonlyArray<keyof CapacityConfig>;

/** Keys that may be `null`: no reservation, no provisioned concurrency, no limit. */
const OPTIONAL_NUMBER_KEYS = [
  'createOrderReservedConcurrency',
  'getOrderReservedConcurrency',
  'healthReservedConcurrency',
  'consumerReservedConcurrency',
  'createOrderProvisionedConcurrency',
  'getOrderProvisionedConcurrency',
  'healthProvisionedConcurrency',
  'consumerProvisionedConcurrency',
  'ordersTableMaxWriteRequestUnits',
] as const satisfies ReadonlyArray<keyof CapacityConfig>;

/** Latency keys of the config, written in the file with an `Ms` suffix. */
const LATENCY_KEYS = [
  'createOrderExpectedP99Latency',
  'getOrderExpectedP99Latency',
  'healthExpectedP99Latency',
  'consumerExpectedP99Latency',
] as const satisfies ReadonlyArray<keyof CapacityConfig>;

/** Every key a capacity file may have. */
export const CAPACITY_FILE_KEYS: readonly string[] = [
  ...NUMBER_KEYS,
  ...OPTIONAL_NUMBER_KEYS,
  ...LATENCY_KEYS.map((key) => `${key}Ms`),
  'clientTiers',
];

const TIER_KEYS = ['name', 'rateLimit', 'burstLimit', 'quotaLimit', 'quotaPeriod'];
const PERIODS: Record<string, Period> = { DAY: Period.DAY, WEEK: Period.WEEK, MONTH: Period.MONTH };

/**
 * Reads a capacity file's parsed JSON; throws naming the file (`source`) and the key that is wrong.
 * The result passes {@link validateCapacity}.
 */
export function parseCapacityFile(json: unknown, source: string): CapacityConfig {
  const fail = (message: string): never => {
    throw new Error(`${source}: ${message}`);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return fail(`a capacity file is a JSON object (given ${JSON.stringify(json)})`);
  }
  const entries = json as Record<string, unknown>;
  const unknown = Object.keys(entries).filter((key) => !CAPACITY_FILE_KEYS.includes(key));
  if (unknown.length > 0) {
    fail(`unknown key ${unknown.join(', ')}; the keys are ${CAPACITY_FILE_KEYS.join(', ')}`);
  }
  const config: Record<string, unknown> = { ...DEFAULT_CAPACITY };
  for (const key of NUMBER_KEYS) {
    if (key in entries) config[key] = numberAt(entries[key], key, fail);
  }
  for (const key of OPTIONAL_NUMBER_KEYS) {
    if (key in entries) config[key] = entries[key] === null ? undefined : numberAt(entries[key], key, fail);
  }
  for (const key of LATENCY_KEYS) {
    const fileKey = `${key}Ms`;
    if (fileKey in entries) config[key] = Duration.millis(numberAt(entries[fileKey], fileKey, fail));
  }
  if ('clientTiers' in entries) config.clientTiers = tiersAt(entries.clientTiers, fail);
  const capacity = config as unknown as CapacityConfig;
  try {
    validateCapacity(capacity);
  } catch (error) {
    fail((error as Error).message);
  }
  return capacity;
}

function numberAt(value: unknown, key: string, fail: (message: string) => never): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${key} must be a number (given ${JSON.stringify(value)})`);
  }
  return value;
}

function tiersAt(value: unknown, fail: (message: string) => never): ClientTier[] {
  if (!Array.isArray(value) || value.length === 0) {
    return fail(`clientTiers must be a non-empty list of tiers (given ${JSON.stringify(value)})`);
  }
  return value.map((tier: unknown, index) => {
    const where = `clientTiers[${index}]`;
    if (tier === null || typeof tier !== 'object') return fail(`${where} must be an object`);
    const fields = tier as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !TIER_KEYS.includes(key));
    if (unknown.length > 0)
      fail(`${where} has unknown key ${unknown.join(', ')}; the keys are ${TIER_KEYS.join(', ')}`);
    if (typeof fields.name !== 'string' || fields.name === '')
      fail(`${where}.name must be a non-empty string`);
    const period = fields.quotaPeriod;
    if (period !== undefined && !(typeof period === 'string' && period in PERIODS)) {
      fail(
        `${where}.quotaPeriod must be one of ${Object.keys(PERIODS).join(', ')} (given ${JSON.stringify(period)})`,
      );
    }
    return {
      name: fields.name,
      rateLimit: numberAt(fields.rateLimit, `${where}.rateLimit`, fail),
      burstLimit: numberAt(fields.burstLimit, `${where}.burstLimit`, fail),
      ...(fields.quotaLimit === undefined
        ? {}
        : { quotaLimit: numberAt(fields.quotaLimit, `${where}.quotaLimit`, fail) }),
      ...(period === undefined ? {} : { quotaPeriod: PERIODS[period] }),
    };
  });
}
