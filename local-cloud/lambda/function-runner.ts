/**
 * The worker process of a local function, forked once per warm "container": it loads the bundle
 * (the init phase), then runs one invocation at a time with a Lambda-shaped context and reports
 * the result or the error the way Lambda does. Arguments: the handler module path and export name.
 */
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { handlerFileOf } from './handler-file';
import {
  INJECTED_ERROR_TYPE,
  type FunctionError,
  type InvocationContext,
  type InvokeMessage,
  type WorkerMessage,
} from './runner-protocol';

type Handler = (
  event: unknown,
  context: Context,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

const [modulePath, exportName] = process.argv.slice(2);

function send(message: WorkerMessage): void {
  process.send?.(message);
}

/** Exits once the message is on its way; a plain exit could drop it. */
function sendThenExit(message: WorkerMessage): void {
  if (process.send === undefined) process.exit(1);
  process.send(message, undefined, {}, () => process.exit(1));
}

/** Lambda's error shape: the error's name as type, its message, its stack as trace lines. */
function toFunctionError(error: unknown, fallbackType = 'Error'): FunctionError {
  if (error instanceof Error) {
    return {
      errorType: error.name || fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: String(error) };
}

function lambdaContext(context: InvocationContext): Context {
  return {
    ...context,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, context.deadlineMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** How a handler ended; a handler may reject with anything, not only an Error. */
type HandlerOutcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Runs an async or a callback-style handler. */
function runHandler(handler: Handler, event: unknown, context: Context): Promise<HandlerOutcome> {
  return new Promise((resolve) => {
    const succeed = (value: unknown): void => resolve({ ok: true, value });
    const fail = (error: unknown): void => resolve({ ok: false, error });
    const callback = (error?: unknown, result?: unknown): void => {
      if (error !== undefined && error !== null) fail(error);
      else succeed(result);
    };
    try {
      const returned = handler(event, context, callback);
      if (isPromiseLike(returned)) {
        returned.then(succeed, fail);
      } else if (handler.length < 3) {
        succeed(returned);
      }
    } catch (error) {
      fail(error);
    }
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  try {
    if (message.fault.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, message.fault.latencyMs));
    }
    if (message.fault.fail) {
      send({
        type: 'error',
        invocationId: message.invocationId,
        error: { errorType: INJECTED_ERROR_TYPE, errorMessage: 'Error injected by the local cloud' },
      });
      return;
    }
    const outcome = await runHandler(handler, message.event, lambdaContext(message.context));
    if (!outcome.ok) throw outcome.error;
    // Lambda serializes the result as JSON: undefined becomes null, dates become strings.
    send({
      type: 'result',
      invocationId: message.invocationId,
      payloadJson: JSON.stringify(outcome.value ?? null),
    });
  } catch (error) {
    send({ type: 'error', invocationId: message.invocationId, error: toFunctionError(error) });
  }
}

/** A crash outside the handler's promise ends the "container", as in Lambda. */
function crash(errorType: string, error: unknown): void {
  sendThenExit({ type: 'crash', error: { ...toFunctionError(error), errorType } });
}

/**
 * A real dynamic `import()`: compiled to CommonJS, TypeScript would turn a written one into
 * `require`, which cannot load an ES module from a `file:` URL.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant string, not user input
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

/** Loads the handler module as Lambda's Node.js runtime would (see `handler-file.ts`). */
async function loadHandlerModule(modulePathWithoutExtension: string): Promise<Record<string, unknown>> {
  const found = handlerFileOf(modulePathWithoutExtension);
  if (found === undefined) {
    throw Object.assign(new Error(`Cannot find module '${modulePathWithoutExtension}' (.js, .mjs or .cjs)`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  if (found.format === 'esm')
    return (await importModule(pathToFileURL(found.file).href)) as Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bundle, found at run time
  return require(found.file) as Record<string, unknown>;
}

async function main(): Promise<void> {
  // The parent went away (even by SIGKILL): never outlive it.
  process.on('disconnect', () => process.exit(0));
  process.on('uncaughtException', (error) => crash('Runtime.UncaughtException', error));
  process.on('unhandledRejection', (reason) => crash('Runtime.UnhandledPromiseRejection', reason));

  let handler: Handler;
  let initDurationMs: number;
  try {
    const initStarted = performance.now();
    const loaded = await loadHandlerModule(modulePath ?? '');
    initDurationMs = performance.now() - initStarted;
    const exported = loaded[exportName ?? ''];
    if (typeof exported !== 'function') {
      sendThenExit({
        type: 'init-error',
        error: {
          errorType: 'Runtime.HandlerNotFound',
          errorMessage: `${modulePath}.${exportName} is undefined or not exported`,
        },
      });
      return;
    }
    handler = exported as Handler;
  } catch (error) {
    sendThenExit({ type: 'init-error', error: toFunctionError(error, 'Runtime.ImportModuleError') });
    return;
  }
  process.on('message', (message: InvokeMessage) => {
    if (message.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready', initDurationMs });
}

void main();
