/**
 * The Artillery processor of the order flows (`order-flows.yml`): it generates valid orders with UUID
 * Idempotency-Keys, sends them and reads them back with retries (capped exponential backoff with
 * full jitter, see `client/retry-policy.ts`) and deliberate client duplicates, counts outcomes as
 * Artillery metrics for the scenarios' `ensure` checks, and, when `RESULTS_FILE` is set, appends
 * one {@link RequestRecord} per attempt to it (JSON Lines).
 *
 * Artillery drives the virtual users: arrivals, the order and read loops (`loop` + `whileTrue`)
 * and the waits between attempts (`think: "{{ retryDelay }}"`). The attempts the client retries
 * (`POST /orders`, `GET /orders/{id}`) are sent by `function` steps with Node's `fetch`
 * (`client/http-attempt.ts`), not by Artillery's HTTP engine: Artillery 2's engine ends the
 * virtual user when a request gets no answer (a timeout, a refused or reset connection), and those
 * are exactly the attempts a client must retry during a region outage. So these attempts report
 * their own metrics (`client.requests`, `client.codes.<status>`, the `client.response_time`
 * histogram) and their own functional checks (`client.unexpected_answers`); the health probe, never
 * retried, stays on the HTTP engine with `expect` and `metrics-by-endpoint`.
 *
 * This file runs inside Artillery's worker threads, bundled by `artillery-runner.ts`; like a `bin/`
 * entry point it reads its own environment: `RESULTS_FILE`, `RUN_PHASE` and `RESILIENT_API_KEY`.
 */
import { sendAttempt, type AttemptResult } from './client/http-attempt';
import { generateOrder, newIdempotencyKey } from './client/order-generator';
import { appendRequestRecord } from './client/request-log';
import {
  DEFAULT_RETRY_POLICY,
  decideRetry,
  validateRetryPolicy,
  type AttemptOutcome,
  type RetryPolicy,
  RETRYABLE_STATUSES,
} from './client/retry-policy';
import type { RequestRecord } from './metrics/request-record';
import { API_KEY_ENVIRONMENT_VARIABLE } from './targets';

/** The endpoints of the flows, as `RequestRecord.endpoint` and the requests' `name` spell them. */
export const ENDPOINTS = {
  createOrder: 'POST /orders',
  getOrder: 'GET /orders/{id}',
  health: 'GET /health',
} as const;

/** Statuses that acknowledge an order: 201 (sync, stored) and 202 (async, queued). */
const ACKNOWLEDGING_STATUSES = [201, 202];
// The functional checks accept on any attempt what a retry may fix (RETRYABLE_STATUSES).

/**
 * Counters this processor adds to Artillery's metrics. They are set to 0 when each virtual user
 * starts, so an `ensure` expression can always name them (Artillery leaves unseen metrics out, and
 * `ensure` then reads them as 0 = false). No name is the start of another: `ensure` replaces metric
 * names in its expressions by plain substring search.
 */
export const CLIENT_COUNTERS = {
  /** Every attempt, answered or not, of every flow (the records' count). */
  requests: 'client.requests',
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
  /** Answers of the fetch-sent attempts that fail the functional checks (wrong status, not JSON). */
  unexpectedAnswers: 'client.unexpected_answers',
} as const;

/**
 * Histograms this processor adds: milliseconds from sending an attempt to the end of its answer,
 * for every answered attempt of every flow. `ensure` thresholds name its aggregates
 * (`client.response_time.p95`).
 */
export const CLIENT_HISTOGRAMS = {
  responseTime: 'client.response_time',
} as const;

/** Counter of the answers with one status, e.g. `client.codes.201`. */
export function statusCounter(status: number): string {
  return `client.codes.${status}`;
}

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
  /**
   * Milliseconds before an order or read attempt without a complete answer is given up as a
   * timeout (and retried); the health probe (Artillery's HTTP engine) waits as long.
   */
  readonly requestTimeoutMs: number;
}

/** Settings used for every variable a scenario leaves out. */
export const DEFAULT_CLIENT_SETTINGS: ClientSettings = {
  retryPolicy: DEFAULT_RETRY_POLICY,
  duplicateShare: 0,
  readBack: true,
  readPollLimit: 10,
  readPollIntervalMs: 500,
  requestTimeoutMs: 10_000,
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
  readonly requestTimeoutMs?: unknown;
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
  const requestTimeoutMs = number(vars.requestTimeoutMs, defaults.requestTimeoutMs);
  if (!(requestTimeoutMs > 0)) {
    throw new Error(`requestTimeoutMs must be more than 0 (given ${String(vars.requestTimeoutMs)})`);
  }
  return {
    retryPolicy,
    duplicateShare,
    readBack:
      vars.readBack === undefined ? defaults.readBack : vars.readBack !== false && vars.readBack !== 'false',
    readPollLimit,
    readPollIntervalMs,
    requestTimeoutMs,
  };
}

