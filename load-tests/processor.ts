/**
 * The Artillery processor of the order flows (`order-flows.yml`): it generates valid orders with UUID
 * Idempotency-Keys, decides the retries (capped exponential backoff with full jitter, see
 * `client/retry-policy.ts`) and the deliberate client duplicates, counts outcomes as Artillery
 * metrics for the scenarios' `ensure` checks, and, when `RESULTS_FILE` is set, appends one
 * {@link RequestRecord} per attempt to it (JSON Lines).
 *
 * Artillery's HTTP engine sends every attempt, so its own metrics, `expect` and
 * `metrics-by-endpoint` see the retries too. The flows loop (`loop` + `whileTrue`) while the hooks
 * here say another attempt is due, and wait `think: "{{ retryDelay }}"` first. A request that gets
 * no answer (timeout, refused or reset connection) ends the virtual user in Artillery's engine, so
 * it is recorded but cannot be retried.
 *
 * This file runs inside Artillery's worker threads, bundled by `artillery-runner.ts`; like a `bin/`
 * entry point it reads its own environment: `RESULTS_FILE` and `RUN_PHASE`.
 */
import { generateOrder, newIdempotencyKey } from './client/order-generator';
import { appendRequestRecord } from './client/request-log';
import {
  DEFAULT_RETRY_POLICY,
  decideRetry,
  validateRetryPolicy,
  type AttemptOutcome,
  type RetryDecision,
  type RetryPolicy,
} from './client/retry-policy';
import type { RequestRecord } from './metrics/request-record';

/** The endpoints of the flows, as `RequestRecord.endpoint` and the requests' `name` spell them. */
export const ENDPOINTS = {
  createOrder: 'POST /orders',
  getOrder: 'GET /orders/{id}',
  health: 'GET /health',
} as const;

/** Statuses that acknowledge an order: 201 (sync, stored) and 202 (async, queued). */
const ACKNOWLEDGING_STATUSES = [201, 202];
/** Statuses a retry may fix, which the functional checks therefore accept on any attempt. */
const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504];

/**
 * Counters this processor adds to Artillery's metrics. They are set to 0 when each virtual user
 * starts, so an `ensure` expression can always name them (Artillery leaves unseen metrics out, and
 * `ensure` then reads them as 0 = false). No name is the start of another: `ensure` replaces metric
 * names in its expressions by plain substring search.
 */
export const CLIENT_COUNTERS = {
  ordersCreated: 'client.orders_created',
  ordersAcknowledged: 'client.orders_acknowledged',
  ordersAbandoned: 'client.orders_abandoned',
  ackMismatches: 'client.ack_mismatches',
  duplicates: 'client.order_duplicates',
  retries: 'client.retries',
  serverErrors: 'client.server_errors',
  clientErrors: 'client.client_errors',
  throttled: 'client.throttled_answers',
  retryAfterMissing: 'client.retry_after_missing',
  transportErrors: 'client.transport_errors',
} as const;

/** The client's settings, from the scenario's or the command line's Artillery variables. */
export interface ClientSettings {
  readonly retryPolicy: RetryPolicy;
  /** Share (0 to 1) of acknowledged orders the client deliberately sends again, same key and body. */
  readonly duplicateShare: number;
  /** Whether the client reads each acknowledged order back with `GET /orders/{id}`. */
  readonly readBack: boolean;
  /**
   * How many times a read that answers 404 is repeated after an async acknowledgement (the
   * consumer has not written the order yet); each wait is `readPollIntervalMs`.
   */
  readonly readPollLimit: number;
  readonly readPollIntervalMs: number;
}

/** Settings used for every variable a scenario leaves out. */
export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  retryPolicy: DEFAULT_RETRY_POLICY,
  duplicateShare: 0,
  readBack: true,
  readPollLimit: 10,
  readPollIntervalMs: 500,
};

/** The Artillery variables {@link clientSettingsOf} reads. */
export interface ClientVariables {
  readonly maxAttempts?: unknown;
  readonly retryBaseDelayMs?: unknown;
  readonly retryMaxDelayMs?: unknown;
  readonly duplicateShare?: unknown;
  readonly readBack?: unknown;
  readonly readPollLimit?: unknown;
  readonly readPollIntervalMs?: unknown;
}

/**
 * Reads the client's settings from Artillery variables (numbers, or numeric strings as `--variables`
 * may give them; `readBack` also takes "true"/"false"). Throws on a value out of range.
 */
