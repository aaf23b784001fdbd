/**
 * The processor's hooks driven as Artillery drives them (the order loop, the read loop, a failed
 * request), with fake events: what they decide, count and record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRequestRecords } from '../../load-tests/client/request-log';
import {
  CLIENT_COUNTERS,
  clientSettingsOf,
  finishHealthCheck,
  finishOrderAttempt,
  finishReadAttempt,
  orderAttemptPending,
  readAttemptPending,
  readWanted,
  recordFailedAttempt,
  startAttempt,
  startOrder,
  startRead,
  startVirtualUser,
  type ArtilleryEvents,
  type ArtilleryResponse,
  type VirtualUserContext,
} from '../../load-tests/processor';

const POST = { name: 'POST /orders', url: 'http://127.0.0.1/prod/orders' };
const GET = { name: 'GET /orders/{id}', url: 'http://127.0.0.1/prod/orders/x' };
const HEALTH = { name: 'GET /health', url: 'http://127.0.0.1/prod/health' };

/** A virtual user: its context, and the counters its hooks emitted. */
function virtualUser(variables: Record<string, unknown> = {}) {
  const counters = new Map<string, number>();
  const events: ArtilleryEvents = {
    emit: (_type, name, value) => counters.set(name, (counters.get(name) ?? 0) + value),
  };
  const context: VirtualUserContext = { vars: { ...variables } };
  const callbacks: Array<Error | undefined> = [];
  const done = (error?: Error) => callbacks.push(error);
  startVirtualUser(context, events, done);
  return { context, events, counters, callbacks, done };
}

function answer(
  statusCode: number,
  body: unknown = {},
  headers: Record<string, string> = {},
): ArtilleryResponse {
  return { statusCode, headers, body: JSON.stringify(body) };
}

/** Sends one `POST /orders` attempt through the hooks; returns whether the loop goes on. */
function postAttempt(
  user: ReturnType<typeof virtualUser>,
  response: (orderId: string) => ArtilleryResponse,
): boolean {
  startAttempt(POST, user.context, user.events, user.done);
  finishOrderAttempt(
    POST,
    response(user.context.vars.orderId as string),
    user.context,
    user.events,
    user.done,
  );
  let again = false;
  orderAttemptPending(user.context, (value) => (again = value));
  return again;
}

function readAttempt(user: ReturnType<typeof virtualUser>, response: ArtilleryResponse): boolean {
  startAttempt(GET, user.context, user.events, user.done);
  finishReadAttempt(GET, response, user.context, user.events, user.done);
  let again = false;
  readAttemptPending(user.context, (value) => (again = value));
  return again;
}

const acknowledged = (status: number) => (orderId: string) => answer(status, { orderId });

let workdir: string;
let resultsFile: string;

beforeEach(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'processor-'));
  resultsFile = path.join(workdir, 'records.jsonl');
  process.env.RESULTS_FILE = resultsFile;
  process.env.RUN_PHASE = 'test-phase';
});

afterEach(() => {
  delete process.env.RESULTS_FILE;
  delete process.env.RUN_PHASE;
  fs.rmSync(workdir, { recursive: true, force: true });
});

describe('startVirtualUser', () => {
  test('sets every client counter to 0, so ensure can always name them', () => {
    const user = virtualUser();
    expect([...user.counters.keys()].sort()).toEqual(Object.values(CLIENT_COUNTERS).sort());
    expect([...user.counters.values()].every((value) => value === 0)).toBe(true);
    expect(user.callbacks).toEqual([undefined]);
  });

  test('fails if a client setting is out of range: the virtual user ends with the reason', () => {
    const user = virtualUser({ duplicateShare: 2 });
    expect(user.callbacks[0]?.message).toBe('duplicateShare must be between 0 and 1 inclusive (given 2)');
  });
});

describe('clientSettingsOf', () => {
  test('reads numbers and numeric strings; leaves the rest at the defaults', () => {
    expect(clientSettingsOf({ maxAttempts: '3', retryMaxDelayMs: 500, readBack: 'false' })).toEqual({
      retryPolicy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 500 },
      duplicateShare: 0,
      readBack: false,
      readPollLimit: 10,
      readPollIntervalMs: 500,
    });
  });
});