/** The state of one virtual user's order, kept in its Artillery variables. */
interface OrderFlowState {
  settings: ClientSettings;
  /** Artillery's target: the API stage's base URL, without the trailing slash. */
  readonly target: string;
  /** Random (version 4) UUID: the Idempotency-Key and the order id. */
  orderId: string;
  order: unknown;
  /** Number of the latest attempt of the request in hand (1 for a first attempt). */
  attempt: number;
  /** Epoch milliseconds when the health probe in flight was sent. */
  healthCheckStartedAt: number;
  /** Whether the `POST /orders` in hand repeats an acknowledged one on purpose. */
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
  /** Statuses the functional checks accept for `POST /orders`. */
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
  emit(type: 'counter' | 'histogram', name: string, value: number): unknown;
}

/** The request parameters Artillery passes to `beforeRequest` and `afterResponse` hooks. */
export interface ArtilleryRequest {
  readonly name?: string;
  readonly url: string;
  /** Milliseconds before the HTTP engine gives up on the answer (a `beforeRequest` hook may set it). */
  timeout?: number;
}

/** The response Artillery passes to `afterResponse` hooks. */
export interface ArtilleryResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body?: unknown;
}

type Done = (error?: Error) => void;

/** An Artillery `function` step. */
type FunctionStep = (context: VirtualUserContext, events: ArtilleryEvents, done: Done) => void;

function stateOf(context: VirtualUserContext): OrderFlowState {
  return context.vars as unknown as OrderFlowState;
}

function count(events: ArtilleryEvents, name: string, value = 1): void {
  events.emit('counter', name, value);
}

/**
 * A `function` step that runs `work`. Written in callback style because Artillery calls a step
 * whose constructor is `Function` with a callback and awaits any other; an error ends the user.
 */
function functionStep(work: (state: OrderFlowState, events: ArtilleryEvents) => Promise<void>): FunctionStep {
  return (context, events, done) => {
    work(stateOf(context), events).then(
      () => done(),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  };
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
  } satisfies Omit<OrderFlowState, 'settings' | 'target' | 'healthCheckStartedAt'>);
  count(events, CLIENT_COUNTERS.ordersCreated);
  done();
}

/** What one attempt came to, as the record and the counters see it. */
type AttemptFields = Pick<RequestRecord, 'startedAt' | 'latencyMs' | 'status' | 'failure' | 'retryAfter'>;

/**
 * Records an attempt: the request metrics (`client.requests`, `client.codes.<status>`,
 * `client.response_time`, `client.transport_errors`), what an answer says about the service
 * (5xx, 429, a 429 without `Retry-After`), and the {@link RequestRecord} when `RESULTS_FILE` is set.
 * Returns the attempt as the retry policy sees it.
 */
function record(
  endpoint: string,
  state: OrderFlowState,
  fields: AttemptFields,
  events: ArtilleryEvents,
): AttemptOutcome {
  count(events, CLIENT_COUNTERS.requests);
  const { status } = fields;
  if (status === null) {
    count(events, CLIENT_COUNTERS.transportErrors);
  } else {
    count(events, statusCounter(status));
    events.emit('histogram', CLIENT_HISTOGRAMS.responseTime, fields.latencyMs);
    if (status >= 500) count(events, CLIENT_COUNTERS.serverErrors);
    if (status === 429) {
      count(events, CLIENT_COUNTERS.throttled);
      if (!fields.retryAfter) count(events, CLIENT_COUNTERS.retryAfterMissing);
    }
  }
  // Read at each record, not at load, so a test can set them; reading the environment is cheap.
  const resultsFile = process.env.RESULTS_FILE || undefined;
  const runPhase = process.env.RUN_PHASE || undefined;
  if (resultsFile !== undefined) {
    appendRequestRecord(resultsFile, {
      ...fields,
      endpoint,
      attempt: state.attempt,
      ...(endpoint === ENDPOINTS.createOrder && state.duplicate ? { duplicate: true } : {}),
      ...(endpoint === ENDPOINTS.health ? {} : { orderId: state.orderId }),
      ...(runPhase === undefined ? {} : { phase: runPhase }),
    });
  }
  return status === null ? { failure: fields.failure ?? 'connection' } : { status };
}

