/**
 * One worker process of a local function: the local stand-in for a Lambda execution environment.
 * It is forked with the function's environment only (nothing of the local cloud's own), loads the
 * bundle once and then runs one invocation at a time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOCAL_CLOUD_CACHE_DIRECTORY } from '../cache-directory';
import type { FunctionError, InvokeMessage, WorkerMessage } from './runner-protocol';

/** Lambda's limit on the init phase (loading the bundle and its top-level code). */
const INIT_TIMEOUT_MS = 10_000;

/** A line a function wrote to stdout or stderr. */
export interface FunctionLogLine {
  readonly functionName: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** Where the lines that functions write go. */
export type FunctionLogSink = (line: FunctionLogLine) => void;

/** Properties of starting a {@link FunctionWorker}. */
export interface FunctionWorkerProps {
  readonly functionName: string;
  /** Absolute path of the handler module without extension, e.g. `<asset folder>/index`. */
  readonly handlerModulePath: string;
  /** Name of the exported handler, e.g. `handler`. */
  readonly handlerExport: string;
  /** The log stream of the worker, as in `AWS_LAMBDA_LOG_STREAM_NAME` and the context. */
  readonly logStreamName: string;
  /** The complete environment of the process. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logSink: FunctionLogSink;
}

/** How a worker ended an invocation. */
export type WorkerOutcome =
  | { readonly kind: 'result'; readonly payload: unknown }
  | { readonly kind: 'error'; readonly error: FunctionError }
  /** The process died during the invocation (a crash, `process.exit`, or a kill). */
  | { readonly kind: 'exited'; readonly error: FunctionError };

let builtRunner: string | undefined;

/**
 * The runner is TypeScript next to this file. Compiled to JavaScript (tsc) it runs as it is; run from
 * TypeScript, it is built into plain JavaScript (esbuild, a few milliseconds, once per version of
 * its sources), so that no worker loads a TypeScript loader before the function's bundle: a cold
 * start costs what Node.js and the bundle cost, nothing of ours.
 */
function runnerModule(): string {
  const source = path.join(__dirname, `function-runner${path.extname(__filename)}`);
  if (path.extname(__filename) !== '.ts') return source;
  if (builtRunner !== undefined && existsSync(builtRunner)) return builtRunner;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a devDependency, only when running from TypeScript
  const { buildSync } = require('esbuild') as typeof import('esbuild');
  const built = buildSync({
    entryPoints: [source],
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    logLevel: 'warning',
  }).outputFiles[0].text;
  // Named by its content: written once, shared by every process; renamed into place, never half-written.
  const file = path.join(
    LOCAL_CLOUD_CACHE_DIRECTORY,
    `function-runner-${createHash('sha256').update(built).digest('hex').slice(0, 16)}.js`,
  );
  if (!existsSync(file)) {
    mkdirSync(LOCAL_CLOUD_CACHE_DIRECTORY, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, built);
    renameSync(temporary, file);
  }
  builtRunner = file;
  return file;
}

/**
 * Every live worker of this process. Workers exit by themselves when their parent goes away (the
 * IPC channel closes), but one stuck in a synchronous loop never notices: the one exit hook below
 * kills them all when this process exits, whatever the reason.
 */
const liveWorkers = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackWorker(child: ChildProcess): void {
  liveWorkers.add(child);
  child.once('exit', () => liveWorkers.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const worker of liveWorkers) worker.kill('SIGKILL');
    });
  }
}

/** A forked worker process of a local function. */
export class FunctionWorker {
  /** Resolves once the bundle is loaded; rejects with the init error otherwise. */
  public readonly ready: Promise<void>;

  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private pending:
    { readonly invocationId: string; readonly resolve: (outcome: WorkerOutcome) => void } | undefined;
  /** Why the process ended or is about to: an init error or a crash it reported. */
  private exitError: FunctionError | undefined;
  /** The init phase's duration, until the first invocation takes it (see {@link takeInitDuration}). */
  private untakenInitDurationMs: number | undefined;

