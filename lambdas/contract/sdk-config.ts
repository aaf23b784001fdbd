/**
 * Retry and timeout budget of every AWS SDK call, in one place: the clients read it and the
 * `ResilientFunction` construct derives each function's per-attempt timeout from it, so the SDK can
 * never wait longer than the function may run. Retries happen at this layer only (the SDK's own
 * capped exponential backoff with full jitter); handlers and clients do not retry again on top, and
 * neither does the circuit breaker of the synchronous path (`circuit-breaker.ts`), which only
 * counts the outcome of each SDK call, retries included, and fails fast while it is open.
 */

/** Attempts per SDK call, the first included: bounded so that retries fit in one invocation. */
export const SDK_MAX_ATTEMPTS = 3;

/** Per-attempt timeout used when `SDK_REQUEST_TIMEOUT_MS` is not set. */
export const DEFAULT_SDK_REQUEST_TIMEOUT_MS = 2_000;

/**
 * The per-attempt timeout for a function with the given timeout: all attempts plus their backoff
 * must end before the function times out, so the budget is split into one share per attempt and
 * one share left for backoff and the handler's own work.
 */
export function sdkRequestTimeoutMs(functionTimeoutMs: number): number {
  return Math.max(100, Math.floor(functionTimeoutMs / (SDK_MAX_ATTEMPTS + 1)));
}