/** A 4xx other than 408 and 429: the client's own mistake, which a retry would repeat. */
function isClientMistake(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function parsedBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The functional checks of a fetch-sent attempt, as `expect` would make them (`statusCode` one of
 * `statuses`, `contentType: json`): a failed one is counted and printed.
 */
function checkAnswer(
  endpoint: string,
  result: AttemptResult,
  statuses: readonly number[],
  events: ArtilleryEvents,
): void {
  if (!('status' in result)) return;
  const contentType = result.headers['content-type'] ?? '';
  const problems = [
    ...(statuses.includes(result.status)
      ? []
      : [`status ${result.status}, expected one of ${statuses.join(', ')}`]),
    ...(/\bjson\b|\+json\b/.test(contentType) && typeof parsedBody(result.body) === 'object'
      ? []
      : [`not a JSON answer (content-type ${contentType || 'missing'})`]),
  ];
  if (problems.length === 0) return;
  count(events, CLIENT_COUNTERS.unexpectedAnswers);
  console.log(`unexpected answer to ${endpoint}: ${problems.join('; ')}`);
}

/** Sends one attempt of `endpoint` as the next attempt of the request in hand, records and checks it. */
async function attempt(
  state: OrderFlowState,
  events: ArtilleryEvents,
  endpoint: string,
  request: {
    readonly method: 'GET' | 'POST';
    readonly path: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
  },
  answerStatuses: readonly number[],
): Promise<{ outcome: AttemptOutcome; result: AttemptResult }> {
  const apiKey = process.env[API_KEY_ENVIRONMENT_VARIABLE];
  state.attempt += 1;
  const result = await sendAttempt({
    method: request.method,
    url: `${state.target}${request.path}`,
    headers: { ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }), ...request.headers },
    body: request.body,
    timeoutMs: state.settings.requestTimeoutMs,
  });
  const outcome = record(
    endpoint,
    state,
    'status' in result
      ? {
          startedAt: result.startedAt,
          latencyMs: result.latencyMs,
          status: result.status,
          retryAfter: result.headers['retry-after'] !== undefined,
        }
      : {
          startedAt: result.startedAt,
          latencyMs: result.latencyMs,
          status: null,
          failure: result.failure,
          retryAfter: false,
        },
    events,
  );
  checkAnswer(endpoint, result, answerStatuses, events);
  return { outcome, result };
}

function scheduleRetry(state: OrderFlowState, events: ArtilleryEvents, delayMs: number): void {
  state.retryDelay = `${delayMs}ms`;
  count(events, CLIENT_COUNTERS.retries);
}

/**
 * Function step of the order loop: sends `POST /orders` once and decides what the loop does next:
 * retry (408, 429, 5xx, no answer), stop (acknowledged, or a client mistake, or out of attempts),
 * or, for a `duplicateShare` of the acknowledged orders, send the same request once more as a
 * duplicate.
 */
export const sendOrderAttempt: FunctionStep = functionStep(async (state, events) => {
  const { outcome, result } = await attempt(
    state,
    events,
    ENDPOINTS.createOrder,
    {
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json', 'idempotency-key': state.orderId },
      body: JSON.stringify(state.order),
    },
    state.orderAnswerStatuses,
  );
  const decision = decideRetry(outcome, state.attempt, state.settings.retryPolicy);
  state.orderPending = decision.retry;
  if (decision.retry) {
    scheduleRetry(state, events, decision.delayMs);
    return;
  }
  if ('status' in outcome && isClientMistake(outcome.status)) count(events, CLIENT_COUNTERS.clientErrors);
  if (state.duplicate) return;
  if ('status' in result && ACKNOWLEDGING_STATUSES.includes(result.status)) {
    acknowledge(state, result.status, result.body, events);
  } else {
    count(events, CLIENT_COUNTERS.ordersAbandoned);
  }
});

