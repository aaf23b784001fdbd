import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type * as CreateOrderHandlerModule from '../../../lambdas/create-order/handler';
import type * as GetOrderHandlerModule from '../../../lambdas/get-order/handler';
import type { Order } from '../../../lambdas/orders/order';
import { MAX_REQUEST_BODY_BYTES } from '../../../lambdas/contract/order-schema';
import { apiKeyOwnerId } from '../../../lambdas/orders/order-owner';
import {
  apiGatewayEvent,
  createOrderEvent,
  lambdaContext,
  testApiKey,
  withApiKey,
} from '../../harness/lambda-events';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { storeOrder } from '../../harness/orders';
import { errorOf, parseBody } from '../../harness/responses';
import { testDocumentClient } from '../../harness/local-aws';
import { createTestTables, uniqueTableName, type TestTables } from '../../harness/tables';

type Handler = typeof CreateOrderHandlerModule.handler;

const documentClient = testDocumentClient();
let tables: TestTables;
let createOrder: Handler;
let getOrder: typeof GetOrderHandlerModule.handler;

const KEY_A = testApiKey('client-a');
const KEY_B = testApiKey('client-b');

const ORDER = { customerId: 'customer-1', items: [{ sku: 'SKU-1', quantity: 2 }], note: 'leave at the door' };

function parse(response: APIGatewayProxyResult): Order {
  return parseBody<Order>(response);
}

async function ordersWithId(orderId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await documentClient.send(
    new ScanCommand({
      TableName: tables.ordersTableName,
      FilterExpression: 'orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': orderId },
      ConsistentRead: true,
    }),
  );
  return Items;
}

beforeAll(async () => {
  tables = await createTestTables();
  const environment = handlerEnvironment(tables);
  createOrder = (
    await loadWithEnvironment(environment, () => import('../../../lambdas/create-order/handler'))
  ).handler;
  getOrder = (await loadWithEnvironment(environment, () => import('../../../lambdas/get-order/handler')))
    .handler;
});

afterAll(() => {
  documentClient.destroy();
});

