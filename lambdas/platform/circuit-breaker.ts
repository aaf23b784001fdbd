/**
 * A circuit breaker (opossum) around a data store in the synchronous request path: once the share
 * of failed calls in a rolling window passes a threshold, calls fail at once with a
 * {@link CircuitOpenError} instead of waiting for SDK timeouts; after a reset timeout one probe call
 * goes through (half-open), and its success closes the breaker again.
 *
 * **Per-container state.** Each Lambda container (execution environment) has its own breaker in
 * module scope: containers do not share failure statistics, so each one opens after it has seen
 * enough failures itself, and a new container starts closed. No shared store is consulted, which
 * would be one more dependency that can fail.
 *
 * **Retries at one layer only.** The SDK retries each call (see `sdk-config.ts`); the breaker never
 * retries on top, has no fallback, and sets no timeout of its own (opossum's `timeout: false`): the
 * SDK's per-attempt timeouts already bound every call, and an opossum timeout would only stop
 * waiting without cancelling the SDK call.
 *
 * **What counts as a failure.** Only a {@link DependencyUnavailableError} (throttling, timeouts,
 * network errors, 5xx): client-caused outcomes (an idempotency key reused, a request in progress,
 * a conditional check that failed, an order that does not exist) mean the store answered, so they
 * count as successes (opossum's `errorFilter`).
 */
import CircuitBreaker from 'opossum';
import { DependencyUnavailableError } from './data-access';
import { ENVIRONMENT, readPositiveIntegerEnvironment } from '../contract/environment';

/** Settings of a {@link DependencyCircuitBreaker}. */
export interface CircuitBreakerSettings {
  /** Failure rate, in percent of the calls in the rolling window, above which the breaker opens. */
  readonly errorThresholdPercent: number;
  /** Calls the rolling window must hold before the breaker may open. */
  readonly volumeThreshold: number;
  /** Milliseconds the breaker stays open before it lets one probe call through. */
  readonly resetTimeoutMs: number;
  /** Length of the rolling window the failure rate is computed over, in milliseconds. */
  readonly rollingWindowMs: number;
}

/** Defaults of {@link readCircuitBreakerSettings}, used when the environment does not set a value. */
export const DEFAULT_CIRCUIT_BREAKER_SETTINGS: CircuitBreakerSettings = {
  errorThresholdPercent: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 5_000,
  rollingWindowMs: 10_000,
};

/**
 * Buckets of opossum's rolling window (its default). The window length is rounded to a multiple of
 * it, since opossum rotates one bucket every `window / buckets` milliseconds.
 */
const ROLLING_WINDOW_BUCKETS = 10;

/**
 * Reads the breaker settings from the environment (`CIRCUIT_BREAKER_*`), failing fast (at cold
 * start) on a value that is not a positive integer or a percentage above 100.
 */
export function readCircuitBreakerSettings(): CircuitBreakerSettings {
  const defaults = DEFAULT_CIRCUIT_BREAKER_SETTINGS;
  const errorThresholdPercent = readPositiveIntegerEnvironment(
    ENVIRONMENT.circuitBreakerErrorThresholdPercent,
    defaults.errorThresholdPercent,
  );
  if (errorThresholdPercent > 100) {
    throw new Error(
      `Environment variable ${ENVIRONMENT.circuitBreakerErrorThresholdPercent} must be between 1 and 100 ` +
        `(given ${errorThresholdPercent})`,
    );
  }
  return {
    errorThresholdPercent,
    volumeThreshold: readPositiveIntegerEnvironment(
      ENVIRONMENT.circuitBreakerVolumeThreshold,
      defaults.volumeThreshold,
    ),
    resetTimeoutMs: readPositiveIntegerEnvironment(
      ENVIRONMENT.circuitBreakerResetTimeoutMs,
      defaults.resetTimeoutMs,
    ),
    rollingWindowMs: readPositiveIntegerEnvironment(
      ENVIRONMENT.circuitBreakerRollingWindowMs,
      defaults.rollingWindowMs,
    ),
  };
}

/** The breaker is open: the call was not made. Retrying after `retryAfterSeconds` may succeed. */
export class CircuitOpenError extends DependencyUnavailableError {
  /** Whole seconds until the breaker lets a probe through (at least 1). */
  public readonly retryAfterSeconds: number;

  constructor(dependency: string, retryAfterSeconds: number) {
    super(dependency, new Error('circuit breaker is open'));
    this.name = 'CircuitOpenError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A circuit breaker around the calls to one dependency (e.g. "orders store"). */
export class DependencyCircuitBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private openedAtMs = 0;

  constructor(
    private readonly dependency: string,
    private readonly settings: CircuitBreakerSettings,
  ) {
    this.breaker = new CircuitBreaker((operation: () => Promise<unknown>) => operation(), {
      // The SDK's timeouts bound every call; see the module documentation.
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercent,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: roundToBuckets(settings.rollingWindowMs),
      rollingCountBuckets: ROLLING_WINDOW_BUCKETS,
      errorFilter: (error: unknown) => !(error instanceof DependencyUnavailableError),
    });
    this.breaker.on('open', () => {
      this.openedAtMs = Date.now();
    });
  }

  /** Whether calls currently fail fast. */
  get isOpen(): boolean {
    return this.breaker.opened;
  }

  /**
   * Runs one call through the breaker, once (never retried here).
   *
   * @throws CircuitOpenError when the breaker is open (the call is not made)
   * @throws whatever the call throws
   */
  async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(operation)) as T;
    } catch (error) {
      if (isOpenBreakerError(error)) {
        throw new CircuitOpenError(this.dependency, this.secondsUntilProbe());
      }
      throw error;
    }
  }

  private secondsUntilProbe(): number {
    const remainingMs = this.openedAtMs + this.settings.resetTimeoutMs - Date.now();
    return Math.max(1, Math.ceil(remainingMs / 1_000));
  }
}

function roundToBuckets(windowMs: number): number {
  return Math.max(
    ROLLING_WINDOW_BUCKETS,
    Math.round(windowMs / ROLLING_WINDOW_BUCKETS) * ROLLING_WINDOW_BUCKETS,
  );
}

function isOpenBreakerError(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EOPENBREAKER';
}
