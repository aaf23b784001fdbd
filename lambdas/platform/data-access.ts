/**
 * What the data-access modules (one per table or queue) share: the error they throw when an AWS
 * dependency fails (throttling, timeouts, network errors, a missing table, denied permissions), so
 * handlers can answer 503 without knowing SDK error types, and the options of a single call.
 */

/** Options of a single data-access call. */
export interface DataAccessCallOptions {
  /** Aborts the call, e.g. when a health check runs out of time. */
  readonly abortSignal?: AbortSignal;
}

/** An AWS dependency (a table or a queue) could not serve a call; retrying later may succeed. */
export class DependencyUnavailableError extends Error {
  /** Name of the dependency, for logs (e.g. "orders table"). */
  public readonly dependency: string;

  constructor(dependency: string, cause: unknown) {
    super(`${dependency} is unavailable: ${describeCause(cause)}`, { cause });
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}
