/**
 * The processor's hooks driven as Artillery drives them (the order loop, the read loop, the health
 * probe), with fake events, against a local server that answers, hangs, resets or refuses: what
 * they send, decide, count and record.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { readRequestRecords } from '../../load-tests/client/request-log';
import {
  CLIENT_COUNTERS,
  CLIENT_HISTOGRAMS,
  clientSettingsOf,
  finishHealthCheck,
  healthProbeWanted,
  orderAttemptPending,
  readAttemptPending,
  recordHealthCheckFailure,
  sendOrderAttempt,
  sendReadAttempt,
  startHealthCheck,
  startOrder,
  startRead,
  startVirtualUser,
  statusCounter,
  type ArtilleryEvents,
  type VirtualUserContext,
} from '../../load-tests/processor';
import { API_KEY_ENVIRONMENT_VARIABLE } from '../../load-tests/targets';
import { jsonAnswer, ScriptedServer, type ReceivedRequest, type ScriptStep } from './client/scripted-server';

const HEALTH = { name: 'GET /health', url: 'http://127.0.0.1/prod/health' };

let server: ScriptedServer;
let workdir: string;
let resultsFile: string;

/** A virtual user aimed at the server: its context, and the metrics its hooks emitted. */
function virtualUser(variables: Record<string, unknown> = {}) {
  const counters = new Map<string, number>();
  const histograms = new Map<string, number[]>();
  const events: ArtilleryEvents = {
    emit: (type, name, value) => {
      if (type === 'counter') counters.set(name, (counters.get(name) ?? 0) + value);
      else histograms.set(name, [...(histograms.get(name) ?? []), value]);
    },
  };
  const context: VirtualUserContext = { vars: { target: server.target, ...variables } };
  const callbacks: Array<Error | undefined> = [];
  const done = (error?: Error) => callbacks.push(error);
  startVirtualUser(context, events, done);
  return { context, events, counters, histograms, callbacks, done };
}

type VirtualUser = ReturnType<typeof virtualUser>;

const runStep = promisify(
  (step: typeof sendOrderAttempt, user: VirtualUser, callback: (error?: Error) => void) =>
    step(user.context, user.events, callback),
);

/** Runs one `sendOrderAttempt` step; resolves with whether the order loop goes on. */
async function postAttempt(user: VirtualUser): Promise<boolean> {
  await runStep(sendOrderAttempt, user);
  let again = false;
  orderAttemptPending(user.context, (value) => (again = value));
  return again;
}

/** Runs one `sendReadAttempt` step; resolves with whether the read loop goes on. */
async function readAttempt(user: VirtualUser): Promise<boolean> {
  await runStep(sendReadAttempt, user);
  let again = false;
  readAttemptPending(user.context, (value) => (again = value));
  return again;
}

function newOrder(variables: Record<string, unknown> = {}): VirtualUser {
  const user = virtualUser(variables);
  startOrder(user.context, user.events, user.done);
  return user;
}

/** An answer that acknowledges the order under its Idempotency-Key. */
const acknowledgement =
  (status: number) =>
  (request: ReceivedRequest): ScriptStep =>
    jsonAnswer(status, { orderId: request.headers['idempotency-key'] });

const delayOf = (user: VirtualUser) => Number(/^(\d+)ms$/.exec(user.context.vars.retryDelay as string)![1]);

const attempts = () =>
  readRequestRecords(resultsFile).map(({ attempt, status, failure, endpoint, orderId }) => ({
    attempt,
    status,
    ...(failure === undefined ? {} : { failure }),
    endpoint,
    orderId,
  }));

beforeEach(async () => {
  server = new ScriptedServer();
  await server.listen();
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'processor-'));
  resultsFile = path.join(workdir, 'records.jsonl');
  process.env.RESULTS_FILE = resultsFile;
  process.env.RUN_PHASE = 'test-phase';
  process.env[API_KEY_ENVIRONMENT_VARIABLE] = 'test-key';
});

afterEach(async () => {
  await server.close();
  delete process.env.RESULTS_FILE;
  delete process.env.RUN_PHASE;
  delete process.env[API_KEY_ENVIRONMENT_VARIABLE];
  fs.rmSync(workdir, { recursive: true, force: true });
});

