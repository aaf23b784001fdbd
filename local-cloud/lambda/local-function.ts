/**
 * A function of the template running locally, with Lambda's semantics: warm workers reused across
 * invocations, a concurrency limit that throttles rather than queues, a timeout that fails the
 * invocation and discards its worker, and errors in Lambda's shape. Fault injection hooks for the
 * chaos experiments sit on top.
 */
import { randomUUID } from 'node:crypto';
import type { LocalFunctionDefinition } from './function-definitions';
import { provisionedConcurrencyOf } from './qualifiers';
import { FunctionInitError, FunctionWorker, type FunctionLogSink } from './function-worker';
import type { FunctionError, InjectedFault } from './runner-protocol';

/** How a worker was started, as Lambda's `AWS_LAMBDA_INITIALIZATION_TYPE` says. */
type InitializationType = 'on-demand' | 'provisioned-concurrency';

/** The local default of concurrent invocations per function without reserved concurrency. */
export const DEFAULT_CONCURRENCY_LIMIT = 10;

/** How an invocation ended. */
export type InvocationResult =
  | {
      readonly status: 'succeeded';
      readonly requestId: string;
      /** The handler's result, after a JSON round trip as in Lambda. */
      readonly payload: unknown;
      readonly durationMs: number;
      /** On a cold start (the first invocation of a new worker): what its init phase took. */
      readonly initDurationMs?: number;
    }
  | {
      readonly status: 'failed';
      readonly requestId: string;
      readonly error: FunctionError;
      /**
       * `handler`: the handler threw or rejected; `timeout`: it overran the function's timeout;
       * `runtime`: the init phase failed or the process crashed; `injected`: a fault set with
       * {@link LocalFunction.setFault}.
       */
      readonly cause: 'handler' | 'timeout' | 'runtime' | 'injected';
      readonly durationMs: number;
      /** On a cold start (the first invocation of a new worker): what its init phase took. */
      readonly initDurationMs?: number;
    }
  | {
      /** Over the concurrency limit; Lambda answers `TooManyRequestsException` and runs nothing. */
      readonly status: 'throttled';
      readonly requestId: string;
      readonly error: FunctionError;
      readonly durationMs: 0;
    };

/** A cold start's init duration: defined for the first invocation of a new worker only. */
export function initDurationOf(result: InvocationResult): number | undefined {
  return result.status === 'throttled' ? undefined : result.initDurationMs;
}

/** Faults injected into a function's invocations. */
export interface FunctionFault {
  /**
   * Share of invocations, from 0 to 1, that fail with an injected error.
   * @default 0
   */
  readonly errorRate?: number;
  /**
   * Extra latency of every invocation, which counts towards the function's timeout.
   * @default 0
   */
  readonly latencyMs?: number;
}

/** Properties of a {@link LocalFunction}. */
export interface LocalFunctionProps {
  readonly definition: LocalFunctionDefinition;
  /**
   * Concurrency limit when the template reserves none (the account's unreserved pool in AWS).
   * @default DEFAULT_CONCURRENCY_LIMIT
   */
  readonly defaultConcurrencyLimit?: number;
  /**
   * Where the functions' output lines go.
   * @default - to this process's stdout, prefixed with the function name
   */
  readonly logSink?: FunctionLogSink;
  /**
   * Source of randomness for the injected error rate (returns a number in [0, 1)).
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Called once per invocation when it ends (at once for a throttled one), with the number of
   * invocations that ran concurrently when it started, itself included; for metrics.
   * @default - nothing
   */
  readonly onInvocation?: (result: InvocationResult, concurrentExecutions: number) => void;
}

/** A function running locally in warm worker processes. */
export class LocalFunction {
  public readonly definition: LocalFunctionDefinition;
  /**
   * The most concurrent invocations: the reserved concurrency, else the local default (or the
   * provisioned concurrency, when that is more).
   */
  public readonly concurrencyLimit: number;
  /** Environments kept initialised by the aliases' provisioned concurrency (see {@link provision}). */
  public readonly provisionedConcurrency: number;