  constructor(private readonly props: FunctionWorkerProps) {
    this.child = fork(runnerModule(), [props.handlerModulePath, props.handlerExport], {
      env: { ...props.environment },
      execArgv: [],
      cwd: path.dirname(props.handlerModulePath),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    trackWorker(this.child);
    // Sending to a process that just died fails with an 'error' event; the 'exit' handler below
    // already reports that to the pending invocation.
    this.child.on('error', () => undefined);
    this.forwardLines('stdout');
    this.forwardLines('stderr');
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));

    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.toError({ errorType: 'Runtime.InitTimeout', errorMessage: 'INIT phase timed out' }));
        void this.kill();
      }, INIT_TIMEOUT_MS);
      const onMessage = (message: WorkerMessage): void => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          this.untakenInitDurationMs = message.initDurationMs;
          resolve();
        } else if (message.type === 'init-error' || message.type === 'crash') {
          clearTimeout(timer);
          this.exitError = message.error;
          reject(this.toError(message.error));
        }
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(this.toError(this.exitError ?? exitErrorOf(code, signal)));
      });
    });
    // A failed init is reported through `ready` to whoever awaits it; never as an unhandled rejection.
    this.ready.catch(() => undefined);

    this.child.on('message', (message: WorkerMessage) => this.settle(message));
    this.child.once('exit', (code, signal) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ kind: 'exited', error: this.exitError ?? exitErrorOf(code, signal) });
    });
  }

  /** The log stream of the worker's invocations. */
  public get logStreamName(): string {
    return this.props.logStreamName;
  }

  /** The operating system's id of the worker process. */
  public get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the process is still running and has not reported a crash. */
  public get alive(): boolean {
    return this.exitError === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * The init phase's duration the first time it is asked for, `undefined` after: the first
   * invocation of a worker is its cold start, as Lambda reports `Init Duration` once per sandbox.
   */
  public takeInitDuration(): number | undefined {
    const initDurationMs = this.untakenInitDurationMs;
    this.untakenInitDurationMs = undefined;
    return initDurationMs;
  }

  /** Sends one invocation; resolves with its outcome (never rejects). */
  public invoke(message: InvokeMessage): Promise<WorkerOutcome> {
    if (this.pending !== undefined) {
      throw new Error(`Worker ${this.pid} of ${this.props.functionName} is already busy`);
    }
    return new Promise((resolve) => {
      this.pending = { invocationId: message.invocationId, resolve };
      this.child.send(message);
    });
  }

  /** Kills the process at once (SIGKILL: a timed-out sandbox gets no grace) and waits for its end. */
  public async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  private settle(message: WorkerMessage): void {
    if (message.type === 'crash') {
      // The process exits right after this message; the running invocation fails with the crash.
      this.exitError = message.error;
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ kind: 'exited', error: message.error });
      return;
    }
    if (message.type !== 'result' && message.type !== 'error') return;
    const pending = this.pending;
    if (pending === undefined || pending.invocationId !== message.invocationId) return;
    this.pending = undefined;
    pending.resolve(
      message.type === 'result'
        ? { kind: 'result', payload: JSON.parse(message.payloadJson) }
        : { kind: 'error', error: message.error },
    );
  }

  private forwardLines(stream: 'stdout' | 'stderr'): void {
    let buffered = '';
    this.child[stream]?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.props.logSink({ functionName: this.props.functionName, stream, line });
    });
    this.child[stream]?.on('end', () => {
      if (buffered !== '')
        this.props.logSink({ functionName: this.props.functionName, stream, line: buffered });
    });
  }

  private toError(error: FunctionError): FunctionInitError {
    return new FunctionInitError(this.props.functionName, error);
  }
}

/** The init phase of a function failed: the bundle did not load, or its top-level code threw. */
export class FunctionInitError extends Error {
  constructor(
    functionName: string,
    public readonly functionError: FunctionError,
  ) {
    super(`Init of ${functionName} failed: ${functionError.errorType}: ${functionError.errorMessage}`);
    this.name = 'FunctionInitError';
  }
}

function exitErrorOf(code: number | null, signal: NodeJS.Signals | null): FunctionError {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `Runtime exited ${signal === null ? `with error: exit status ${code}` : `on signal ${signal}`}`,
  };
}