describe('startVirtualUser', () => {
  test('sets every client counter to 0, so ensure can always name them', () => {
    const user = virtualUser();
    expect([...user.counters.keys()].sort()).toEqual(Object.values(CLIENT_COUNTERS).sort());
    expect([...user.counters.entries()].filter(([, value]) => value !== 0)).toEqual([]);
    expect(user.callbacks).toEqual([undefined]);
  });

  test('fails if a client setting is out of range: the virtual user ends with the reason', () => {
    const user = virtualUser({ duplicateShare: 2 });
    expect(user.callbacks[0]?.message).toBe('duplicateShare must be between 0 and 1 inclusive (given 2)');
  });
});

describe('clientSettingsOf', () => {
  test('reads numbers and numeric strings; leaves the rest at the defaults', () => {
    expect(
      clientSettingsOf({
        maxAttempts: '3',
        retryMaxDelayMs: 500,
        readBack: 'false',
        requestTimeoutMs: '2500',
      }),
    ).toEqual({
      retryPolicy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 500 },
      duplicateShare: 0,
      readBack: false,
      readPollLimit: 10,
      readPollIntervalMs: 500,
      requestTimeoutMs: 2500,
    });
  });

  test('fails if requestTimeoutMs is not above 0', () => {
    expect(() => clientSettingsOf({ requestTimeoutMs: 0 })).toThrow(
      'requestTimeoutMs must be more than 0 (given 0)',
    );
  });
});

