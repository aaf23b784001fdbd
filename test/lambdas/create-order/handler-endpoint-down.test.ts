import { randomUUID } from 'node:crypto';
import type * as CreateOrderHandlerModule from '../../../lambdas/create-order/handler';
import { findFreePort } from '../../../local-cloud/emulators/free-port';
import { createOrderEvent, lambdaContext } from '../../harness/lambda-events';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';

// In a file of its own: the SDK reads endpoint variables at a client's first call, and the closed
// port below must not leak into tests that expect a working DynamoDB Local.
let handler: typeof CreateOrderHandlerModule.handler;

beforeAll(async () => {
  const closedEndpoint = `http://127.0.0.1:${await findFreePort()}`;
  ({ handler } = await loadWithEnvironment(
    {
      AWS_ENDPOINT_URL_DYNAMODB: closedEndpoint,
      ...handlerEnvironment({
        ordersTableName: 'orders',
        idempotencyTableName: 'idempotency',
        sdkRequestTimeoutMs: 500,
      }),
    },
    () => import('../../../lambdas/create-order/handler'),
  ));
});

describe('POST /orders with DynamoDB unreachable', () => {
  test('fails with 503 and Retry-After after bounded retries', async () => {
    // GIVEN a DynamoDB endpoint that refuses connections
    const started = Date.now();

    // WHEN an order is created
    const response = await handler(
      createOrderEvent({ customerId: 'c', items: [{ sku: 's', quantity: 1 }] }, randomUUID()),
      lambdaContext(),
    );

    // THEN the client is asked to retry later, quickly, without internals in the body
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
    expect(JSON.parse(response.body).error).toEqual({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.any(String),
      requestId: expect.any(String),
    });
    expect(response.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
