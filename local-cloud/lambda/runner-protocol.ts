/**
 * The messages between a local function and its worker processes (over the `child_process` IPC
 * channel). Shared by both sides so they cannot drift apart.
 */

/** An error as Lambda reports it for a failed invocation. */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** The serializable part of the Lambda context; the worker adds the methods. */
export interface InvocationContext {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

/** A fault injected into one invocation, decided by the parent. */
export interface InjectedFault {
  /** Extra latency before the handler runs; it counts towards the timeout, as in Lambda. */
  readonly latencyMs: number;
  /** Fail the invocation with an injected error instead of running the handler. */
  readonly fail: boolean;
}

/** Parent → worker: run the handler once. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly invocationId: string;
  readonly event: unknown;
  readonly context: InvocationContext;
  readonly fault: InjectedFault;
}

/** Worker → parent. */
export type WorkerMessage =
  /** The init phase is over: `initDurationMs` is what loading the module took (code outside the handler). */
  | { readonly type: 'ready'; readonly initDurationMs: number }
  | { readonly type: 'init-error'; readonly error: FunctionError }
  | { readonly type: 'result'; readonly invocationId: string; readonly payloadJson: string }
  | { readonly type: 'error'; readonly invocationId: string; readonly error: FunctionError }
  /** An uncaught exception or unhandled rejection: the worker exits right after this message. */
  | { readonly type: 'crash'; readonly error: FunctionError };

/** The error type of an injected failure. */
export const INJECTED_ERROR_TYPE = 'LocalCloud.InjectedFault';