describe('the order loop', () => {
  test('retries a 503 and a 429 with jittered delays under the ceilings, then stops at the acknowledgement', async () => {
    // GIVEN a new order, and an API that answers 503 (with Retry-After), then 429, then 201
    const user = newOrder({ retryBaseDelayMs: 100, retryMaxDelayMs: 1000 });
    const orderId = user.context.vars.orderId as string;
    expect(orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    server.respond(jsonAnswer(503, {}, { 'retry-after': '1' }), jsonAnswer(429), acknowledgement(201));

    // WHEN the order loop runs
    expect(await postAttempt(user)).toBe(true);
    const firstDelay = delayOf(user);
    expect(await postAttempt(user)).toBe(true);
    const secondDelay = delayOf(user);
    expect(await postAttempt(user)).toBe(false);

    // THEN the delays were drawn below 100 ms and 200 ms
    expect(firstDelay).toBeGreaterThanOrEqual(0);
    expect(firstDelay).toBeLessThan(100);
    expect(secondDelay).toBeLessThan(200);
    // AND every attempt was the same request: the key, the API key, the same order as JSON
    expect(
      new Set(server.requests.map(({ method, url, body }) => JSON.stringify({ method, url, body }))),
    ).toEqual(
      new Set([
        JSON.stringify({
          method: 'POST',
          url: '/prod/orders',
          body: JSON.stringify(user.context.vars.order),
        }),
      ]),
    );
    expect(server.requests.map((request) => request.headers)).toEqual(
      Array(3).fill(
        expect.objectContaining({
          'idempotency-key': orderId,
          'x-api-key': 'test-key',
          'content-type': 'application/json',
        }),
      ),
    );
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
    expect(records.filter((record) => !(record.latencyMs >= 0 && record.startedAt <= Date.now()))).toEqual(
      [],
    );
    // AND the metrics say so
    expect(Object.fromEntries(user.counters)).toMatchObject({
      [CLIENT_COUNTERS.requests]: 3,
      [statusCounter(503)]: 1,
      [statusCounter(429)]: 1,
      [statusCounter(201)]: 1,
      [CLIENT_COUNTERS.ordersCreated]: 1,
      [CLIENT_COUNTERS.ordersAcknowledged]: 1,
      [CLIENT_COUNTERS.retries]: 2,
      [CLIENT_COUNTERS.serverErrors]: 1,
      [CLIENT_COUNTERS.throttled]: 1,
      [CLIENT_COUNTERS.retryAfterMissing]: 1,
      [CLIENT_COUNTERS.ordersAbandoned]: 0,
      [CLIENT_COUNTERS.unexpectedAnswers]: 0,
      [CLIENT_COUNTERS.transportErrors]: 0,
    });
    expect(user.histograms.get(CLIENT_HISTOGRAMS.responseTime)).toEqual(
      records.map((record) => record.latencyMs),
    );
  });

  test('retries a refused connection and records both attempts', async () => {
    // GIVEN a new order, and an API that is not listening
    const user = newOrder();
    const orderId = user.context.vars.orderId as string;
    await server.close();

    // WHEN the first attempt finds the connection refused
    const again = await postAttempt(user);

    // THEN the order is not given up: a retry is due, after a delay under the first ceiling
    expect(again).toBe(true);
    expect(delayOf(user)).toBeLessThan(100);

    // WHEN the API listens again and the retry is sent
    server.respond(acknowledgement(201));
    await server.listen();
    expect(await postAttempt(user)).toBe(false);

    // THEN both attempts are recorded under the same order id, the first without an answer
    expect(attempts()).toEqual([
      { attempt: 1, status: null, failure: 'connection', endpoint: 'POST /orders', orderId },
      { attempt: 2, status: 201, endpoint: 'POST /orders', orderId },
    ]);
    // AND the order is acknowledged, not abandoned
    expect(Object.fromEntries(user.counters)).toMatchObject({
      [CLIENT_COUNTERS.requests]: 2,
      [CLIENT_COUNTERS.transportErrors]: 1,
      [CLIENT_COUNTERS.retries]: 1,
      [CLIENT_COUNTERS.ordersAcknowledged]: 1,
      [CLIENT_COUNTERS.ordersAbandoned]: 0,
      [CLIENT_COUNTERS.ackMismatches]: 0,
    });
    // AND only the answered attempt counts in the response time
    expect(user.histograms.get(CLIENT_HISTOGRAMS.responseTime)).toHaveLength(1);
  });

  test('retries an attempt that timed out, and one whose connection was reset, with the same key', async () => {
    // GIVEN an API that does not answer the first attempt within the timeout, resets the second,
    // and acknowledges the third
    const user = newOrder({ requestTimeoutMs: 300 });
    const orderId = user.context.vars.orderId as string;
    server.respond('hang', 'reset', acknowledgement(202));

    // WHEN the order loop runs
    const loop = [await postAttempt(user), await postAttempt(user), await postAttempt(user)];

    // THEN it went on after each failure and stopped at the acknowledgement
    expect(loop).toEqual([true, true, false]);
    expect(attempts()).toEqual([
      { attempt: 1, status: null, failure: 'timeout', endpoint: 'POST /orders', orderId },
      { attempt: 2, status: null, failure: 'connection', endpoint: 'POST /orders', orderId },
      { attempt: 3, status: 202, endpoint: 'POST /orders', orderId },
    ]);
    expect(readRequestRecords(resultsFile)[0].latencyMs).toBeGreaterThanOrEqual(290);
    expect(server.requests.map((request) => request.headers['idempotency-key'])).toEqual([
      orderId,
      orderId,
      orderId,
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.transportErrors)).toBe(2);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAcknowledged)).toBe(1);
  });

  test('gives up after maxAttempts without an answer: the order is abandoned', async () => {
    const user = newOrder({ maxAttempts: 3, retryBaseDelayMs: 0, retryMaxDelayMs: 0 });
    await server.close();
    expect([await postAttempt(user), await postAttempt(user), await postAttempt(user)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(attempts().map(({ attempt, status, failure }) => ({ attempt, status, failure }))).toEqual([
      { attempt: 1, status: null, failure: 'connection' },
      { attempt: 2, status: null, failure: 'connection' },
      { attempt: 3, status: null, failure: 'connection' },
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAbandoned)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAcknowledged)).toBe(0);
  });

  test('stops on a 400 at once: the order is abandoned as a client error', async () => {
    const user = newOrder();
    server.respond(jsonAnswer(400));
    expect(await postAttempt(user)).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAbandoned)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.retries)).toBe(0);
    // A 400 is no answer the functional checks accept for valid orders
    expect(user.counters.get(CLIENT_COUNTERS.unexpectedAnswers)).toBe(1);
  });

  test('gives up after maxAttempts of 5xx', async () => {
    const user = newOrder({ maxAttempts: 3, retryBaseDelayMs: 0, retryMaxDelayMs: 0 });
    server.respond(jsonAnswer(502), jsonAnswer(502), jsonAnswer(502));
    expect([await postAttempt(user), await postAttempt(user), await postAttempt(user)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAbandoned)).toBe(1);
    expect(attempts().map((record) => record.attempt)).toEqual([1, 2, 3]);
  });

  test('duplicateShare 1: an acknowledged order is sent once more, recorded as a duplicate from attempt 1', async () => {
    const user = newOrder({ duplicateShare: 1 });
    server.respond(acknowledgement(202), acknowledgement(202));
    expect(await postAttempt(user)).toBe(true);
    expect(user.context.vars.retryDelay).toBe('0ms');
    expect(await postAttempt(user)).toBe(false);

    const records = readRequestRecords(resultsFile);
    expect(records.map(({ attempt, duplicate, orderId }) => ({ attempt, duplicate, orderId }))).toEqual([
      { attempt: 1, duplicate: undefined, orderId: user.context.vars.orderId },
      { attempt: 1, duplicate: true, orderId: user.context.vars.orderId },
    ]);
    expect(server.requests[1].body).toBe(server.requests[0].body);
    expect(user.counters.get(CLIENT_COUNTERS.duplicates)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.ordersAcknowledged)).toBe(1);
  });

  test('fails the functional check if a duplicate is answered otherwise than its original', async () => {
    const user = newOrder({ duplicateShare: 1 });
    server.respond(acknowledgement(202), acknowledgement(201));
    await postAttempt(user);
    await postAttempt(user);
    expect(user.counters.get(CLIENT_COUNTERS.unexpectedAnswers)).toBe(1);
  });

  test('duplicateShare 0: no duplicate', async () => {
    const user = newOrder();
    server.respond(acknowledgement(201));
    expect(await postAttempt(user)).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.duplicates)).toBe(0);
  });

  test('counts an acknowledgement under another id than the key as a mismatch', async () => {
    const user = newOrder();
    server.respond(jsonAnswer(201, { orderId: 'someone-else' }));
    await postAttempt(user);
    expect(user.counters.get(CLIENT_COUNTERS.ackMismatches)).toBe(1);
  });

  test('fails the functional check if an answer is not JSON', async () => {
    const user = newOrder();
    server.respond({ status: 201, headers: { 'content-type': 'text/plain' }, rawBody: 'created' });
    await postAttempt(user);
    expect(user.counters.get(CLIENT_COUNTERS.unexpectedAnswers)).toBe(1);
  });

  test('without RESULTS_FILE nothing is written', async () => {
    delete process.env.RESULTS_FILE;
    const user = newOrder();
    server.respond(acknowledgement(201));
    await postAttempt(user);
    expect(fs.existsSync(resultsFile)).toBe(false);
  });
});