/** Counts an acknowledged order, checks the id it was acknowledged under, and maybe sends it again. */
function acknowledge(state: OrderFlowState, status: number, body: string, events: ArtilleryEvents): void {
  state.acknowledgedWith = status;
  count(events, CLIENT_COUNTERS.ordersAcknowledged);
  const orderId = (parsedBody(body) as { orderId?: unknown } | undefined)?.orderId;
  if (orderId !== state.orderId) count(events, CLIENT_COUNTERS.ackMismatches);
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

/** Whether the order is (still) to be read: only acknowledged orders, when the scenario reads back. */
function readWanted(state: OrderFlowState): boolean {
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
 * Function step of the read loop: sends `GET /orders/{id}` once, if the order is to be read;
 * retries like `POST /orders`; after an async acknowledgement, repeats a 404 up to `readPollLimit`
 * times as a new first attempt.
 */
export const sendReadAttempt: FunctionStep = functionStep(async (state, events) => {
  // Artillery runs a loop's steps once before it asks `whileTrue`.
  if (!readWanted(state)) return;
  const { settings } = state;
  const { outcome } = await attempt(
    state,
    events,
    ENDPOINTS.getOrder,
    { method: 'GET', path: `/orders/${state.orderId}` },
    state.readAnswerStatuses,
  );
  const decision = decideRetry(outcome, state.attempt, settings.retryPolicy);
  if (decision.retry) {
    scheduleRetry(state, events, decision.delayMs);
  } else if (
    'status' in outcome &&
    outcome.status === 404 &&
    state.acknowledgedWith === 202 &&
    state.readPolls < settings.readPollLimit
  ) {
    Object.assign(state, {
      readPolls: state.readPolls + 1,
      attempt: 0,
      retryDelay: `${settings.readPollIntervalMs}ms`,
    });
  } else {
    if ('status' in outcome && isClientMistake(outcome.status)) count(events, CLIENT_COUNTERS.clientErrors);
    state.readPending = false;
  }
});

/** `whileTrue` of the read loop: whether `GET /orders/{id}` is due again. */
export function readAttemptPending(context: VirtualUserContext, next: (again: boolean) => void): void {
  next(readWanted(stateOf(context)));
}

/**
 * `ifTrue` of `GET /health`: the probe is sent unless the variable `healthProbes` is false (the
 * experiment turns probes off: it measures the orders, and Route 53's own checks run anyway).
 */
export function healthProbeWanted(vars: Record<string, unknown>): boolean {
  return vars.healthProbes !== false && vars.healthProbes !== 'false';
}

/**
 * `beforeRequest` of `GET /health`: each probe is a first attempt of its own, and waits as long as
 * an order attempt (`requestTimeoutMs`: the one client timeout, for the HTTP engine too).
 */
export function startHealthCheck(
  request: ArtilleryRequest,
  context: VirtualUserContext,
  _events: ArtilleryEvents,
  done: Done,
): void {
  const state = stateOf(context);
  request.timeout = state.settings.requestTimeoutMs;
  state.attempt = 1;
  state.healthCheckStartedAt = Date.now();
  done();
}

function healthCheckTiming(state: OrderFlowState): Pick<AttemptFields, 'startedAt' | 'latencyMs'> {
  return { startedAt: state.healthCheckStartedAt, latencyMs: Date.now() - state.healthCheckStartedAt };
}

/** `afterResponse` of `GET /health` (sent by Artillery's HTTP engine): records the probe. */
export function finishHealthCheck(
  _request: ArtilleryRequest,
  response: ArtilleryResponse,
  context: VirtualUserContext,
  events: ArtilleryEvents,
  done: Done,
): void {
  const state = stateOf(context);
  record(
    ENDPOINTS.health,
    state,
    {
      ...healthCheckTiming(state),
      status: response.statusCode,
      retryAfter: response.headers['retry-after'] !== undefined,
    },
    events,
  );
  done();
}

/** Error codes of a request that got no answer because it timed out. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * Scenario `onError` of the health probe: a probe that got no answer (timeout, refused or reset
 * connection) is recorded with `status: null`. Health probes are not retried, so Artillery's
 * engine ending the virtual user there loses nothing.
 */
export function recordHealthCheckFailure(
  error: Error & { code?: unknown },
  _request: ArtilleryRequest,
  context: VirtualUserContext,
  events: ArtilleryEvents,
  done: Done,
): void {
  const state = stateOf(context);
  // Errors of the processor's own hooks have no code and are no attempt.
  if (typeof error.code === 'string' && state.healthCheckStartedAt !== undefined) {
    const failure = TIMEOUT_CODES.has(error.code) || error.name === 'TimeoutError' ? 'timeout' : 'connection';
    record(
      ENDPOINTS.health,
      state,
      { ...healthCheckTiming(state), status: null, failure, retryAfter: false },
      events,
    );
  }
  done();
}
