/**
 * Names of the environment variables the constructs set and the handlers read. Both sides import
 * them from here, so a rename cannot break the wiring silently.
 */
export const ENVIRONMENT = {
  /** Name of the orders table. */
  ordersTableName: 'ORDERS_TABLE_NAME',
  /** Name of the Powertools idempotency table. */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** URL of the orders queue (async variant only; the health check probes it when set). */
  ordersQueueUrl: 'ORDERS_QUEUE_URL',
  /**
   * Per-attempt timeout of AWS SDK calls, in milliseconds (optional). The constructs derive it from
   * the function timeout so that every retry still fits in one invocation.
   */
  sdkRequestTimeoutMs: 'SDK_REQUEST_TIMEOUT_MS',
} as const;

/** Reads a required environment variable, failing fast (at cold start) when it is missing. */
export function requireEnvironment(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is required but not set`);
  }
  return value;
}

/**
 * Reads an optional environment variable holding a positive integer, failing fast (at cold start)
 * when it is set to anything else. Returns `defaultValue` when it is not set.
 */
export function readPositiveIntegerEnvironment(name: string, defaultValue: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return defaultValue;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new Error(`Environment variable ${name} must be a positive integer (given ${value})`);
  }
  return parsed;
}