  private readonly idleWorkers: FunctionWorker[] = [];
  private readonly workers = new Set<FunctionWorker>();
  private readonly logSink: FunctionLogSink;
  private readonly random: () => number;
  private readonly onInvocation?: LocalFunctionProps['onInvocation'];
  private inFlightCount = 0;
  private invocations = 0;
  private fault: Required<FunctionFault> = { errorRate: 0, latencyMs: 0 };
  private stopped = false;

  constructor(props: LocalFunctionProps) {
    this.definition = props.definition;
    const provisioned = provisionedConcurrencyOf(props.definition.aliases);
    this.concurrencyLimit =
      props.definition.reservedConcurrentExecutions ??
      Math.max(props.defaultConcurrencyLimit ?? DEFAULT_CONCURRENCY_LIMIT, provisioned);
    // Lambda refuses provisioned concurrency above the reserved concurrency; a template cannot have it.
    this.provisionedConcurrency = Math.min(provisioned, this.concurrencyLimit);
    this.logSink = props.logSink ?? defaultLogSink;
    this.random = props.random ?? Math.random;
    this.onInvocation = props.onInvocation;
  }

  /** Invocations running now. */
  public get inFlight(): number {
    return this.inFlightCount;
  }

  /** Invocations so far, throttled ones included (Lambda counts those as invocation attempts). */
  public get invocationCount(): number {
    return this.invocations;
  }

  /** Process ids of the live workers, busy or idle. */
  public get workerPids(): number[] {
    return [...this.workers].flatMap((worker) => (worker.pid === undefined ? [] : [worker.pid]));
  }

  /**
   * Invokes the function once (synchronously, like `Invoke` with `RequestResponse`). Never
   * rejects for what the function does: throttles, errors and timeouts are results.
   *
   * @param qualifier the alias or version invoked (`live`), as the last part of a qualified ARN
   *   names it; the handler's context then carries that ARN as `invokedFunctionArn`
   * @throws Error when the function was stopped, or has no such alias or version
   */
  public async invoke(event: unknown, qualifier?: string): Promise<InvocationResult> {
    if (this.stopped) throw new Error(`${this.definition.functionName} is stopped`);
    const invoked = this.invokedVersionOf(qualifier);
    this.invocations += 1;
    const requestId = randomUUID();
    if (this.inFlightCount >= this.concurrencyLimit) {
      return this.report(this.inFlightCount, {
        status: 'throttled',
        requestId,
        durationMs: 0,
        error: {
          errorType: 'TooManyRequestsException',
          errorMessage: `Rate Exceeded. ${this.definition.functionName} is at its concurrency limit of ${this.concurrencyLimit} (${
            this.definition.reservedConcurrentExecutions === undefined
              ? 'ConcurrentInvocationLimitExceeded'
              : 'ReservedFunctionConcurrentInvocationLimitExceeded'
          })`,
        },
      });
    }
    this.inFlightCount += 1;
    const concurrentExecutions = this.inFlightCount;
    try {
      const result = await this.invokeOnWorker(requestId, event, invoked);
      const initDurationMs = initDurationOf(result);
      if (initDurationMs !== undefined) this.logColdStart(result, initDurationMs);
      return this.report(concurrentExecutions, result);
    } finally {
      this.inFlightCount -= 1;
    }
  }

  private report(concurrentExecutions: number, result: InvocationResult): InvocationResult {
    try {
      this.onInvocation?.(result, concurrentExecutions);
    } catch (error) {
      // Metrics must not change an invocation's result.
      process.stderr.write(
        `${this.definition.functionName}: the invocation callback failed: ${String(error)}\n`,
      );
    }
    return result;
  }

  /**
   * Lambda's `REPORT` line of a cold start, with its `Init Duration`. Lambda writes one after every
   * invocation; the local cloud only after a cold start, where it says something the other
   * logs do not.
   */
  private logColdStart(result: InvocationResult, initDurationMs: number): void {
    this.logSink({
      functionName: this.definition.functionName,
      stream: 'stdout',
      line:
        `REPORT RequestId: ${result.requestId}\tDuration: ${result.durationMs.toFixed(2)} ms\t` +
        `Memory Size: ${this.definition.memorySizeMb} MB\tInit Duration: ${initDurationMs.toFixed(2)} ms`,
    });
  }