describe('POST /orders', () => {
  test('creates an order that GET /orders/{orderId} then returns', async () => {
    // GIVEN a valid order and a fresh idempotency key
    const key = randomUUID();

    // WHEN the order is created and then read
    const created = await createOrder(createOrderEvent(ORDER, key), lambdaContext());
    const read = await getOrder(
      apiGatewayEvent({ path: `/orders/${key}`, pathParameters: { orderId: key } }),
      lambdaContext(),
    );

    // THEN the order is confirmed under the key, read back identically, and stored
    expect(created.statusCode).toBe(201);
    expect(created.headers).toMatchObject({ 'Content-Type': 'application/json' });
    const order = parse(created);
    expect(order).toEqual({ orderId: key, ...ORDER, status: 'CONFIRMED', createdAt: expect.any(String) });
    expect(new Date(order.createdAt).toISOString()).toBe(order.createdAt);
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe(created.body);
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tables.ordersTableName, Key: { orderId: key } }),
    );
    expect(Item).toEqual(order);
  });

  test('replays a duplicate request with an identical response and a single order', async () => {
    // GIVEN an order that was created
    const key = randomUUID();
    const first = await createOrder(createOrderEvent(ORDER, key), lambdaContext());

    // WHEN the same request is sent again
    const replay = await createOrder(createOrderEvent(ORDER, key), lambdaContext());

    // THEN the answer is the same, and there is still one order
    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(await ordersWithId(key)).toHaveLength(1);
  });

  test('treats a replay with keys in another order and extra whitespace as the same request', async () => {
    // GIVEN an order that was created
    const key = randomUUID();
    const first = await createOrder(createOrderEvent(ORDER, key), lambdaContext());

    // WHEN the same order is sent with its properties reordered and pretty-printed
    const reordered = JSON.stringify(
      { note: ORDER.note, items: [{ quantity: 2, sku: 'SKU-1' }], customerId: 'customer-1' },
      null,
      2,
    );
    const replay = await createOrder(createOrderEvent(reordered, key), lambdaContext());

    // THEN it is a replay, not a conflict
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
  });

  test('rejects a reused idempotency key with a different body', async () => {
    // GIVEN an order that was created
    const key = randomUUID();
    const first = await createOrder(createOrderEvent(ORDER, key), lambdaContext());

    // WHEN the key is sent again with another body
    const reused = await createOrder(
      createOrderEvent({ ...ORDER, items: [{ sku: 'SKU-2', quantity: 1 }] }, key),
      lambdaContext(),
    );

    // THEN it is refused with 422 and the first order is kept
    expect(reused.statusCode).toBe(422);
    expect(errorOf(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersWithId(key)).toEqual([parse(first)]);
  });

  test('keeps one order per key after the idempotency record has expired', async () => {
    // GIVEN an order whose idempotency record is gone (expired and removed by TTL)
    const key = randomUUID();
    const first = await createOrder(createOrderEvent(ORDER, key), lambdaContext());
    await deleteAllIdempotencyRecords();

    // WHEN the same request, then a different body, arrive with the key
    const replay = await createOrder(createOrderEvent(ORDER, key), lambdaContext());
    await deleteAllIdempotencyRecords();
    const reused = await createOrder(createOrderEvent({ ...ORDER, note: 'changed' }, key), lambdaContext());

    // THEN the conditional write answers in place of the record: same order, then 422, one item
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(reused.statusCode).toBe(422);
    expect(errorOf(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await ordersWithId(key)).toEqual([parse(first)]);
  });

  test('answers concurrent duplicates with the one order or 409, and writes one item', async () => {
    // GIVEN ten identical requests sent at the same time
    const key = randomUUID();
    const requests = Array.from({ length: 10 }, () =>
      createOrder(createOrderEvent(ORDER, key), lambdaContext()),
    );

    // WHEN they all complete
    const responses = await Promise.all(requests);

    // THEN each is the same 201 or a 409 asking to retry after a second, and one item exists
    const created = responses.filter((response) => response.statusCode === 201);
    const inProgress = responses.filter((response) => response.statusCode === 409);
    expect(created.length + inProgress.length).toBe(responses.length);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((response) => response.body)).size).toBe(1);
    for (const response of inProgress) {
      expect(response.headers).toMatchObject({ 'Retry-After': '1' });
      expect(errorOf(response).code).toBe('REQUEST_IN_PROGRESS');
    }
    expect(await ordersWithId(key)).toEqual([parse(created[0])]);
  });

  test('accepts a base64-encoded body, a charset parameter and a lower-case key header', async () => {
    // GIVEN a request as API Gateway passes binary-typed bodies
    const key = randomUUID();
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/orders',
      headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': key },
      body: Buffer.from(JSON.stringify(ORDER)).toString('base64'),
      isBase64Encoded: true,
    });

    // WHEN it is handled
    const response = await createOrder(event, lambdaContext());

    // THEN the order is created
    expect(response.statusCode).toBe(201);
    expect(parse(response)).toMatchObject({ orderId: key, ...ORDER });
  });

  test('creates an order without the optional note', async () => {
    // GIVEN an order without a note
    const key = randomUUID();
    const withoutNote = { customerId: ORDER.customerId, items: ORDER.items };

    // WHEN it is created
    const response = await createOrder(createOrderEvent(withoutNote, key), lambdaContext());

    // THEN the order has no note
    expect(response.statusCode).toBe(201);
    expect(parse(response)).not.toHaveProperty('note');
  });

  test('takes a request without Content-Type for JSON, as API Gateway does', async () => {
    // GIVEN a valid order without a media type
    const event = apiGatewayEvent({
      method: 'POST',
      path: '/orders',
      headers: { 'Idempotency-Key': randomUUID() },
      body: JSON.stringify(ORDER),
    });
    // WHEN / THEN
    expect((await createOrder(event, lambdaContext())).statusCode).toBe(201);
  });

  describe('client mistakes', () => {
    const key = randomUUID();
    const tooLarge = JSON.stringify({ ...ORDER, note: 'x'.repeat(MAX_REQUEST_BODY_BYTES) });

    test.each([
      [
        'a text/plain body',
        { 'Content-Type': 'text/plain', 'Idempotency-Key': key },
        JSON.stringify(ORDER),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a body over the size limit',
        { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        tooLarge,
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'no Idempotency-Key',
        { 'Content-Type': 'application/json' },
        JSON.stringify(ORDER),
        400,
        'MISSING_IDEMPOTENCY_KEY',
      ],
      [
        'a key that is not a UUID',
        { 'Content-Type': 'application/json', 'Idempotency-Key': 'abc' },
        JSON.stringify(ORDER),
        400,
        'INVALID_IDEMPOTENCY_KEY',
      ],
      [
        'a body that is not JSON',
        { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        '{"customerId":',
        400,
        'INVALID_JSON',
      ],
      [
        'an empty body',
        { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        '',
        400,
        'INVALID_JSON',
      ],
      [
        'a media type checked before the size',
        { 'Content-Type': 'text/plain', 'Idempotency-Key': key },
        tooLarge,
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a size checked before the key',
        { 'Content-Type': 'application/json' },
        tooLarge,
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'a key checked before the JSON',
        { 'Content-Type': 'application/json' },
        'not json',
        400,
        'MISSING_IDEMPOTENCY_KEY',
      ],
      [
        'the Idempotency-Key sent twice',
        { 'Content-Type': 'application/json', 'Idempotency-Key': [randomUUID(), key] },
        JSON.stringify(ORDER),
        400,
        'INVALID_IDEMPOTENCY_KEY',
      ],
    ])('rejects a request with %s', async (_case, headers, body, status, code) => {
      // GIVEN a request with one mistake
      const event = apiGatewayEvent({ method: 'POST', path: '/orders', headers, body });

      // WHEN it is handled
      const response = await createOrder(event, lambdaContext());

      // THEN it is refused with the mistake's status and code, in the API's error shape
      expect(response.statusCode).toBe(status);
      expect(Object.keys(parseBody<object>(response))).toEqual(['error']);
      expect(errorOf(response)).toMatchObject({
        code,
        message: expect.any(String),
        requestId: event.requestContext.requestId,
      });
      expect(await ordersWithId(key)).toHaveLength(0);
    });

    test('rejects a malformed key with the header named in the details', async () => {
      // GIVEN a key that is not a UUID
      const event = createOrderEvent(ORDER, 'not-a-uuid');

      // WHEN it is handled
      const response = await createOrder(event, lambdaContext());

      // THEN the details name the header
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).details).toEqual([{ field: 'Idempotency-Key', message: expect.any(String) }]);
    });

    test('rejects a body that breaks the schema with every field-level problem', async () => {
      // GIVEN a body with an empty customer id, a zero quantity, a missing sku and an unknown property
      const body = {
        customerId: '',
        items: [{ sku: 'SKU-1', quantity: 0 }, { quantity: 1 }],
        coupon: 'FREE',
      };

      // WHEN it is handled
      const response = await createOrder(createOrderEvent(body, randomUUID()), lambdaContext());

      // THEN each problem is reported with a JSON pointer to its field
      expect(response.statusCode).toBe(400);
      const error = errorOf(response);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.map((detail) => detail.field).sort()).toEqual(
        ['/coupon', '/customerId', '/items/0/quantity', '/items/1/sku'].sort(),
      );
    });

    test.each([
      ['an array', []],
      ['no items', { customerId: 'c', items: [] }],
      ['a fractional quantity', { customerId: 'c', items: [{ sku: 's', quantity: 1.5 }] }],
      [
        'too many items',
        { customerId: 'c', items: Array.from({ length: 51 }, () => ({ sku: 's', quantity: 1 })) },
      ],
      [
        'a note over 500 characters',
        { customerId: 'c', items: [{ sku: 's', quantity: 1 }], note: 'n'.repeat(501) },
      ],
    ])('rejects a body with %s', async (_case, body) => {
      // GIVEN a body the schema refuses
      // WHEN it is handled
      const response = await createOrder(createOrderEvent(body, randomUUID()), lambdaContext());

      // THEN it is a validation failure, never a server error
      expect(response.statusCode).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    });
  });

  describe('owner-scoped access', () => {
    test('records a digest of the API key value as the owner, never the value, and does not return it', async () => {
      // GIVEN a request made with an API key
      const key = randomUUID();

      // WHEN the order is created
      const created = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());

      // THEN the stored item names the owner, the answer does not
      expect(created.statusCode).toBe(201);
      expect(parse(created)).not.toHaveProperty('ownerId');
      const ownerId = apiKeyOwnerId(KEY_A.value);
      expect(await ordersWithId(key)).toEqual([{ ...parse(created), ownerId }]);
      expect(ownerId).toMatch(/^apikey-sha256:[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(await ordersWithId(key))).not.toContain(KEY_A.value);
    });

    test("replays the order to the same API key value through another region's key id", async () => {
      // GIVEN an order created with a key in us-east-1
      const key = randomUUID();
      const first = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());
      await deleteAllIdempotencyRecords();

      // WHEN the same client replays it through us-west-2, where its key has another id
      const replay = await createOrder(
        withApiKey(createOrderEvent(ORDER, key), testApiKey('client-a', 'us-west-2')),
        lambdaContext(),
      );

      // THEN it gets the same order
      expect(replay.statusCode).toBe(201);
      expect(replay.body).toBe(first.body);
    });

    test('replays an order stored under the key id by an earlier version to the same key', async () => {
      // GIVEN an order whose owner is the key's regional id (as stored before owners were digests)
      const key = randomUUID();
      const first = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());
      await storeOrder(documentClient, tables.ordersTableName, { order: parse(first), ownerId: KEY_A.id });
      await deleteAllIdempotencyRecords();

      // WHEN the same key replays the request
      const replay = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());

      // THEN it gets the same order, still stored under the former owner
      expect(replay.statusCode).toBe(201);
      expect(replay.body).toBe(first.body);
      expect(await ordersWithId(key)).toEqual([{ ...parse(first), ownerId: KEY_A.id }]);
    });

    test('replays the order to the same API key', async () => {
      // GIVEN an order created with an API key
      const key = randomUUID();
      const first = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());

      // WHEN the same key replays the request
      const replay = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());

      // THEN it gets the same order
      expect(replay.statusCode).toBe(201);
      expect(replay.body).toBe(first.body);
    });

    test.each([
      ['with an idempotency record', false],
      ['after the idempotency record has expired', true],
    ])(
      "refuses another API key's Idempotency-Key with 422 and keeps the order (%s)",
      async (_case, recordExpired) => {
        // GIVEN an order created with one API key
        const key = randomUUID();
        const first = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_A), lambdaContext());
        if (recordExpired) await deleteAllIdempotencyRecords();

        // WHEN another API key sends the same request with the same Idempotency-Key
        const other = await createOrder(withApiKey(createOrderEvent(ORDER, key), KEY_B), lambdaContext());

        // THEN it is refused as a reused key, learns nothing of the order, and the order is untouched
        expect(other.statusCode).toBe(422);
        expect(errorOf(other).code).toBe('IDEMPOTENCY_KEY_REUSED');
        expect(other.body).not.toMatch(/customer-1|SKU-1/);
        expect(await ordersWithId(key)).toEqual([{ ...parse(first), ownerId: apiKeyOwnerId(KEY_A.value) }]);
      },
    );

    test('uses the authorizer principal as the owner when there is no API key', async () => {
      // GIVEN a request authenticated by an authorizer, without an API key
      const key = randomUUID();
      const event = createOrderEvent(ORDER, key);
      const authorized = {
        ...event,
        requestContext: { ...event.requestContext, authorizer: { principalId: 'user-1' } },
      };

      // WHEN the order is created
      const created = await createOrder(authorized, lambdaContext());

      // THEN the principal owns it
      expect(created.statusCode).toBe(201);
      expect(await ordersWithId(key)).toEqual([{ ...parse(created), ownerId: 'user-1' }]);
    });
  });

  describe('unavailable dependencies', () => {
    test.each([
      ['the orders table', { ordersTableName: uniqueTableName('missing') }],
      ['the idempotency table', { idempotencyTableName: uniqueTableName('missing') }],
    ])('fails with 503 and Retry-After if %s does not exist', async (_case, override) => {
      // GIVEN a handler whose table is missing
      const { handler } = await loadWithEnvironment(
        handlerEnvironment({ ...tables, ...override }),
        () => import('../../../lambdas/create-order/handler'),
      );

      // WHEN an order is created
      const response = await handler(createOrderEvent(ORDER, randomUUID()), lambdaContext());

      // THEN the client is asked to retry later, without internals in the body
      expect(response.statusCode).toBe(503);
      expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
      expect(errorOf(response).code).toBe('SERVICE_UNAVAILABLE');
      expect(response.body).not.toMatch(/ResourceNotFound|at .*\.ts|missing-/);
    });
  });
});

async function deleteAllIdempotencyRecords(): Promise<void> {
  const { Items = [] } = await documentClient.send(
    new ScanCommand({ TableName: tables.idempotencyTableName, ConsistentRead: true }),
  );
  await Promise.all(
    Items.map((item) =>
      documentClient.send(
        new DeleteCommand({ TableName: tables.idempotencyTableName, Key: { id: item.id } }),
      ),
    ),
  );
}