export function clientSettingsOf(vars: ClientVariables): ClientSettings {
  const number = (value: unknown, fallback: number): number =>
    value === undefined || value === '' ? fallback : Number(value);
  const defaults = DEFAULT_CLIENT_SETTINGS;
  const retryPolicy: RetryPolicy = {
    maxAttempts: number(vars.maxAttempts, defaults.retryPolicy.maxAttempts),
    baseDelayMs: number(vars.retryBaseDelayMs, defaults.retryPolicy.baseDelayMs),
    maxDelayMs: number(vars.retryMaxDelayMs, defaults.retryPolicy.maxDelayMs),
  };
  validateRetryPolicy(retryPolicy);
  const duplicateShare = number(vars.duplicateShare, defaults.duplicateShare);
  if (!(duplicateShare >= 0 && duplicateShare <= 1)) {
    throw new Error(
      `duplicateShare must be between 0 and 1 inclusive (given ${String(vars.duplicateShare)})`,
    );
  }
  const readPollLimit = number(vars.readPollLimit, defaults.readPollLimit);
  if (!Number.isInteger(readPollLimit) || readPollLimit < 0) {
    throw new Error(
      `readPollLimit must be a whole number of at least 0 (given ${String(vars.readPollLimit)})`,
    );
  }
  const readPollIntervalMs = number(vars.readPollIntervalMs, defaults.readPollIntervalMs);
  if (!(readPollIntervalMs >= 0)) {
    throw new Error(`readPollIntervalMs must be 0 or more (given ${String(vars.readPollIntervalMs)})`);
  }
  return {
    retryPolicy,
    duplicateShare,
    readBack:
      vars.readBack === undefined ? defaults.readBack : vars.readBack !== false && vars.readBack !== 'false',
    readPollLimit,
    readPollIntervalMs,
  };
}

/** The state of one virtual user's order, kept in its Artillery variables. */
interface OrderFlowState {
  settings: ClientSettings;
  /** Random (version 4) UUID: the Idempotency-Key and the order id. */
  orderId: string;
  order: unknown;
  /** Attempt number of the request in flight (1 for a first attempt). */
  attempt: number;
  /** Epoch milliseconds when the request in flight was sent. */
  attemptStartedAt: number;
  /** Whether the `POST /orders` in flight repeats an acknowledged one on purpose. */
  duplicate: boolean;
  /** Whether the order loop must send `POST /orders` again. */
  orderPending: boolean;
  /** The status that acknowledged the order, or `undefined` until one did. */
  acknowledgedWith?: number;
  /** Whether the read loop must send `GET /orders/{id}` again. */
  readPending: boolean;
  /** Reads repeated because of a 404 after an async acknowledgement. */
  readPolls: number;
  /** Wait before the next attempt, as Artillery's `think` reads it (`"120ms"`). */
  retryDelay: string;
  /** Statuses the functional checks (`expect`) accept for `POST /orders`. */
  orderAnswerStatuses: number[];
  /** Statuses the functional checks accept for `GET /orders/{id}`. */
  readAnswerStatuses: number[];
}

/** The virtual user's context as Artillery passes it to hooks. */
export interface VirtualUserContext {
  vars: Record<string, unknown>;
}

/** The events object Artillery passes to hooks (its metrics). */
export interface ArtilleryEvents {
  emit(type: 'counter', name: string, value: number): unknown;
}

/** The request parameters Artillery passes to `beforeRequest` and `afterResponse` hooks. */
export interface ArtilleryRequest {
  readonly name?: string;
  readonly url: string;
}

/** The response Artillery passes to `afterResponse` hooks. */
export interface ArtilleryResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
}

type Done = (error?: Error) => void;

/** An Artillery `afterResponse` hook. */
type AfterResponseHook = (
  request: ArtilleryRequest,
  response: ArtilleryResponse,
  context: VirtualUserContext,
  events: ArtilleryEvents,
  done: Done,
) => void;

function stateOf(context: VirtualUserContext): OrderFlowState {
  return context.vars as unknown as OrderFlowState;
}

function count(events: ArtilleryEvents, name: string, value = 1): void {
  events.emit('counter', name, value);
}

/**
 * `beforeScenario` of every flow: reads the client settings and sets the processor's counters to 0
 * (see {@link CLIENT_COUNTERS}).
 */