describe('the order loop', () => {
  test('retries a 503 and a 429 with jittered delays under the ceilings, then stops at the acknowledgement', () => {
    // GIVEN a new order
    const user = virtualUser({ retryBaseDelayMs: 100, retryMaxDelayMs: 1000 });
    startOrder(user.context, user.events, user.done);
    const orderId = user.context.vars.orderId as string;
    expect(orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // WHEN the API answers 503 (with Retry-After), then 429, then 201
    expect(postAttempt(user, () => answer(503, {}, { 'retry-after': '1' }))).toBe(true);
    const firstDelay = Number(/^(\d+)ms$/.exec(user.context.vars.retryDelay as string)![1]);
    expect(postAttempt(user, () => answer(429))).toBe(true);
    const secondDelay = Number(/^(\d+)ms$/.exec(user.context.vars.retryDelay as string)![1]);
    expect(postAttempt(user, acknowledged(201))).toBe(false);

    // THEN the delays were drawn below 100 ms and 200 ms
    expect(firstDelay).toBeGreaterThanOrEqual(0);
    expect(firstDelay).toBeLessThan(100);
    expect(secondDelay).toBeLessThan(200);
    // AND three attempts of one order were recorded, numbered 1 to 3, with the key as order id
    const records = readRequestRecords(resultsFile);
    expect(
      records.map(({ attempt, status, retryAfter, endpoint, orderId: id, phase }) => ({
        attempt,
        status,
        retryAfter,
        endpoint,
        id,
        phase,
      })),
    ).toEqual([
      {
        attempt: 1,
        status: 503,
        retryAfter: true,
        endpoint: 'POST /orders',
        id: orderId,
        phase: 'test-phase',
      },
      {
        attempt: 2,
        status: 429,
        retryAfter: false,
        endpoint: 'POST /orders',
        id: orderId,
        phase: 'test-phase',
      },
      {
        attempt: 3,
        status: 201,
        retryAfter: false,
        endpoint: 'POST /orders',
        id: orderId,
        phase: 'test-phase',
      },
    ]);
    expect(records.every((record) => record.latencyMs >= 0 && record.startedAt <= Date.now())).toBe(true);
    // AND the counters say so
    expect(Object.fromEntries(user.counters)).toMatchObject({
      [CLIENT_COUNTERS.ordersCreated]: 1,
      [CLIENT_COUNTERS.ordersAcknowledged]: 1,
      [CLIENT_COUNTERS.retries]: 2,
      [CLIENT_COUNTERS.serverErrors]: 1,
      [CLIENT_COUNTERS.throttled]: 1,
      [CLIENT_COUNTERS.retryAfterMissing]: 1,
      [CLIENT_COUNTERS.ordersAbandoned]: 0,
    });
  });

  test('stops on a 400 at once: the order is abandoned as a client error', () => {
    const user = virtualUser();
    startOrder(user.context, user.events, user.done);
    expect(postAttempt(user, () => answer(400))).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAbandoned)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.retries)).toBe(0);
  });

  test('gives up after maxAttempts', () => {
    const user = virtualUser({ maxAttempts: 3, retryBaseDelayMs: 0, retryMaxDelayMs: 0 });
    startOrder(user.context, user.events, user.done);
    expect([
      postAttempt(user, () => answer(502)),
      postAttempt(user, () => answer(502)),
      postAttempt(user, () => answer(502)),
    ]).toEqual([true, true, false]);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAbandoned)).toBe(1);
    expect(readRequestRecords(resultsFile).map((record) => record.attempt)).toEqual([1, 2, 3]);
  });

  test('duplicateShare 1: an acknowledged order is sent once more, recorded as a duplicate from attempt 1', () => {
    const user = virtualUser({ duplicateShare: 1 });
    startOrder(user.context, user.events, user.done);
    expect(postAttempt(user, acknowledged(202))).toBe(true);
    expect(user.context.vars.retryDelay).toBe('0ms');
    expect(postAttempt(user, acknowledged(202))).toBe(false);

    const records = readRequestRecords(resultsFile);
    expect(records.map(({ attempt, duplicate, orderId }) => ({ attempt, duplicate, orderId }))).toEqual([
      { attempt: 1, duplicate: undefined, orderId: user.context.vars.orderId },
      { attempt: 1, duplicate: true, orderId: user.context.vars.orderId },
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.duplicates)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAcknowledged)).toBe(1);
    // The replay must be answered like the original
    expect(user.context.vars.orderAnswerStatuses).toEqual([202, 408, 429, 500, 502, 503, 504]);
  });

  test('duplicateShare 0: no duplicate', () => {
    const user = virtualUser();
    startOrder(user.context, user.events, user.done);
    expect(postAttempt(user, acknowledged(201))).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.duplicates)).toBe(0);
  });

  test('counts an acknowledgement under another id than the key as a mismatch', () => {
    const user = virtualUser();
    startOrder(user.context, user.events, user.done);
    postAttempt(user, () => answer(201, { orderId: 'someone-else' }));
    expect(user.counters.get(CLIENT_COUNTERS.ackMismatches)).toBe(1);
  });

  test('without RESULTS_FILE nothing is written', () => {
    delete process.env.RESULTS_FILE;
    const user = virtualUser();
    startOrder(user.context, user.events, user.done);
    postAttempt(user, acknowledged(201));
    expect(fs.existsSync(resultsFile)).toBe(false);
  });
});

