/**
 * The load generator's client retry policy: capped exponential backoff with full jitter, retrying
 * only what a retry can fix (408, 429, the transient 5xx, no answer) and never a client mistake.
 */

/** How a client retries one request. */
export interface RetryPolicy {
  /** Most attempts per request, the first one included (1 turns retries off). */
  readonly maxAttempts: number;
  /** Ceiling of the first retry's delay in milliseconds; it doubles with every further retry. */
  readonly baseDelayMs: number;
  /** Largest ceiling a retry's delay may have, in milliseconds (the cap). */
  readonly maxDelayMs: number;
}

/**
 * Retry policy used when a scenario sets none: up to 4 retries whose delays are drawn from
 * [0, 100 ms), [0, 200 ms), [0, 400 ms) and [0, 800 ms), so a request gives up within about 1.5 s.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2000 };

/** What one attempt came back with: an HTTP status, or why no answer came. */
export type AttemptOutcome = { readonly status: number } | { readonly failure: 'timeout' | 'connection' };

/** What the client does after an attempt. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'succeeded' | 'client-error' | 'attempts-exhausted' };

/**
 * The statuses another attempt may fix: 408 (request timeout), 429 (throttled) and the transient
 * server errors 500, 502, 503 and 504 — the AWS SDKs' own list. 501 (not implemented) and 505 (HTTP
 * version) answer the same to every attempt; any other 4xx is the client's own mistake.
 */
export const RETRYABLE_STATUSES: readonly number[] = [408, 429, 500, 502, 503, 504];

/** Whether another attempt could succeed: a retryable status, a timeout or a failed connection. */
export function isRetryable(outcome: AttemptOutcome): boolean {
  return 'failure' in outcome || RETRYABLE_STATUSES.includes(outcome.status);
}

/**
 * Delay before retry number `retry` (1 for the first retry): full jitter, a uniform draw from
 * `[0, min(maxDelayMs, baseDelayMs × 2^(retry − 1)))`, whole milliseconds. Full jitter spreads the
 * retries of clients that failed together, so they do not come back together.
 *
 * @param random a uniform draw from [0, 1), `Math.random` unless a test fixes it
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(retry) || retry < 1) {
    throw new Error(`retry must be a whole number of at least 1 (given ${retry})`);
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Decides what follows attempt number `attempt` (1 for the first) that ended with `outcome`: stop
 * on a 2xx or 3xx (`succeeded`) or a client mistake (`client-error`), stop after `maxAttempts`
 * (`attempts-exhausted`), else retry after {@link retryDelayMs}.
 */
export function decideRetry(
  outcome: AttemptOutcome,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (!isRetryable(outcome)) {
    return {
      retry: false,
      reason: 'status' in outcome && outcome.status < 400 ? 'succeeded' : 'client-error',
    };
  }
  if (attempt >= policy.maxAttempts) return { retry: false, reason: 'attempts-exhausted' };
  return { retry: true, delayMs: retryDelayMs(attempt, policy, random) };
}

/** Validates a retry policy; throws with a message that says what was given and what is allowed. */
export function validateRetryPolicy(policy: RetryPolicy): void {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new Error(`maxAttempts must be a whole number of at least 1 (given ${policy.maxAttempts})`);
  }
  if (!(policy.baseDelayMs >= 0)) {
    throw new Error(`retryBaseDelayMs must be 0 or more (given ${policy.baseDelayMs})`);
  }
  if (!(policy.maxDelayMs >= policy.baseDelayMs)) {
    throw new Error(
      `retryMaxDelayMs must be at least retryBaseDelayMs (${policy.baseDelayMs}) (given ${policy.maxDelayMs})`,
    );
  }
}
