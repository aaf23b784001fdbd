import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ResilientFunction } from '../../../lib/constructs/resilient-function';
import type { LocalFunction } from '../../../local-cloud/lambda/local-function';
import { startRegionRuntime, type RegionRuntime } from '../../../local-cloud/region-runtime';
import { testStack } from '../../harness/app';
import { localEndpoints, TEST_REGION, TEST_ACCOUNT } from '../../harness/local-aws';
import { isRunning, workerProcessesOf } from '../processes';
import {
  collectingLogSink,
  eventually,
  logicalIdOf,
  synthesizeAssembly,
  uniqueNamePrefix,
  type TestAssembly,
} from '../synthesized-assembly';

const FIXTURE_STACK = 'LocalCloudFixture';
const FIXTURE_TIMEOUT_SECONDS = 1;

/** What the fixture handler returns. */
interface ProbeReport {
  readonly pid: number;
  readonly context: Record<string, unknown>;
  readonly environment: Record<string, string | undefined>;
}

let testAssembly: TestAssembly;
let runtime: RegionRuntime;
let probe: LocalFunction;
/** A function with one provisioned environment on its live alias (and a reservation of 2). */
let provisioned: LocalFunction;
const logs = collectingLogSink();

async function invokeForReport(event: unknown = {}): Promise<ProbeReport> {
  const result = await probe.invoke(event);
  if (result.status !== 'succeeded')
    throw new Error(`Invocation ${result.status}: ${JSON.stringify(result.error)}`);
  return result.payload as ProbeReport;
}

beforeAll(async () => {
  testAssembly = synthesizeAssembly({
    bundle: true,
    addStacks: (app) => {
      // A small stack of our own: a 1 s timeout and a reserved concurrency of 1 keep the tests fast.
      const stack = testStack(app, FIXTURE_STACK);
      const queue = new sqs.Queue(stack, 'Queue');
      new ResilientFunction(stack, 'Probe', {
        entry: path.join(__dirname, '../../fixtures/local-cloud-handler.ts'),
        timeout: Duration.seconds(FIXTURE_TIMEOUT_SECONDS),
        reservedConcurrentExecutions: 1,
        environment: { QUEUE_URL: queue.queueUrl, QUEUE_ARN: queue.queueArn },
      });
      new ResilientFunction(stack, 'Provisioned', {
        entry: path.join(__dirname, '../../fixtures/local-cloud-handler.ts'),
        timeout: Duration.seconds(FIXTURE_TIMEOUT_SECONDS),
        reservedConcurrentExecutions: 2,
        provisionedConcurrency: 1,
      });
    },
  });
  runtime = await startRegionRuntime({
    assemblyDir: testAssembly.directory,
    stackNames: [FIXTURE_STACK],
    region: TEST_REGION,
    dynamodbEndpoint: localEndpoints().dynamoDb,
    sqsEndpoint: localEndpoints().sqs,
    namePrefix: uniqueNamePrefix(),
    logSink: logs.sink,
  });
  const stack = runtime.stacks.get(FIXTURE_STACK)!.stack;
  probe = runtime.findFunction(logicalIdOf(stack, 'AWS::Lambda::Function', '/Probe/Function/Resource'));
  provisioned = runtime.findFunction(
    logicalIdOf(stack, 'AWS::Lambda::Function', '/Provisioned/Function/Resource'),
  );
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  testAssembly?.remove();
});

beforeEach(() => probe.setFault(undefined));