  /** Injects faults into the following invocations; `undefined` clears them. */
  public setFault(fault: FunctionFault | undefined): void {
    const errorRate = fault?.errorRate ?? 0;
    const latencyMs = fault?.latencyMs ?? 0;
    if (!(errorRate >= 0 && errorRate <= 1)) {
      throw new Error(`The error rate must be between 0 and 1 inclusive (given ${errorRate})`);
    }
    if (!(latencyMs >= 0)) throw new Error(`The latency must be 0 ms or more (given ${latencyMs})`);
    this.fault = { errorRate, latencyMs };
  }

  /** The faults in effect. */
  public get currentFault(): Required<FunctionFault> {
    return this.fault;
  }

  /** Kills every worker (running invocations fail) and refuses further invocations. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.idleWorkers.length = 0;
    await Promise.all([...this.workers].map((worker) => worker.kill()));
    this.workers.clear();
  }

  /**
   * The ARN an invocation names (qualified by an alias or version of this function, or not) and the
   * version it runs: an alias runs the published version, an unqualified invocation `$LATEST`.
   */
  private invokedVersionOf(qualifier: string | undefined): { arn: string; version: string } {
    const { functionArn, aliases, version } = this.definition;
    if (qualifier === undefined) return { arn: functionArn, version: '$LATEST' };
    if (qualifier === '$LATEST') return { arn: `${functionArn}:${qualifier}`, version: '$LATEST' };
    if (qualifier === version || aliases.some((alias) => alias.name === qualifier)) {
      return { arn: `${functionArn}:${qualifier}`, version };
    }
    throw new Error(`Function not found: ${functionArn}:${qualifier} (no such alias or version)`);
  }

