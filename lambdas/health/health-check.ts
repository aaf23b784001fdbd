/**
 * The logic of `GET /health`: runs dependency checks in parallel, each under its own deadline, and
 * reports every check's status and latency.
 */
import { DependencyUnavailableError } from '../shared/data-access';

/** How far {@link describeFailure} follows an error's causes. */
const MAX_CAUSE_DEPTH = 5;

/** A dependency check; it may return extra facts to report (e.g. a queue depth). */
export type HealthCheck = (
  abortSignal: AbortSignal,
) => Promise<Readonly<Record<string, number | string>> | void>;

/** Outcome of one check. */
export interface HealthCheckResult {
  readonly status: 'ok' | 'error';
  readonly latencyMs: number;
  /** Short reason of a failure (an error code or name, never a message or stack). */
  readonly error?: string;
  readonly [fact: string]: number | string | undefined;
}

/** The health report; its shape is read by health checkers, so it is not the API's error shape. */
export interface HealthReport {
  readonly status: 'ok' | 'unhealthy';
  readonly checks: Readonly<Record<string, HealthCheckResult>>;
}

/** Runs all checks in parallel; the report is healthy only when every check is. Never throws. */
export async function runHealthChecks(
  checks: Readonly<Record<string, HealthCheck>>,
  timeoutMs: number,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check, timeoutMs)] as const),
  );
  const results = Object.fromEntries(entries);
  const healthy = entries.every(([, result]) => result.status === 'ok');
  return { status: healthy ? 'ok' : 'unhealthy', checks: results };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<HealthCheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // The abort cancels the SDK call; the race bounds the check even while the SDK sleeps between retries.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const timeout = new Error(`Check did not finish within ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
  });
  try {
    const facts = await Promise.race([check(controller.signal), deadline]);
    return { status: 'ok', latencyMs: elapsedMs(started), ...facts };
  } catch (error) {
    return { status: 'error', latencyMs: elapsedMs(started), error: describeFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * The most specific short reason in an error's cause chain: a Node.js error code (ECONNREFUSED) or
 * an error name (ResourceNotFoundException, TimeoutError). The SDK wraps network errors in a plain
 * `Error`, so the chain is followed past generic names.
 */
function describeFailure(error: unknown): string {
  let current: unknown = error instanceof DependencyUnavailableError ? error.cause : error;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSE_DEPTH; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (current.name !== 'Error') return current.name;
    current = current.cause;
  }
  return 'Error';
}