describe('LocalFunction', () => {
  test('runs the bundle with a Lambda-shaped context and the resolved environment only', async () => {
    // WHEN
    const report = await invokeForReport();

    // THEN
    const { definition } = probe;
    const [queue] = runtime.stacks.get(FIXTURE_STACK)!.queues;
    expect(definition.functionArn).toBe(
      `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${definition.functionName}`,
    );
    expect(report.context).toMatchObject({
      functionName: definition.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: definition.functionArn,
      memoryLimitInMB: '512',
      logGroupName: `/aws/lambda/${definition.functionName}`,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(report.context.remainingTimeInMillis).toBeGreaterThan(0);
    expect(report.context.remainingTimeInMillis).toBeLessThanOrEqual(FIXTURE_TIMEOUT_SECONDS * 1000);
    expect(report.environment).toMatchObject({
      QUEUE_URL: queue.queueUrl,
      QUEUE_ARN: queue.queueArn,
      POWERTOOLS_SERVICE_NAME: 'Probe',
      AWS_REGION: TEST_REGION,
      AWS_DEFAULT_REGION: TEST_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: localEndpoints().dynamoDb,
      AWS_ENDPOINT_URL_SQS: localEndpoints().sqs,
      AWS_LAMBDA_FUNCTION_NAME: definition.functionName,
      // the published version its live alias runs (workers serve every qualifier locally)
      AWS_LAMBDA_FUNCTION_VERSION: '1',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_STREAM_NAME: report.context.logStreamName,
    });
    // Nothing of the local cloud's own process leaks into the function.
    expect(report.environment.TEST_DYNAMODB_ENDPOINT).toBeUndefined();
  });

  test('through the live alias, the context names the alias ARN and the published version', async () => {
    // WHEN invoked by its qualified ARN, as API Gateway and the event sources do
    const aliasArn = `${probe.definition.functionArn}:live`;
    const result = await runtime.invoke(aliasArn, {});
    // THEN the handler sees the alias ARN and version 1 (its local number)
    expect(result.status).toBe('succeeded');
    const report = (result.status === 'succeeded' ? result.payload : undefined) as ProbeReport;
    expect(report.context).toMatchObject({ invokedFunctionArn: aliasArn, functionVersion: '1' });
    // ...and by name and alias too
    const byName = await runtime.invoke(`${probe.definition.functionName}:live`, {});
    expect(byName.status).toBe('succeeded');
  });

  test('takes the references Lambda takes: $LATEST, a partial ARN, and locally a logical id with its alias', async () => {
    const { functionArn, logicalId } = probe.definition;
    const contextOf = async (reference: string) => {
      const result = await runtime.invoke(reference, {});
      if (result.status !== 'succeeded') throw new Error(`Invocation ${result.status}`);
      return (result.payload as ProbeReport).context;
    };
    expect(await contextOf(`${functionArn}:$LATEST`)).toMatchObject({
      invokedFunctionArn: `${functionArn}:$LATEST`,
      functionVersion: '$LATEST',
    });
    const partial = functionArn.split(':').slice(4).join(':'); // <account>:function:<name>
    expect(await contextOf(`${partial}:live`)).toMatchObject({
      invokedFunctionArn: `${functionArn}:live`,
      functionVersion: '1',
    });
    expect(await contextOf(`${FIXTURE_STACK}/${logicalId}:live`)).toMatchObject({ functionVersion: '1' });
  });

  test('an alias the function does not have is refused, as Lambda answers ResourceNotFoundException', async () => {
    await expect(runtime.invoke(`${probe.definition.functionArn}:canary`, {})).rejects.toThrow(
      `Function not found: ${probe.definition.functionArn}:canary (no such alias or version)`,
    );
  });

  test('provisioned concurrency is initialised before the runtime is ready; traffic beyond it spills over cold', async () => {
    // GIVEN the runtime has started: one provisioned worker, before any invocation
    expect(provisioned.provisionedConcurrency).toBe(1);
    expect(provisioned.workerPids).toHaveLength(1);
    expect(provisioned.invocationCount).toBe(0);

    // WHEN two invocations run at once through the alias
    const aliasArn = `${provisioned.definition.functionArn}:live`;
    const results = await Promise.all([
      runtime.invoke(aliasArn, { sleepMs: 300 }),
      runtime.invoke(aliasArn, { sleepMs: 300 }),
    ]);

    // THEN one ran on the provisioned environment, warm, and the other on a new on-demand one, cold
    const outcomes = results.map((result) => {
      if (result.status !== 'succeeded') throw new Error(`Invocation ${result.status}`);
      const { environment } = result.payload as ProbeReport;
      return { type: environment.AWS_LAMBDA_INITIALIZATION_TYPE, cold: result.initDurationMs !== undefined };
    });
    expect(outcomes.sort((a, b) => String(a.type).localeCompare(String(b.type)))).toEqual([
      { type: 'on-demand', cold: true },
      { type: 'provisioned-concurrency', cold: false },
    ]);
  });

  test('reuses a warm worker', async () => {
    const first = await invokeForReport();
    const second = await invokeForReport();
    expect(second.pid).toBe(first.pid);
  });

  test("a new worker's first invocation is a cold start: Init Duration in the result and a REPORT line", async () => {
    // GIVEN no warm worker (a crash discards the one there is)
    await probe.invoke({ exitCode: 1 });

    // WHEN
    const cold = await probe.invoke({});
    const warm = await probe.invoke({});

    // THEN the first carries the init phase's duration, the second does not
    expect(cold.status).toBe('succeeded');
    const initDurationMs = cold.status === 'succeeded' ? cold.initDurationMs : undefined;
    expect(initDurationMs).toBeGreaterThan(0);
    expect(initDurationMs).toBeLessThan(10_000);
    expect(warm).not.toHaveProperty('initDurationMs');
    // and Lambda's REPORT line names it, once, for that request
    const reports = logs.lines.filter((line) =>
      line.line.startsWith(`REPORT RequestId: ${cold.requestId}\t`),
    );
    expect(reports.map(({ line }) => line)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^REPORT RequestId: ${cold.requestId}\\tDuration: \\d+\\.\\d{2} ms\\tMemory Size: 512 MB\\tInit Duration: ${initDurationMs?.toFixed(2)} ms$`,
        ),
      ),
    ]);
    expect(logs.lines.filter((line) => line.line.startsWith(`REPORT RequestId: ${warm.requestId}`))).toEqual(
      [],
    );
  });

  test('a handler that throws fails the invocation with Lambda’s error shape', async () => {
    // WHEN
    const result = await probe.invoke({ throwMessage: 'boom' });
    // THEN
    expect(result).toMatchObject({
      status: 'failed',
      cause: 'handler',
      error: { errorType: 'FixtureError', errorMessage: 'boom' },
    });
  });

  test('a handler that overruns its timeout is failed and its worker replaced', async () => {
    // GIVEN
    const { pid: warmPid } = await invokeForReport();

    // WHEN
    const result = await probe.invoke({ sleepMs: 3_000 });

    // THEN
    expect(result).toMatchObject({
      status: 'failed',
      cause: 'timeout',
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/),
      },
    });
    expect(result.durationMs).toBeLessThan(2_500);
    expect(isRunning(warmPid)).toBe(false);
    const next = await invokeForReport();
    expect(next.pid).not.toBe(warmPid);
  });

  test('a crashed worker fails its invocation and is replaced', async () => {
    const { pid: warmPid } = await invokeForReport();
    const result = await probe.invoke({ exitCode: 3 });
    expect(result).toMatchObject({
      status: 'failed',
      cause: 'runtime',
      error: { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error: exit status 3' },
    });
    expect(isRunning(warmPid)).toBe(false);
    const next = await invokeForReport();
    expect(next.pid).not.toBe(warmPid);
    expect(isRunning(next.pid)).toBe(true);
  });

  test('an unhandled rejection crashes the worker and fails the invocation', async () => {
    const { pid: warmPid } = await invokeForReport();
    const result = await probe.invoke({ unhandledRejection: 'lost' });
    expect(result).toMatchObject({
      status: 'failed',
      cause: 'runtime',
      error: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'lost' },
    });
    expect(isRunning(warmPid)).toBe(false);
    const next = await invokeForReport();
    expect(next.pid).not.toBe(warmPid);
    expect(isRunning(next.pid)).toBe(true);
  });

  test('an invocation beyond the reserved concurrency is throttled, not queued', async () => {
    // WHEN two invocations run at once on a function with a reserved concurrency of 1
    const results = await Promise.all([probe.invoke({ sleepMs: 300 }), probe.invoke({ sleepMs: 300 })]);

    // THEN
    expect(results.map((result) => result.status).sort()).toEqual(['succeeded', 'throttled']);
    expect(results.find((result) => result.status === 'throttled')).toMatchObject({
      error: { errorType: 'TooManyRequestsException' },
    });
  });

  test('injected faults fail invocations or slow them down', async () => {
    probe.setFault({ errorRate: 1 });
    await expect(probe.invoke({})).resolves.toMatchObject({ status: 'failed', cause: 'injected' });

    probe.setFault({ latencyMs: 300 });
    const slowed = await probe.invoke({});
    expect(slowed.status).toBe('succeeded');
    expect(slowed.durationMs).toBeGreaterThanOrEqual(300);
  });

  test('fails if a fault is out of range', () => {
    expect(() => probe.setFault({ errorRate: 1.5 })).toThrow(
      'The error rate must be between 0 and 1 inclusive (given 1.5)',
    );
  });

  test('what the function writes reaches the log sink, line by line', async () => {
    // WHEN
    await invokeForReport({ logMessage: 'hello from the probe' });
    // THEN
    const line = await eventually(
      () => Promise.resolve(logs.lines.find((logged) => logged.line === 'hello from the probe')),
      2_000,
      'the log line',
    );
    expect(line).toEqual({
      functionName: probe.definition.functionName,
      stream: 'stdout',
      line: 'hello from the probe',
    });
  });
});

describe('RegionRuntime.stop', () => {
  test('leaves no child processes', async () => {
    // GIVEN a warm worker
    const { pid } = await invokeForReport();
    expect(isRunning(pid)).toBe(true);
    // (the probe has a reserved concurrency of 1: that one worker; the provisioned function has its
    // own workers)
    expect(
      workerProcessesOf(testAssembly.directory)
        .map((line) => Number(line.trim().split(/\s+/)[0]))
        .sort(),
    ).toEqual([pid, ...provisioned.workerPids].sort());

    // WHEN
    await runtime.stop();

    // THEN
    expect(isRunning(pid)).toBe(false);
    // No worker of this assembly anywhere, not even re-parented after its parent went away.
    expect(workerProcessesOf(testAssembly.directory)).toEqual([]);
    await expect(probe.invoke({})).rejects.toThrow(/is stopped/);
  });
});