  private async invokeOnWorker(
    requestId: string,
    event: unknown,
    invoked: { arn: string; version: string },
  ): Promise<InvocationResult> {
    // Lambda's Duration is the handler's time; a cold start's init is reported apart (Init Duration).
    let started = performance.now();
    const elapsed = (): number => performance.now() - started;
    let worker: FunctionWorker;
    try {
      worker = await this.acquireWorker();
    } catch (error) {
      const functionError =
        error instanceof FunctionInitError
          ? error.functionError
          : { errorType: 'Runtime.Unknown', errorMessage: String(error) };
      return { status: 'failed', requestId, error: functionError, cause: 'runtime', durationMs: elapsed() };
    }

    started = performance.now();
    const initDurationMs = worker.takeInitDuration();
    const cold = initDurationMs === undefined ? {} : { initDurationMs };
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    const injected: InjectedFault = {
      latencyMs: this.fault.latencyMs,
      fail: this.fault.errorRate > 0 && this.random() < this.fault.errorRate,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([
      worker.invoke({
        type: 'invoke',
        invocationId: requestId,
        event,
        fault: injected,
        context: {
          functionName: this.definition.functionName,
          functionVersion: invoked.version,
          invokedFunctionArn: invoked.arn,
          memoryLimitInMB: String(this.definition.memorySizeMb),
          awsRequestId: requestId,
          logGroupName: `/aws/lambda/${this.definition.functionName}`,
          logStreamName: worker.logStreamName,
          deadlineMs: Date.now() + timeoutMs,
        },
      }),
      timedOut,
    ]);
    clearTimeout(timer);

    if (outcome === 'timeout') {
      // Lambda discards the sandbox of a timed-out invocation; the next one starts cold.
      await this.discard(worker);
      return {
        status: 'failed',
        requestId,
        cause: 'timeout',
        durationMs: elapsed(),
        ...cold,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.definition.timeoutSeconds.toFixed(2)} seconds`,
        },
      };
    }
    if (outcome.kind === 'result') {
      this.release(worker);
      return { status: 'succeeded', requestId, payload: outcome.payload, durationMs: elapsed(), ...cold };
    }
    if (outcome.kind === 'exited' || !worker.alive) {
      await this.discard(worker);
      return {
        status: 'failed',
        requestId,
        error: outcome.error,
        cause: 'runtime',
        durationMs: elapsed(),
        ...cold,
      };
    }
    this.release(worker);
    return {
      status: 'failed',
      requestId,
      error: outcome.error,
      cause: injected.fail ? 'injected' : 'handler',
      durationMs: elapsed(),
      ...cold,
    };
  }

  /**
   * Starts the environments of the aliases' provisioned concurrency, as Lambda does when it is
   * configured: initialised ahead of traffic (`AWS_LAMBDA_INITIALIZATION_TYPE` is
   * `provisioned-concurrency`), so the invocations they serve are not cold starts. Invocations
   * beyond them spill over to on-demand workers. Resolves with the number of warm workers.
   */
  public async provision(parallel = 2): Promise<number> {
    return this.startWarmWorkers(this.provisionedConcurrency, parallel, 'provisioned-concurrency');
  }

  /**
   * Starts workers until `count` (at most the concurrency limit) are warm, `parallel` at a time: the
   * invocations that follow find them warm instead of starting cold. For a measurement on one
   * machine, where dozens of cold starts at once would be what it measures; unlike
   * {@link provision}, nothing in the template asks for it, so the workers are on-demand ones.
   * Resolves with the number of warm workers.
   */
  public async prewarm(count: number, parallel = 2): Promise<number> {
    return this.startWarmWorkers(count, parallel, 'on-demand');
  }

  private async startWarmWorkers(
    count: number,
    parallel: number,
    initializationType: InitializationType,
  ): Promise<number> {
    const target = Math.min(count, this.concurrencyLimit);
    while (!this.stopped && this.workers.size < target) {
      const batch = Math.min(parallel, target - this.workers.size);
      const started = await Promise.all(
        Array.from({ length: batch }, () => this.startWorker(initializationType)),
      );
      for (const worker of started) {
        // Started ahead of traffic: its first invocation is not a cold start.
        worker.takeInitDuration();
        this.release(worker);
      }
    }
    return this.workers.size;
  }

  /** A warm idle worker, or a new one once its bundle is loaded (a cold start). */
  private async acquireWorker(): Promise<FunctionWorker> {
    for (let worker = this.idleWorkers.pop(); worker !== undefined; worker = this.idleWorkers.pop()) {
      if (worker.alive) return worker;
      this.workers.delete(worker);
    }
    return this.startWorker();
  }

  /** A new worker, once its bundle is loaded (a cold start). */
  private async startWorker(initializationType: InitializationType = 'on-demand'): Promise<FunctionWorker> {
    const logStreamName = `local/[$LATEST]${randomUUID().replace(/-/g, '')}`;
    const worker = new FunctionWorker({
      functionName: this.definition.functionName,
      handlerModulePath: this.definition.handlerModulePath,
      handlerExport: this.definition.handlerExport,
      logStreamName,
      environment: {
        ...this.definition.environment,
        AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
        AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
      },
      logSink: this.logSink,
    });
    this.workers.add(worker);
    try {
      await worker.ready;
    } catch (error) {
      this.workers.delete(worker);
      await worker.kill();
      throw error;
    }
    if (this.stopped) {
      await this.discard(worker);
      throw new Error(`${this.definition.functionName} was stopped during a cold start`);
    }
    return worker;
  }

  private release(worker: FunctionWorker): void {
    if (this.stopped || !worker.alive) {
      this.workers.delete(worker);
      return;
    }
    this.idleWorkers.push(worker);
  }

  private async discard(worker: FunctionWorker): Promise<void> {
    this.workers.delete(worker);
    await worker.kill();
  }
}

function defaultLogSink(line: { readonly functionName: string; readonly line: string }): void {
  process.stdout.write(`[${line.functionName}] ${line.line}\n`);
}