export function startVirtualUser(context: VirtualUserContext, events: ArtilleryEvents, done: Done): void {
  for (const name of Object.values(CLIENT_COUNTERS)) count(events, name, 0);
  try {
    stateOf(context).settings = clientSettingsOf(context.vars);
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
}

/** Function step: a new order with a new Idempotency-Key, and the loop state to send it. */
export function startOrder(context: VirtualUserContext, events: ArtilleryEvents, done: Done): void {
  const state = stateOf(context);
  Object.assign(state, {
    orderId: newIdempotencyKey(),
    order: generateOrder(),
    attempt: 0,
    duplicate: false,
    orderPending: true,
    acknowledgedWith: undefined,
    readPending: true,
    readPolls: 0,
    retryDelay: '0ms',
    orderAnswerStatuses: [...ACKNOWLEDGING_STATUSES, ...RETRYABLE_STATUSES],
    readAnswerStatuses: [200, ...RETRYABLE_STATUSES],
  } satisfies Omit<OrderFlowState, 'settings' | 'attemptStartedAt'>);
  count(events, CLIENT_COUNTERS.ordersCreated);
  done();
}

/** `beforeRequest` of every request: numbers the attempt and notes when it was sent. */
export function startAttempt(
  _request: ArtilleryRequest,
  context: VirtualUserContext,
  _events: ArtilleryEvents,
  done: Done,
): void {
  const state = stateOf(context);
  state.attempt = (state.attempt ?? 0) + 1;
  state.attemptStartedAt = Date.now();
  done();
}

function headerOf(response: ArtilleryResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function record(
  request: ArtilleryRequest,
  state: OrderFlowState,
  result: Pick<RequestRecord, 'status' | 'failure' | 'retryAfter'>,
): void {
  // Read at each record, not at load, so a test can set them; reading the environment is cheap.
  const resultsFile = process.env.RESULTS_FILE || undefined;
  const runPhase = process.env.RUN_PHASE || undefined;
  if (resultsFile === undefined) return;
  const endpoint = request.name ?? request.url;
  appendRequestRecord(resultsFile, {
    startedAt: state.attemptStartedAt,
    latencyMs: Date.now() - state.attemptStartedAt,
    ...result,
    endpoint,
    attempt: state.attempt,
    ...(endpoint === ENDPOINTS.createOrder && state.duplicate ? { duplicate: true } : {}),
    ...(endpoint === ENDPOINTS.health ? {} : { orderId: state.orderId }),
    ...(runPhase === undefined ? {} : { phase: runPhase }),
  });
}

/** Records an answer and counts what it says about the service; returns it as an attempt outcome. */
function recordAnswer(
  request: ArtilleryRequest,
  response: ArtilleryResponse,
  state: OrderFlowState,
  events: ArtilleryEvents,
): AttemptOutcome {
  const status = response.statusCode;
  const retryAfter = headerOf(response, 'retry-after') !== undefined;
  record(request, state, { status, retryAfter });
  if (status >= 500) count(events, CLIENT_COUNTERS.serverErrors);
  if (status === 429) {
    count(events, CLIENT_COUNTERS.throttled);
    if (!retryAfter) count(events, CLIENT_COUNTERS.retryAfterMissing);
  }
  return { status };
}

/** Records an answer and decides, by the retry policy, whether the request is sent again. */
function recordAndDecide(
  request: ArtilleryRequest,
  response: ArtilleryResponse,
  state: OrderFlowState,
  events: ArtilleryEvents,
): RetryDecision {
  return decideRetry(
    recordAnswer(request, response, state, events),
    state.attempt,
    state.settings.retryPolicy,
  );
}

/** A 4xx other than 408 and 429: the client's own mistake, which a retry would repeat. */
function isClientMistake(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function orderIdInBody(body: unknown): unknown {
  if (typeof body !== 'string') return undefined;
  try {
    return (JSON.parse(body) as { orderId?: unknown }).orderId;
  } catch {
    return undefined;
  }
}

function scheduleRetry(state: OrderFlowState, events: ArtilleryEvents, delayMs: number): void {
  state.retryDelay = `${delayMs}ms`;
  count(events, CLIENT_COUNTERS.retries);
}

/**
 * `afterResponse` of `POST /orders`: records the attempt and decides what the order loop does next:
 * retry (408, 429, 5xx), stop (acknowledged, or a client mistake, or out of attempts), or, for a
 * `duplicateShare` of the acknowledged orders, send the same request once more as a duplicate.
 */
export const finishOrderAttempt: AfterResponseHook = (request, response, context, events, done) => {
  const state = stateOf(context);
  const status = response.statusCode;
  const decision = recordAndDecide(request, response, state, events);
  state.orderPending = decision.retry;
  if (decision.retry) {
    scheduleRetry(state, events, decision.delayMs);
    done();
    return;
  }
  if (isClientMistake(status)) count(events, CLIENT_COUNTERS.clientErrors);
  if (!state.duplicate) {
    if (ACKNOWLEDGING_STATUSES.includes(status)) {
      acknowledge(state, status, response.body, events);
    } else {
      count(events, CLIENT_COUNTERS.ordersAbandoned);
    }
  }
  done();
};

/** Counts an acknowledged order, checks the id it was acknowledged under, and maybe sends it again. */
function acknowledge(state: OrderFlowState, status: number, body: unknown, events: ArtilleryEvents): void {
  state.acknowledgedWith = status;
  count(events, CLIENT_COUNTERS.ordersAcknowledged);
  if (orderIdInBody(body) !== state.orderId) count(events, CLIENT_COUNTERS.ackMismatches);
  // A replay must be answered like the original: from now on the functional checks accept only that.
  state.orderAnswerStatuses = [status, ...RETRYABLE_STATUSES];
  if (Math.random() < state.settings.duplicateShare) {
    Object.assign(state, { duplicate: true, orderPending: true, attempt: 0, retryDelay: '0ms' });
    count(events, CLIENT_COUNTERS.duplicates);
  }
}

/** `whileTrue` of the order loop: whether `POST /orders` is due again. */
export function orderAttemptPending(context: VirtualUserContext, next: (again: boolean) => void): void {
  next(stateOf(context).orderPending);
}

/** `ifTrue` of `GET /orders/{id}`: reads back only acknowledged orders, when the scenario reads back. */
export function readWanted(vars: Record<string, unknown>): boolean {
  const state = vars as unknown as OrderFlowState;
  return state.settings.readBack && state.acknowledgedWith !== undefined && state.readPending;
}

/** Function step before the read loop: the read's attempts are numbered from 1 again. */
export function startRead(context: VirtualUserContext, _events: ArtilleryEvents, done: Done): void {
  const state = stateOf(context);
  Object.assign(state, { attempt: 0, duplicate: false, retryDelay: '0ms', readPending: true });
  if (state.acknowledgedWith === 202) {
    // The consumer writes an accepted order a moment later: until then the read answers 404.
    state.readAnswerStatuses = [200, 404, ...RETRYABLE_STATUSES];
  }
  done();
}

/**
 * `afterResponse` of `GET /orders/{id}`: records the attempt; retries like `POST /orders`; after an
 * async acknowledgement, repeats a 404 up to `readPollLimit` times as a new first attempt.
 */
export const finishReadAttempt: AfterResponseHook = (request, response, context, events, done) => {
  const state = stateOf(context);
  const { settings } = state;
  const decision = recordAndDecide(request, response, state, events);
  if (decision.retry) {
    scheduleRetry(state, events, decision.delayMs);
  } else if (
    response.statusCode === 404 &&
    state.acknowledgedWith === 202 &&
    state.readPolls < settings.readPollLimit
  ) {
    Object.assign(state, {
      readPolls: state.readPolls + 1,
      attempt: 0,
      retryDelay: `${settings.readPollIntervalMs}ms`,
    });
  } else {
    if (isClientMistake(response.statusCode)) count(events, CLIENT_COUNTERS.clientErrors);
    state.readPending = false;
  }
  done();
};

/** `whileTrue` of the read loop: whether `GET /orders/{id}` is due again. */
export function readAttemptPending(context: VirtualUserContext, next: (again: boolean) => void): void {
  next(readWanted(context.vars));
}

/** `afterResponse` of `GET /health`: records the attempt (health probes are not retried). */
export const finishHealthCheck: AfterResponseHook = (request, response, context, events, done) => {
  const state = stateOf(context);
  recordAnswer(request, response, state, events);
  // Each probe is a first attempt of its own.
  state.attempt = 0;
  done();
};

/** Error codes of a request that got no answer because it timed out. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * Scenario `onError`: a request that got no answer (timeout, refused or reset connection) is
 * recorded with `status: null`; Artillery then ends the virtual user, so an order in flight is
 * abandoned.
 */
export function recordFailedAttempt(
  error: Error & { code?: unknown },
  request: ArtilleryRequest,
  context: VirtualUserContext,
  events: ArtilleryEvents,
  done: Done,
): void {
  const state = stateOf(context);
  if (typeof error.code === 'string' && state.attemptStartedAt !== undefined) {
    const failure = TIMEOUT_CODES.has(error.code) || error.name === 'TimeoutError' ? 'timeout' : 'connection';
    record(request, state, { status: null, failure, retryAfter: false });
    count(events, CLIENT_COUNTERS.transportErrors);
    if (state.orderPending && !state.duplicate) count(events, CLIENT_COUNTERS.ordersAbandoned);
  }
  done();
}
