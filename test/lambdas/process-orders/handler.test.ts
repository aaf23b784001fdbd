import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type * as ProcessOrdersHandlerModule from '../../../lambdas/process-orders/handler';
import type * as MetricsModule from '../../../lambdas/platform/metrics';
import { apiKeyOwnerId } from '../../../lambdas/orders/order-owner';
import { lambdaContext, sqsEvent, sqsRecord, type OrderMessage } from '../../harness/lambda-events';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { testDocumentClient } from '../../harness/local-aws';
import { createTestTables, uniqueTableName, type TestTables } from '../../harness/tables';

const documentClient = testDocumentClient();
let tables: TestTables;
let processOrders: typeof ProcessOrdersHandlerModule.handler;
let metrics: typeof MetricsModule.metrics;

function orderMessage(order: object, idempotencyKey: string | undefined = randomUUID()): OrderMessage {
  return { body: JSON.stringify(order), idempotencyKey };
}

function anOrder(customerId = 'customer-1') {
  return { customerId, items: [{ sku: 'SKU-1', quantity: 1 }] };
}

async function storedOrder(orderId: string | undefined): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tables.ordersTableName, Key: { orderId }, ConsistentRead: true }),
  );
  return Item;
}

beforeAll(async () => {
  tables = await createTestTables();
  ({ processOrders, metrics } = await loadWithEnvironment(handlerEnvironment(tables), async () => ({
    processOrders: (await import('../../../lambdas/process-orders/handler')).handler,
    metrics: (await import('../../../lambdas/platform/metrics')).metrics,
  })));
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(() => {
  documentClient.destroy();
});

describe('orders queue consumer', () => {
  test('writes every order of a valid batch and reports no failures', async () => {
    // GIVEN a batch of three valid order messages
    const messages = ['a', 'b', 'c'].map((customer) => orderMessage(anOrder(customer)));

    // WHEN the batch is processed
    const response = await processOrders(sqsEvent(messages.map(sqsRecord)), lambdaContext());

    // THEN nothing failed and every order is stored under its key
    expect(response.batchItemFailures).toEqual([]);
    for (const message of messages) {
      expect(await storedOrder(message.idempotencyKey)).toEqual({
        orderId: message.idempotencyKey,
        ...JSON.parse(message.body),
        status: 'CONFIRMED',
        createdAt: expect.any(String),
      });
    }
  });

  test.each([
    [
      'a digest of the apiKey attribute (the key value)',
      { apiKey: 'client-a-value-0123456789abcdef', apiKeyId: 'id-1' },
      apiKeyOwnerId('client-a-value-0123456789abcdef'),
    ],
    ['the apiKeyId attribute for a message queued by an earlier version', { apiKeyId: 'id-1' }, 'id-1'],
  ])('records %s as the owner of the order', async (_case, attributes: Record<string, string>, ownerId) => {
    // GIVEN a message API Gateway wrote for a request made with an API key
    const message = orderMessage(anOrder());
    const record = sqsRecord(message);
    for (const [name, value] of Object.entries(attributes)) {
      record.messageAttributes[name] = { dataType: 'String', stringValue: value };
    }

    // WHEN it is processed
    const response = await processOrders(sqsEvent([record]), lambdaContext());

    // THEN the order is stored with its owner, and never with the key value
    expect(response.batchItemFailures).toEqual([]);
    const stored = await storedOrder(message.idempotencyKey);
    expect(stored).toMatchObject({ orderId: message.idempotencyKey, ownerId });
    expect(JSON.stringify(stored)).not.toContain('client-a-value');
  });

  test.each([
    ['a body that is not JSON', { body: '{"customerId":', idempotencyKey: randomUUID() }],
    [
      'a body that breaks the schema',
      { body: JSON.stringify({ customerId: 'c', items: [] }), idempotencyKey: randomUUID() },
    ],
    ['no idempotencyKey attribute', { body: JSON.stringify(anOrder()), idempotencyKey: undefined }],
    ['an idempotencyKey that is not a UUID', { body: JSON.stringify(anOrder()), idempotencyKey: 'key-1' }],
  ])('fails only the record with %s and writes the others', async (_case, poison: OrderMessage) => {
    // GIVEN a poison message between two valid ones
    const before = orderMessage(anOrder('before'));
    const after = orderMessage(anOrder('after'));
    const records = [before, poison, after].map(sqsRecord);

    // WHEN the batch is processed
    const response = await processOrders(sqsEvent(records), lambdaContext());

    // THEN exactly the poison message is reported for retry (and, in time, the DLQ)
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1].messageId }]);
    expect(await storedOrder(before.idempotencyKey)).toMatchObject({
      orderId: before.idempotencyKey,
      customerId: 'before',
    });
    expect(await storedOrder(after.idempotencyKey)).toMatchObject({
      orderId: after.idempotencyKey,
      customerId: 'after',
    });
  });

  test('fails the whole invocation if every record of the batch is poison', async () => {
    // GIVEN a batch of poison messages only
    const records = [sqsRecord({ body: 'not json', idempotencyKey: randomUUID() })];

    // WHEN the batch is processed
    const processing = processOrders(sqsEvent(records), lambdaContext());

    // THEN the invocation fails, which Lambda treats like reporting every record
    await expect(processing).rejects.toThrow(/All records failed/);
  });

  test('writes one order for a message delivered twice', async () => {
    // GIVEN a message that SQS delivers twice (at-least-once delivery), in one batch and in a later one
    const message = orderMessage(anOrder());
    const first = await processOrders(sqsEvent([sqsRecord(message), sqsRecord(message)]), lambdaContext());
    const stored = await storedOrder(message.idempotencyKey);

    // WHEN it is delivered once more
    const redelivery = await processOrders(sqsEvent([sqsRecord(message)]), lambdaContext());

    // THEN no delivery failed and the first order is unchanged
    expect(first.batchItemFailures).toEqual([]);
    expect(redelivery.batchItemFailures).toEqual([]);
    expect(await storedOrder(message.idempotencyKey)).toEqual(stored);
  });

  test('keeps the first order and counts the reuse if a key comes back with a different body', async () => {
    // GIVEN an order that was processed
    const key = randomUUID();
    await processOrders(sqsEvent([sqsRecord(orderMessage(anOrder('first'), key))]), lambdaContext());
    const firstOrder = await storedOrder(key);
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // WHEN the same key arrives with another body
    const response = await processOrders(
      sqsEvent([sqsRecord(orderMessage(anOrder('second'), key))]),
      lambdaContext(),
    );

    // THEN the message is not a failure, the first order stays, and the reuse is counted
    expect(response.batchItemFailures).toEqual([]);
    expect(await storedOrder(key)).toEqual(firstOrder);
    expect(firstOrder).toMatchObject({ customerId: 'first' });
    expect(addMetric).toHaveBeenCalledWith('IdempotencyKeyReused', 'Count', 1);
  });

  test('fails the records, for a retry, if the orders table does not exist', async () => {
    // GIVEN a consumer whose orders table is missing
    const { handler } = await loadWithEnvironment(
      handlerEnvironment({ ...tables, ordersTableName: uniqueTableName('missing') }),
      () => import('../../../lambdas/process-orders/handler'),
    );
    const message = orderMessage(anOrder());

    // WHEN a valid message is processed
    const processing = handler(sqsEvent([sqsRecord(message)]), lambdaContext());

    // THEN the invocation fails so that SQS redelivers the message later
    await expect(processing).rejects.toThrow(/All records failed/);
  });
});
