import { randomUUID } from 'node:crypto';
import type * as CreateOrderHandlerModule from '../../../lambdas/create-order/handler';
import { createOrderEvent, lambdaContext } from '../../harness/lambda-events';
import { dynamoDbFaultProxy } from '../../harness/fault-proxy';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { errorOf } from '../../harness/responses';
import { createTestTables, type TestTables } from '../../harness/tables';

// In a file of its own: the handler reaches DynamoDB Local through a fault proxy (the SDK reads the
// endpoint variable at a client's first call, so it must not leak into other tests).
type Handler = typeof CreateOrderHandlerModule.handler;

const VOLUME_THRESHOLD = 3;
const RESET_TIMEOUT_MS = 500;
const ORDER = { customerId: 'customer-1', items: [{ sku: 'SKU-1', quantity: 2 }] };

const proxy = dynamoDbFaultProxy();
let tables: TestTables;

/** A handler with a breaker of its own (a fresh container). */
async function loadHandler(): Promise<Handler> {
  const module = await loadWithEnvironment(
    {
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      ...handlerEnvironment({
        ...tables,
        sdkRequestTimeoutMs: 500,
        circuitBreakerVolumeThreshold: VOLUME_THRESHOLD,
        circuitBreakerResetTimeoutMs: RESET_TIMEOUT_MS,
        circuitBreakerErrorThresholdPercent: 50,
        circuitBreakerRollingWindowMs: 10_000,
      }),
    },
    () => import('../../../lambdas/create-order/handler'),
  );
  return module.handler;
}

function post(handler: Handler, body: object = ORDER, key: string = randomUUID()) {
  return handler(createOrderEvent(body, key), lambdaContext());
}

beforeAll(async () => {
  tables = await createTestTables();
});

describe('POST /orders circuit breaker', () => {
  test('opens after the threshold, fails fast with 503 and Retry-After, and closes after a probe', async () => {
    // GIVEN a fresh container and DynamoDB down
    const handler = await loadHandler();
    await proxy.setFault({ down: true });

    // WHEN as many orders as the volume threshold fail the slow way (SDK retries)
    for (let request = 0; request < VOLUME_THRESHOLD; request++) {
      expect((await post(handler)).statusCode).toBe(503);
    }

    // THEN further requests fail fast: 503, the error shape, Retry-After until the probe
    for (let request = 0; request < 5; request++) {
      const started = performance.now();
      const response = await post(handler);
      const elapsedMs = performance.now() - started;
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'Retry-After': '1' });
      expect(errorOf(response)).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(elapsedMs).toBeLessThan(50);
    }

    // WHEN DynamoDB recovers and the reset timeout passes
    await proxy.setFault({});
    await new Promise((resolve) => setTimeout(resolve, RESET_TIMEOUT_MS + 100));

    // THEN the probe succeeds, and the closed breaker lets concurrent requests through again
    expect((await post(handler)).statusCode).toBe(201);
    const after = await Promise.all([post(handler), post(handler), post(handler)]);
    expect(after.map((response) => response.statusCode)).toEqual([201, 201, 201]);
  });

  test('DynamoDB accepting connections but never answering: each request answers 503 within its SDK budget, then the breaker fails fast', async () => {
    // GIVEN a fresh container and DynamoDB hanging (a refused connection would fail at once and
    // prove nothing about the timeouts): 3 attempts of 500 ms each, plus the SDK's backoff
    const handler = await loadHandler();
    await proxy.setFault({ hang: true });
    const budgetMs = 3 * 500 + 1_000;

    // WHEN as many orders as the volume threshold are placed
    for (let request = 0; request < VOLUME_THRESHOLD; request++) {
      const started = performance.now();
      const response = await post(handler);

      // THEN each is refused with 503 and Retry-After within the SDK budget, well inside the
      // function's own timeout
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
      expect(performance.now() - started).toBeLessThan(budgetMs);
    }

    // AND the breaker is open: the next request fails fast without waiting on DynamoDB
    const started = performance.now();
    expect((await post(handler)).statusCode).toBe(503);
    expect(performance.now() - started).toBeLessThan(50);
  });

  test('stays closed during a burst of client errors (422)', async () => {
    // GIVEN a fresh container and an order placed under a key
    const handler = await loadHandler();
    const key = randomUUID();
    expect((await post(handler, ORDER, key)).statusCode).toBe(201);

    // WHEN the key is reused with a different body many times over the threshold
    const reused = [];
    for (let request = 0; request < VOLUME_THRESHOLD * 4; request++) {
      reused.push(await post(handler, { ...ORDER, note: `attempt ${request}` }, key));
    }

    // THEN every answer is 422, and the breaker still lets a new order through
    expect(new Set(reused.map((response) => response.statusCode))).toEqual(new Set([422]));
    expect((await post(handler)).statusCode).toBe(201);
  });
});
