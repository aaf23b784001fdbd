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
  /** Failure rate (percent of calls in the rolling window) above which the circuit breaker opens (optional). */
  circuitBreakerErrorThresholdPercent: 'CIRCUIT_BREAKER_ERROR_THRESHOLD_PERCENT',
  /** Calls the rolling window must hold before the circuit breaker may open (optional). */
  circuitBreakerVolumeThreshold: 'CIRCUIT_BREAKER_VOLUME_THRESHOLD',
  /** Milliseconds an open circuit breaker waits before letting one probe through (optional). */
  circuitBreakerResetTimeoutMs: 'CIRCUIT_BREAKER_RESET_TIMEOUT_MS',
  /** Length of the circuit breaker's rolling statistics window, in milliseconds (optional). */
  circuitBreakerRollingWindowMs: 'CIRCUIT_BREAKER_ROLLING_WINDOW_MS',
  /** Most orders the read path keeps as last known good copies (optional). */
  staleCacheMaxEntries: 'STALE_CACHE_MAX_ENTRIES',
  /** Oldest last known good copy the read path may serve while DynamoDB fails, in seconds (optional). */
  staleCacheMaxAgeSeconds: 'STALE_CACHE_MAX_AGE_SECONDS',
  /** Latency above which a health check that passed reports the region as degraded, in ms (optional). */
  healthDegradedLatencyMs: 'HEALTH_DEGRADED_LATENCY_MS',
  /** Id of the REST API whose stage the load shedder switches. */
  restApiId: 'REST_API_ID',
  /** Name of the stage the load shedder switches. */
  stageName: 'STAGE_NAME',
  /** Name of the queue-age alarm whose state the load shedder follows. */
  sheddingAlarmName: 'SHEDDING_ALARM_NAME',
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
