/**
 * The handlers' resilience knobs (circuit breaker, stale cache, health thresholds), typed and
 * validated here and handed to the functions as environment variables.
 */

import { Duration, Token } from 'aws-cdk-lib';
import { ENVIRONMENT } from '../../lambdas/contract/environment';

/**
 * The knobs of the resilience patterns in the request path. The circuit breaker and the stale cache
 * keep their state per Lambda execution environment (container), not across the fleet.
 */
export interface ResilienceConfig {
  /**
   * Share of failed data-store calls in the rolling window, in percent (1 to 100), at which the
   * circuit breaker of create-order and get-order opens and requests fail fast with 503.
   * @default 50
   */
  readonly circuitBreakerErrorThresholdPercent?: number;
  /**
   * Calls the rolling window must hold before the breaker may open (1 to 10,000), so that one early
   * failure of a fresh container does not open it.
   * @default 5
   */
  readonly circuitBreakerVolumeThreshold?: number;
  /**
   * How long an open breaker waits before it lets one probe through (half-open); 100 ms to 10 minutes.
   * @default Duration.seconds(5)
   */
  readonly circuitBreakerResetTimeout?: Duration;
  /**
   * The rolling window the breaker's failure rate is measured over; 1 second to 10 minutes, in whole
   * multiples of 10 ms (opossum splits it into 10 buckets).
   * @default Duration.seconds(10)
   */
  readonly circuitBreakerRollingWindow?: Duration;
  /**
   * Orders get-order keeps as the last known good copy (stale-if-error), per container; 1 to 100,000.
   * @default 1000
   */
  readonly staleCacheMaxEntries?: number;
  /**
   * How old a cached order may be and still be served when the data store fails; whole seconds,
   * 1 second to 1 day.
   * @default Duration.minutes(5)
   */
  readonly staleCacheMaxAge?: Duration;
  /**
   * Data-store latency above which `GET /health` answers `degraded` (200) instead of `ok`; whole
   * milliseconds, at least 1 ms and less than the health function's timeout.
   * @default Duration.millis(500)
   */
  readonly healthDegradedLatency?: Duration;
  /**
   * Async variant: age of the oldest queued order above which the API sheds new orders (503 with
   * `Retry-After`) until the queue-age alarm clears. Whole seconds, 1 minute to 1 day.
   * @default Duration.minutes(5)
   */
  readonly loadSheddingMaxQueueAge?: Duration;
  /**
   * Async variant: `Retry-After` of the 503 answered while shedding. Whole seconds, 1 to 3600.
   * @default Duration.seconds(30)
   */
  readonly loadSheddingRetryAfter?: Duration;
}

/** The environment of each function that reads resilience knobs. */
export interface ResilienceEnvironment {
  /** create-order: the circuit breaker. */
  readonly createOrder: Record<string, string>;
  /** get-order: the circuit breaker and the stale cache. */
  readonly getOrder: Record<string, string>;
  /** health: the degraded threshold. */
  readonly health: Record<string, string>;
}

/**
 * Fills in the defaults of a {@link ResilienceConfig}, validates it and returns each function's
 * environment variables. Throws with a message that says what was given and what is allowed.
 *
 * @param healthTimeout the health function's timeout; the degraded threshold must be below it
 */
export function resilienceEnvironment(
  config: ResilienceConfig = {},
  healthTimeout?: Duration,
): ResilienceEnvironment {
  const errorThreshold = config.circuitBreakerErrorThresholdPercent ?? 50;
  validateWhole('circuitBreakerErrorThresholdPercent', errorThreshold, 1, 100);
  const volumeThreshold = config.circuitBreakerVolumeThreshold ?? 5;
  validateWhole('circuitBreakerVolumeThreshold', volumeThreshold, 1, 10_000);
  const resetTimeout = config.circuitBreakerResetTimeout ?? Duration.seconds(5);
  validateDuration('circuitBreakerResetTimeout', resetTimeout, 100, 600_000, 1);
  const rollingWindow = config.circuitBreakerRollingWindow ?? Duration.seconds(10);
  validateDuration('circuitBreakerRollingWindow', rollingWindow, 1000, 600_000, 10);
  const cacheEntries = config.staleCacheMaxEntries ?? 1000;
  validateWhole('staleCacheMaxEntries', cacheEntries, 1, 100_000);
  const cacheMaxAge = config.staleCacheMaxAge ?? Duration.minutes(5);
  validateDuration('staleCacheMaxAge', cacheMaxAge, 1000, 86_400_000, 1000);
  const degradedLatency = config.healthDegradedLatency ?? Duration.millis(500);
  const degradedMaximum =
    healthTimeout && !Token.isUnresolved(healthTimeout.toMilliseconds())
      ? healthTimeout.toMilliseconds() - 1
      : Number.MAX_SAFE_INTEGER;
  validateDuration('healthDegradedLatency', degradedLatency, 1, degradedMaximum, 1);

  const circuitBreaker = {
    [ENVIRONMENT.circuitBreakerErrorThresholdPercent]: String(errorThreshold),
    [ENVIRONMENT.circuitBreakerVolumeThreshold]: String(volumeThreshold),
    [ENVIRONMENT.circuitBreakerResetTimeoutMs]: String(resetTimeout.toMilliseconds()),
    [ENVIRONMENT.circuitBreakerRollingWindowMs]: String(rollingWindow.toMilliseconds()),
  };
  return {
    createOrder: circuitBreaker,
    getOrder: {
      ...circuitBreaker,
      [ENVIRONMENT.staleCacheMaxEntries]: String(cacheEntries),
      [ENVIRONMENT.staleCacheMaxAgeSeconds]: String(cacheMaxAge.toSeconds()),
    },
    health: {
      [ENVIRONMENT.healthDegradedLatencyMs]: String(degradedLatency.toMilliseconds()),
    },
  };
}

function validateWhole(name: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number between ${min} and ${max} inclusive (given ${value})`);
  }
}

function validateDuration(name: string, value: Duration, minMs: number, maxMs: number, stepMs: number): void {
  const ms = value.toMilliseconds({ integral: false });
  if (Token.isUnresolved(ms)) return;
  if (ms < minMs || ms > maxMs || !Number.isInteger(ms / stepMs)) {
    const step = stepMs === 1 ? 'whole milliseconds' : `a multiple of ${stepMs} ms`;
    throw new Error(
      `${name} must be between ${minMs} ms and ${maxMs} ms inclusive, ${step} (given ${ms} ms)`,
    );
  }
}
