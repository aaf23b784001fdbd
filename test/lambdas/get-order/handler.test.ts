import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as GetOrderHandlerModule from '../../../lambdas/get-order/handler';
import { apiKeyOwnerId } from '../../../lambdas/orders/order-owner';
import { apiGatewayEvent, lambdaContext, testApiKey, withApiKey } from '../../harness/lambda-events';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { storeOrder } from '../../harness/orders';
import { errorOf, parseBody } from '../../harness/responses';
import { testDocumentClient } from '../../harness/local-aws';
import { createTestTables, uniqueTableName, type TestTables } from '../../harness/tables';

const documentClient = testDocumentClient();
let tables: TestTables;
let getOrder: typeof GetOrderHandlerModule.handler;

function getOrderEvent(orderId: string): APIGatewayProxyEvent {
  return apiGatewayEvent({ path: `/orders/${orderId}`, pathParameters: { orderId } });
}

/** Stores an order owned by `ownerId` and returns it as the API shows it. */
function putOwnedOrder(ownerId: string) {
  return storeOrder(documentClient, tables.ordersTableName, { ownerId });
}

beforeAll(async () => {
  tables = await createTestTables();
  getOrder = (
    await loadWithEnvironment(
      handlerEnvironment({ ordersTableName: tables.ordersTableName }),
      () => import('../../../lambdas/get-order/handler'),
    )
  ).handler;
});

afterAll(() => {
  documentClient.destroy();
});

describe('GET /orders/{orderId}', () => {
  test('returns a stored order', async () => {
    // GIVEN an order in the table
    const order = await storeOrder(documentClient, tables.ordersTableName);

    // WHEN it is requested
    const response = await getOrder(getOrderEvent(order.orderId), lambdaContext());

    // THEN it is returned as stored
    expect(response.statusCode).toBe(200);
    expect(parseBody(response)).toEqual(order);
  });

  test('fails with 404 if the order does not exist', async () => {
    // GIVEN an id no order has
    const orderId = randomUUID();

    // WHEN it is requested
    const event = getOrderEvent(orderId);
    const response = await getOrder(event, lambdaContext());

    // THEN the answer is 404 in the API's error shape
    expect(response.statusCode).toBe(404);
    expect(parseBody(response)).toEqual({
      error: { code: 'NOT_FOUND', message: expect.any(String), requestId: event.requestContext.requestId },
    });
  });

  test('rejects an order id that is not a UUID', async () => {
    // GIVEN an id that cannot be an order id
    // WHEN it is requested
    const response = await getOrder(getOrderEvent('12345'), lambdaContext());

    // THEN the answer is 400 naming the path parameter
    expect(response.statusCode).toBe(400);
    expect(errorOf(response)).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ field: 'orderId', message: expect.any(String) }],
    });
  });

  describe('owner-scoped access', () => {
    test.each([
      ['the region it was created in', 'us-east-1'],
      ["another region, where the key's id differs", 'us-west-2'],
    ])(
      'returns an order to the API key value that created it through %s, without the owner',
      async (_case, region) => {
        // GIVEN an order owned by an API key value
        const order = await putOwnedOrder(apiKeyOwnerId(testApiKey('client-a').value));

        // WHEN that key requests it through the region
        const event = withApiKey(getOrderEvent(order.orderId), testApiKey('client-a', region));
        const response = await getOrder(event, lambdaContext());

        // THEN it is returned as the API shows orders
        expect(response.statusCode).toBe(200);
        expect(parseBody(response)).toEqual(order);
      },
    );

    test('returns an order stored under the key id by an earlier version to that key in its region', async () => {
      // GIVEN an order whose owner is a key's regional id (as stored before owners were digests)
      const order = await putOwnedOrder(testApiKey('client-a').id);

      // WHEN that key requests it through that region
      const response = await getOrder(
        withApiKey(getOrderEvent(order.orderId), testApiKey('client-a')),
        lambdaContext(),
      );

      // THEN it is returned
      expect(response.statusCode).toBe(200);
      expect(parseBody(response)).toEqual(order);
    });

    test('fails with 404 if the order belongs to another API key, as for an unknown order', async () => {
      // GIVEN an order owned by one API key
      const order = await putOwnedOrder(apiKeyOwnerId(testApiKey('client-a').value));

      // WHEN another key requests it
      const event = withApiKey(getOrderEvent(order.orderId), testApiKey('client-b'));
      const response = await getOrder(event, lambdaContext());

      // THEN the answer is the one for an order that does not exist
      expect(response.statusCode).toBe(404);
      expect(parseBody(response)).toEqual({
        error: {
          code: 'NOT_FOUND',
          message: `Order ${order.orderId} does not exist`,
          requestId: event.requestContext.requestId,
        },
      });
    });

    test.each([
      ['principalId', { principalId: 'user-1' }],
      ['claims.sub', { claims: { sub: 'user-1' } }],
    ])('uses the authorizer %s as the owner when there is no API key', async (_case, authorizer) => {
      // GIVEN an order owned by an authorizer principal
      const order = await putOwnedOrder('user-1');

      // WHEN a request authorized as that principal, without an API key, reads it
      const event = getOrderEvent(order.orderId);
      const response = await getOrder(
        { ...event, requestContext: { ...event.requestContext, authorizer } },
        lambdaContext(),
      );

      // THEN it is returned
      expect(response.statusCode).toBe(200);
      expect(parseBody(response)).toEqual(order);
    });
  });

  test('fails with 503 and Retry-After if the table does not exist', async () => {
    // GIVEN a handler whose table is missing
    const { handler } = await loadWithEnvironment(
      handlerEnvironment({ ordersTableName: uniqueTableName('missing') }),
      () => import('../../../lambdas/get-order/handler'),
    );

    // WHEN an order is requested
    const response = await handler(getOrderEvent(randomUUID()), lambdaContext());

    // THEN the client is asked to retry later
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
    expect(errorOf(response).code).toBe('SERVICE_UNAVAILABLE');
  });
});
