import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as GetOrderHandlerModule from '../../../lambdas/get-order/handler';
import { STALE_RESPONSE_HEADERS } from '../../../lambdas/get-order/get-order';
import { apiGatewayEvent, lambdaContext } from '../../harness/lambda-events';
import { dynamoDbFaultProxy } from '../../harness/fault-proxy';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { testDocumentClient } from '../../harness/local-aws';
import { storeOrder } from '../../harness/orders';
import { errorOf, parseBody } from '../../harness/responses';
import { createTestTables, type TestTables } from '../../harness/tables';

// In a file of its own: the handler reaches DynamoDB Local through a fault proxy (the SDK reads the
// endpoint variable at a client's first call, so it must not leak into other tests).
type Handler = typeof GetOrderHandlerModule.handler;

const OWNER = 'api-key-a';
const documentClient = testDocumentClient();
const proxy = dynamoDbFaultProxy();
let tables: TestTables;

/** A handler with its own last good copies and breaker (a fresh container). */
async function loadHandler(staleCacheMaxAgeSeconds = 300): Promise<Handler> {
  const module = await loadWithEnvironment(
    {
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      ...handlerEnvironment({
        ordersTableName: tables.ordersTableName,
        sdkRequestTimeoutMs: 500,
        staleCacheMaxAgeSeconds,
        circuitBreakerVolumeThreshold: 3,
        circuitBreakerResetTimeoutMs: 500,
      }),
    },
    () => import('../../../lambdas/get-order/handler'),
  );
  return module.handler;
}

function getOrderEvent(orderId: string, apiKeyId = OWNER): APIGatewayProxyEvent {
  const event = apiGatewayEvent({ path: `/orders/${orderId}`, pathParameters: { orderId } });
  return {
    ...event,
    requestContext: { ...event.requestContext, identity: { ...event.requestContext.identity, apiKeyId } },
  };
}

function putOrder(ownerId = OWNER) {
  return storeOrder(documentClient, tables.ordersTableName, { ownerId });
}

beforeAll(async () => {
  tables = await createTestTables();
});

afterAll(() => {
  documentClient.destroy();
});

describe('GET /orders/{orderId} while DynamoDB fails', () => {
  test('serves the last good copy with 200 and the stale headers, also once the breaker is open', async () => {
    // GIVEN an order the container has read while DynamoDB was up
    const handler = await loadHandler();
    const order = await putOrder();
    const fresh = await handler(getOrderEvent(order.orderId), lambdaContext());
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers).not.toHaveProperty('Warning');

    // WHEN DynamoDB goes down and the order is read more often than the breaker's threshold
    await proxy.setFault({ down: true });
    const responses = [];
    for (let request = 0; request < 6; request++) {
      responses.push(await handler(getOrderEvent(order.orderId), lambdaContext()));
    }

    // THEN every answer is the last good copy, marked stale
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.headers).toMatchObject({
        ...STALE_RESPONSE_HEADERS,
        Age: expect.stringMatching(/^\d+$/),
      });
      expect(response.headers?.Warning).toBe('110 - "Response is Stale"');
      expect(parseBody(response)).toEqual(order);
    }
  });

  test('fails with 503, not 404, for an order it never read', async () => {
    // GIVEN DynamoDB down
    const handler = await loadHandler();
    await proxy.setFault({ down: true });

    // WHEN an order the container never read is requested
    const response = await handler(getOrderEvent(randomUUID()), lambdaContext());

    // THEN nobody can tell whether it exists: 503 with Retry-After
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
    expect(errorOf(response).code).toBe('SERVICE_UNAVAILABLE');
  });

  test('fails with 503 if the last good copy is older than the maximum age', async () => {
    // GIVEN a container whose copies may be 1 s old, and an order it read
    const handler = await loadHandler(1);
    const order = await putOrder();
    expect((await handler(getOrderEvent(order.orderId), lambdaContext())).statusCode).toBe(200);

    // WHEN DynamoDB goes down and the copy grows older than 1 s
    await proxy.setFault({ down: true });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const response = await handler(getOrderEvent(order.orderId), lambdaContext());

    // THEN the copy is not served
    expect(response.statusCode).toBe(503);
    expect(errorOf(response).code).toBe('SERVICE_UNAVAILABLE');
  });

  test("fails with 503 if the last good copy is another owner's order", async () => {
    // GIVEN an order of one key, read by the container
    const handler = await loadHandler();
    const order = await putOrder();
    expect((await handler(getOrderEvent(order.orderId), lambdaContext())).statusCode).toBe(200);

    // WHEN DynamoDB goes down and another key requests it
    await proxy.setFault({ down: true });
    const response = await handler(getOrderEvent(order.orderId, 'api-key-b'), lambdaContext());

    // THEN the copy is not revealed
    expect(response.statusCode).toBe(503);
  });
});