describe('the read loop', () => {
  function acknowledgedOrder(status: number, variables: Record<string, unknown> = {}) {
    const user = virtualUser(variables);
    startOrder(user.context, user.events, user.done);
    postAttempt(user, acknowledged(status));
    startRead(user.context, user.events, user.done);
    return user;
  }

  test('after a 202, a 404 is polled again as a new first attempt, until the order is there', () => {
    const user = acknowledgedOrder(202, { readPollIntervalMs: 300 });
    expect(readWanted(user.context.vars)).toBe(true);
    expect(readAttempt(user, answer(404))).toBe(true);
    expect(user.context.vars.retryDelay).toBe('300ms');
    expect(readAttempt(user, answer(200))).toBe(false);

    const reads = readRequestRecords(resultsFile).filter((record) => record.endpoint === 'GET /orders/{id}');
    expect(reads.map(({ attempt, status }) => ({ attempt, status }))).toEqual([
      { attempt: 1, status: 404 },
      { attempt: 1, status: 200 },
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(0);
  });

  test('after a 202, a 404 past readPollLimit is a client error', () => {
    const user = acknowledgedOrder(202, { readPollLimit: 1 });
    expect(readAttempt(user, answer(404))).toBe(true);
    expect(readAttempt(user, answer(404))).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(1);
  });

  test('after a 201, a 404 is not polled: the order should have been there', () => {
    const user = acknowledgedOrder(201);
    expect(readAttempt(user, answer(404))).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(1);
  });

  test('a 503 on the read is retried', () => {
    const user = acknowledgedOrder(201);
    expect(readAttempt(user, answer(503))).toBe(true);
    expect(readAttempt(user, answer(200))).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.retries)).toBe(1);
  });

  test('nothing is read when the scenario does not read back, or the order was not acknowledged', () => {
    expect(readWanted(acknowledgedOrder(201, { readBack: false }).context.vars)).toBe(false);
    const user = virtualUser();
    startOrder(user.context, user.events, user.done);
    postAttempt(user, () => answer(422));
    startRead(user.context, user.events, user.done);
    expect(readWanted(user.context.vars)).toBe(false);
  });
});

describe('requests without an answer', () => {
  test.each([
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
  ])('%s is recorded as status null, failure %s; the order in flight is abandoned', (code, failure) => {
    const user = virtualUser();
    startOrder(user.context, user.events, user.done);
    startAttempt(POST, user.context, user.events, user.done);
    recordFailedAttempt(Object.assign(new Error(code), { code }), POST, user.context, user.events, user.done);

    expect(readRequestRecords(resultsFile)).toEqual([
      expect.objectContaining({
        status: null,
        failure,
        retryAfter: false,
        attempt: 1,
        endpoint: 'POST /orders',
      }),
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.transportErrors)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAbandoned)).toBe(1);
  });
});

describe('health checks', () => {
  test('are recorded without an order id, each as a first attempt', () => {
    const user = virtualUser();
    for (const status of [200, 503]) {
      startAttempt(HEALTH, user.context, user.events, user.done);
      finishHealthCheck(
        HEALTH,
        answer(status, {}, status === 503 ? { 'retry-after': '5' } : {}),
        user.context,
        user.events,
        user.done,
      );
    }
    expect(readRequestRecords(resultsFile)).toEqual([
      expect.objectContaining({ endpoint: 'GET /health', status: 200, attempt: 1, retryAfter: false }),
      expect.objectContaining({ endpoint: 'GET /health', status: 503, attempt: 1, retryAfter: true }),
    ]);
    expect(readRequestRecords(resultsFile).every((record) => record.orderId === undefined)).toBe(true);
  });
});
