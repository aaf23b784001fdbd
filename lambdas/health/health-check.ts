/**
 * The logic of `GET /health`: runs dependency checks in parallel, each under its own deadline,
 * reports every check's status and latency, and rates the whole as `ok`, `degraded` or `unhealthy`
 * by the rules of {@link assessHealth}.
 */
import { DependencyUnavailableError } from '../platform/data-access';

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

/** A check and what its failure means for the region. */
export interface HealthCheckDefinition {
  readonly check: HealthCheck;
  /**
   * Whether the region cannot take orders while this check fails (then it is `unhealthy`);
   * otherwise a failure only degrades it.
   */
  readonly critical: boolean;
  /** What clients notice while this non-critical check fails, for the report. */
  readonly impactWhenUnavailable?: string;
}

/** Overall health: see {@link assessHealth}. */
export type HealthStatus = 'ok' | 'degraded' | 'unhealthy';

/** Something that degrades the region without stopping it from taking orders. */
export interface HealthImpairment {
  readonly check: string;
  /** `unavailable`: a non-critical check failed; `slow`: a check passed slower than the bound. */
  readonly reason: 'unavailable' | 'slow';
  readonly message: string;
}

/** The health report; its shape is read by health checkers, so it is not the API's error shape. */
export interface HealthReport {
  readonly status: HealthStatus;
  readonly checks: Readonly<Record<string, HealthCheckResult>>;
  /** What is degraded; present only when the status is `degraded`. */
  readonly degraded?: readonly HealthImpairment[];
}

/** Deadlines and bounds of a health run. */
export interface HealthPolicy {
  /** Deadline of each check, in milliseconds; a check that misses it failed. */
  readonly timeoutMs: number;
  /** A check that passed but took longer than this, in milliseconds, degrades the region. */
  readonly degradedLatencyMs: number;
}

/** Runs all checks in parallel and rates the outcome with {@link assessHealth}. Never throws. */
export async function runHealthChecks(
  definitions: Readonly<Record<string, HealthCheckDefinition>>,
  policy: HealthPolicy,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(definitions).map(
      async ([name, definition]) => [name, await runCheck(definition.check, policy.timeoutMs)] as const,
    ),
  );
  return assessHealth(definitions, Object.fromEntries(entries), policy.degradedLatencyMs);
}

/**
 * The rules, in order:
 * 1. `unhealthy` when any critical check failed (an error, or no answer within the deadline): the
 *    region cannot take orders.
 * 2. `degraded` when no critical check failed but a non-critical check failed, or any passing check
 *    took longer than `degradedLatencyMs`; `degraded` lists each such impairment.
 * 3. `ok` otherwise.
 */
export function assessHealth(
  definitions: Readonly<Record<string, HealthCheckDefinition>>,
  results: Readonly<Record<string, HealthCheckResult>>,
  degradedLatencyMs: number,
): HealthReport {
  const failed = (name: string) => results[name]?.status !== 'ok';
  if (Object.entries(definitions).some(([name, definition]) => definition.critical && failed(name))) {
    return { status: 'unhealthy', checks: results };
  }
  const impairments: HealthImpairment[] = [];
  for (const [name, definition] of Object.entries(definitions)) {
    const result = results[name];
    if (failed(name)) {
      impairments.push({
        check: name,
        reason: 'unavailable',
        message: definition.impactWhenUnavailable ?? `${name} is unavailable`,
      });
    } else if (result.latencyMs > degradedLatencyMs) {
      impairments.push({
        check: name,
        reason: 'slow',
        message: `${name} answered in ${result.latencyMs} ms, above ${degradedLatencyMs} ms`,
      });
    }
  }
  if (impairments.length > 0) return { status: 'degraded', checks: results, degraded: impairments };
  return { status: 'ok', checks: results };
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