describe('the read loop', () => {
  async function acknowledgedOrder(status: number, variables: Record<string, unknown> = {}) {
    const user = newOrder(variables);
    server.respond(acknowledgement(status));
    await postAttempt(user);
    startRead(user.context, user.events, user.done);
    return user;
  }

  const reads = () => attempts().filter((record) => record.endpoint === 'GET /orders/{id}');

  test('after a 202, a 404 is polled again as a new first attempt, until the order is there', async () => {
    const user = await acknowledgedOrder(202, { readPollIntervalMs: 300 });
    server.respond(jsonAnswer(404), jsonAnswer(200));
    expect(await readAttempt(user)).toBe(true);
    expect(user.context.vars.retryDelay).toBe('300ms');
    expect(await readAttempt(user)).toBe(false);

    expect(reads().map(({ attempt, status }) => ({ attempt, status }))).toEqual([
      { attempt: 1, status: 404 },
      { attempt: 1, status: 200 },
    ]);
    expect(server.requests.slice(1).map(({ method, url }) => `${method} ${url}`)).toEqual(
      Array(2).fill(`GET /prod/orders/${user.context.vars.orderId as string}`),
    );
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(0);
    expect(user.counters.get(CLIENT_COUNTERS.unexpectedAnswers)).toBe(0);
  });

  test('after a 202, a 404 past readPollLimit is a client error', async () => {
    const user = await acknowledgedOrder(202, { readPollLimit: 1 });
    server.respond(jsonAnswer(404), jsonAnswer(404));
    expect(await readAttempt(user)).toBe(true);
    expect(await readAttempt(user)).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(1);
  });

  test('after a 201, a 404 is not polled: the order should have been there', async () => {
    const user = await acknowledgedOrder(201);
    server.respond(jsonAnswer(404));
    expect(await readAttempt(user)).toBe(false);
    expect(user.counters.get(CLIENT_COUNTERS.clientErrors)).toBe(1);
    expect(user.counters.get(CLIENT_COUNTERS.unexpectedAnswers)).toBe(1);
  });

  test('a 503 and an attempt without an answer on the read are retried', async () => {
    const user = await acknowledgedOrder(201, { requestTimeoutMs: 300 });
    server.respond(jsonAnswer(503), 'hang', jsonAnswer(200));
    expect([await readAttempt(user), await readAttempt(user), await readAttempt(user)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(reads().map(({ attempt, status, failure }) => ({ attempt, status, failure }))).toEqual([
      { attempt: 1, status: 503, failure: undefined },
      { attempt: 2, status: null, failure: 'timeout' },
      { attempt: 3, status: 200, failure: undefined },
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.retries)).toBe(2);
  });

  test('nothing is read when the scenario does not read back, or the order was not acknowledged', async () => {
    const noReadBack = await acknowledgedOrder(201, { readBack: false });
    expect(await readAttempt(noReadBack)).toBe(false);

    const refused = newOrder();
    server.respond(jsonAnswer(422));
    await postAttempt(refused);
    startRead(refused.context, refused.events, refused.done);
    expect(await readAttempt(refused)).toBe(false);

    expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST']);
  });
});

describe('health checks', () => {
  test('wait requestTimeoutMs, the timeout of the order client', () => {
    const user = virtualUser({ requestTimeoutMs: 2500 });
    const request = { ...HEALTH };
    startHealthCheck(request, user.context, user.events, user.done);
    expect(request).toEqual({ ...HEALTH, timeout: 2500 });
    expect(user.callbacks).toEqual([undefined, undefined]);
  });

  test('are recorded without an order id, each as a first attempt', () => {
    const user = virtualUser();
    for (const status of [200, 503]) {
      startHealthCheck(HEALTH, user.context, user.events, user.done);
      finishHealthCheck(
        HEALTH,
        { statusCode: status, headers: status === 503 ? { 'retry-after': '5' } : {}, body: '{}' },
        user.context,
        user.events,
        user.done,
      );
    }
    expect(readRequestRecords(resultsFile)).toEqual([
      expect.objectContaining({ endpoint: 'GET /health', status: 200, attempt: 1, retryAfter: false }),
      expect.objectContaining({ endpoint: 'GET /health', status: 503, attempt: 1, retryAfter: true }),
    ]);
    expect(readRequestRecords(resultsFile).filter((record) => record.orderId !== undefined)).toEqual([]);
    expect(user.counters.get(CLIENT_COUNTERS.requests)).toBe(2);
    expect(user.counters.get(CLIENT_COUNTERS.serverErrors)).toBe(1);
  });

  test.each([
    ['ETIMEDOUT', 'timeout'],
    ['ECONNREFUSED', 'connection'],
    ['ECONNRESET', 'connection'],
  ])('a probe without an answer (%s) is recorded as status null, failure %s', (code, failure) => {
    const user = virtualUser();
    startHealthCheck(HEALTH, user.context, user.events, user.done);
    recordHealthCheckFailure(
      Object.assign(new Error(code), { code }),
      HEALTH,
      user.context,
      user.events,
      user.done,
    );

    expect(readRequestRecords(resultsFile)).toEqual([
      expect.objectContaining({
        status: null,
        failure,
        retryAfter: false,
        attempt: 1,
        endpoint: 'GET /health',
      }),
    ]);
    expect(user.counters.get(CLIENT_COUNTERS.transportErrors)).toBe(1);
  });
});

describe('healthProbeWanted', () => {
  test('probes by default and not when the variable healthProbes is false', () => {
    expect(healthProbeWanted({})).toBe(true);
    expect(healthProbeWanted({ healthProbes: true })).toBe(true);
    expect(healthProbeWanted({ healthProbes: false })).toBe(false);
    expect(healthProbeWanted({ healthProbes: 'false' })).toBe(false);
  });
});
