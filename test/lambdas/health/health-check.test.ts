import { DependencyUnavailableError } from '../../../lambdas/shared/data-access';
import { runHealthChecks } from '../../../lambdas/health/health-check';

describe('runHealthChecks', () => {
  test("reports ok with each check's facts when every check passes", async () => {
    // GIVEN two passing checks, one with a fact to report
    const checks = { a: () => Promise.resolve(), b: () => Promise.resolve({ depth: 3 }) };

    // WHEN they run
    const report = await runHealthChecks(checks, 1_000);

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
    const failing = () => Promise.reject(new Error('wrapper', { cause }));

    // WHEN it runs
    const report = await runHealthChecks({ failing }, 1_000);

    // THEN the code is reported, not the generic name
    expect(report.checks.failing).toMatchObject({ status: 'error', error: 'ECONNREFUSED' });
  });

  test('fails a check that exceeds the deadline, aborts it, and runs checks in parallel', async () => {
    // GIVEN a check that hangs until aborted and one that fails at once
    let abortReason: unknown;
    const hanging = (signal: AbortSignal) =>
      new Promise<void>(() => {
        signal.addEventListener('abort', () => (abortReason = signal.reason));
      });
    const failing = () =>
      Promise.reject(
        new DependencyUnavailableError(
          'orders table',
          Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
        ),
      );
    const started = Date.now();

    // WHEN they run with a 200 ms deadline
    const report = await runHealthChecks({ hanging, failing }, 200);

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
