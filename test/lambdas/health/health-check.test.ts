import { DependencyUnavailableError } from '../../../lambdas/platform/data-access';
import {
  assessHealth,
  runHealthChecks,
  type HealthCheck,
  type HealthCheckDefinition,
  type HealthCheckResult,
} from '../../../lambdas/health/health-check';

const POLICY = { timeoutMs: 1_000, degradedLatencyMs: 500 };

function critical(check: HealthCheck): HealthCheckDefinition {
  return { check, critical: true };
}

function passed(latencyMs: number): HealthCheckResult {
  return { status: 'ok', latencyMs };
}

function failed(latencyMs = 1): HealthCheckResult {
  return { status: 'error', latencyMs, error: 'ECONNREFUSED' };
}

describe('runHealthChecks', () => {
  test("reports ok with each check's facts when every check passes", async () => {
    // GIVEN two passing checks, one with a fact to report
    const checks = {
      a: critical(() => Promise.resolve()),
      b: critical(() => Promise.resolve({ depth: 3 })),
    };

    // WHEN they run
    const report = await runHealthChecks(checks, POLICY);

    // THEN the report is ok
    expect(report).toEqual({
      status: 'ok',
      checks: {
        a: { status: 'ok', latencyMs: expect.any(Number) },
        b: { status: 'ok', latencyMs: expect.any(Number), depth: 3 },
      },
    });
  });

  test('reports the most specific reason in the cause chain of a failure', async () => {
    // GIVEN a check failing with a generic error whose cause carries a Node.js error code
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const failing = critical(() => Promise.reject(new Error('wrapper', { cause })));

    // WHEN it runs
    const report = await runHealthChecks({ failing }, POLICY);

    // THEN the code is reported, not the generic name
    expect(report.checks.failing).toMatchObject({ status: 'error', error: 'ECONNREFUSED' });
  });

  test('fails a check that exceeds the deadline, aborts it, and runs checks in parallel', async () => {
    // GIVEN a check that hangs until aborted and one that fails at once
    let abortReason: unknown;
    const hanging = critical(
      (signal: AbortSignal) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => (abortReason = signal.reason));
        }),
    );
    const failing = critical(() =>
      Promise.reject(
        new DependencyUnavailableError(
          'orders table',
          Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
        ),
      ),
    );
    const started = Date.now();

    // WHEN they run with a 200 ms deadline
    const report = await runHealthChecks({ hanging, failing }, { timeoutMs: 200, degradedLatencyMs: 100 });

    // THEN both fail with short reasons, within about one deadline
    expect(report).toEqual({
      status: 'unhealthy',
      checks: {
        hanging: { status: 'error', latencyMs: expect.any(Number), error: 'TimeoutError' },
        failing: { status: 'error', latencyMs: expect.any(Number), error: 'ECONNREFUSED' },
      },
    });
    expect(abortReason).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('assessHealth', () => {
  const check: HealthCheck = () => Promise.resolve();
  const definitions: Record<string, HealthCheckDefinition> = {
    queue: { check, critical: true },
    dynamodb: { check, critical: false, impactWhenUnavailable: 'orders are buffered' },
  };

  test('is unhealthy if a critical check failed, whatever the others did', () => {
    // GIVEN a failed critical check and a failed non-critical one
    const results = { queue: failed(), dynamodb: failed() };

    // WHEN health is assessed
    const report = assessHealth(definitions, results, 500);

    // THEN the region is unhealthy, without a degraded list
    expect(report).toEqual({ status: 'unhealthy', checks: results });
  });

  test('is degraded with the impact named if only a non-critical check failed', () => {
    // GIVEN a passing critical check and a failed non-critical one
    const results = { queue: passed(10), dynamodb: failed() };

    // WHEN health is assessed
    const report = assessHealth(definitions, results, 500);

    // THEN the region is degraded, and the report says why
    expect(report).toEqual({
      status: 'degraded',
      checks: results,
      degraded: [{ check: 'dynamodb', reason: 'unavailable', message: 'orders are buffered' }],
    });
  });

  test('is degraded if a passing check is slower than the bound', () => {
    // GIVEN every check passing, one of them slowly
    const results = { queue: passed(501), dynamodb: passed(10) };

    // WHEN health is assessed with a 500 ms bound
    const report = assessHealth(definitions, results, 500);

    // THEN the slow check is named
    expect(report.status).toBe('degraded');
    expect(report.degraded).toEqual([
      { check: 'queue', reason: 'slow', message: expect.stringMatching(/501 ms/) },
    ]);
  });

  test('is ok if every check passed within the bound', () => {
    // GIVEN every check passing at exactly the bound
    const results = { queue: passed(500), dynamodb: passed(500) };

    // WHEN health is assessed
    // THEN the region is ok
    expect(assessHealth(definitions, results, 500)).toEqual({ status: 'ok', checks: results });
  });
});
