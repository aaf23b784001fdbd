import { randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { AssemblyStack } from '../../local-cloud/assembly/cloud-assembly';
import type { BatchReport } from '../../local-cloud/event-sources/sqs-event-source';
import type { LocalQueue } from '../../local-cloud/resources/sqs-queues';
import { startRegionRuntime, type RegionRuntime, type StackRuntime } from '../../local-cloud/region-runtime';
import { apiGatewayEvent } from '../harness/lambda-events';
import { localEndpoints, testDocumentClient, testSqsClient, TEST_REGION } from '../harness/local-aws';
import { isRunning, workerProcessesOf } from './processes';
import {
  collectingLogSink,
  eventually,
  logicalIdOf,
  synthesizeAssembly,
  uniqueNamePrefix,
  type TestAssembly,
} from './synthesized-assembly';

const ASYNC_STACK = 'ResilientApi-async';
/**
 * The queue's visibility timeout is 180 s in the template (derived from the consumer's timeout);
 * the poison-message test lowers it in the emulator after provisioning so that a failed message
 * comes back within seconds instead of three minutes. It stays longer than the mapping's 1 s
 * batching window, as the template's does, so a message is not handed out twice while its batch
 * is still being gathered.
 */
const TEST_VISIBILITY_TIMEOUT_SECONDS = 2;

let testAssembly: TestAssembly;
let runtime: RegionRuntime;
let asyncRuntime: StackRuntime;
let stack: AssemblyStack;
let queue: LocalQueue;
let deadLetterQueue: LocalQueue;
let ordersTableName: string;
const batches: BatchReport[] = [];
const sqs: SQSClient = testSqsClient();
const documentClient: DynamoDBDocumentClient = testDocumentClient();

function orderBody(customerId: string): string {
  return JSON.stringify({ customerId, items: [{ sku: 'SKU-1', quantity: 2 }] });
}

function orderMessage(body: string, idempotencyKey: string) {
  return {
    MessageBody: body,
    MessageAttributes: {
      idempotencyKey: { DataType: 'String', StringValue: idempotencyKey },
      requestId: { DataType: 'String', StringValue: randomUUID() },
    },
  };
}

async function storedOrder(orderId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: ordersTableName, Key: { orderId }, ConsistentRead: true }),
  );
  return Item;
}

async function approximateMessages(queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

beforeAll(async () => {
  testAssembly = synthesizeAssembly({ variants: ['async'], bundle: true });
  runtime = await startRegionRuntime({
    assemblyDir: testAssembly.directory,
    stackNames: [ASYNC_STACK],
    region: TEST_REGION,
    dynamodbEndpoint: localEndpoints().dynamoDb,
    sqsEndpoint: localEndpoints().sqs,
    namePrefix: uniqueNamePrefix(),
    logSink: collectingLogSink().sink,
    onBatch: (report) => batches.push(report),
  });
  asyncRuntime = runtime.stacks.get(ASYNC_STACK)!;
  stack = asyncRuntime.stack;
  const queueId = logicalIdOf(stack, 'AWS::SQS::Queue', '/OrderQueue/Queue/Resource');
  const deadLetterQueueId = logicalIdOf(stack, 'AWS::SQS::Queue', '/OrderQueue/DeadLetterQueue/Resource');
  queue = asyncRuntime.queues.find((candidate) => candidate.logicalId === queueId)!;
  deadLetterQueue = asyncRuntime.queues.find((candidate) => candidate.logicalId === deadLetterQueueId)!;
  ordersTableName = asyncRuntime.resolver.resolveString(
    { Ref: logicalIdOf(stack, 'AWS::DynamoDB::GlobalTable', '/Orders/Table/Resource') },
    'orders table',
  );
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  sqs.destroy();
  documentClient.destroy();
  testAssembly?.remove();
});

describe('startRegionRuntime', () => {
  test('reports every resource of the template as emulated or not emulated', () => {
    const count = Object.keys(stack.template.Resources).length;
    expect(runtime.emulated.length + runtime.notEmulated.length).toBe(count);
    expect(runtime.emulated.map((resource) => resource.type)).toEqual(
      expect.arrayContaining(['AWS::Lambda::Function', 'AWS::Lambda::EventSourceMapping']),
    );
  });

  test('resolves the functions’ environments to the local resources', () => {
    const consumer = runtime.findFunction(
      logicalIdOf(stack, 'AWS::Lambda::Function', '/ProcessOrders/Function/Resource'),
    );
    expect(consumer.definition.environment.ORDERS_TABLE_NAME).toBe(ordersTableName);
    expect(consumer.definition.timeoutSeconds).toBe(30);
    expect(runtime.findFunction(consumer.definition.functionArn)).toBe(consumer);
  });

  test('the real get-order bundle answers 404 for an unknown order', async () => {
    // GIVEN
    const getOrder = logicalIdOf(stack, 'AWS::Lambda::Function', '/GetOrder/Function/Resource');
    const orderId = randomUUID();

    // WHEN
    const result = await runtime.invoke(
      getOrder,
      apiGatewayEvent({ path: `/orders/${orderId}`, pathParameters: { orderId } }),
    );

    // THEN
    expect(result.status).toBe('succeeded');
    const response = (result as { payload: APIGatewayProxyResult }).payload;
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  test('the consumer writes an order sent to the real queue', async () => {
    // GIVEN
    const orderId = randomUUID();

    // WHEN
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.queueUrl, ...orderMessage(orderBody('c-queued'), orderId) }),
    );

    // THEN
    const order = await eventually(() => storedOrder(orderId), 10_000, `order ${orderId} in DynamoDB`);
    expect(order).toMatchObject({ orderId, customerId: 'c-queued', status: 'CONFIRMED' });
    await eventually(
      async () => ((await approximateMessages(queue.queueUrl)) === 0 ? true : undefined),
      5_000,
      'the queue to be empty',
    );
  });

  test('a poison message goes to the dead-letter queue after maxReceiveCount while the rest of its batch succeeds', async () => {
    // GIVEN a short visibility timeout (see TEST_VISIBILITY_TIMEOUT_SECONDS) and the template's receive limit
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queue.queueUrl,
        Attributes: { VisibilityTimeout: String(TEST_VISIBILITY_TIMEOUT_SECONDS) },
      }),
    );
    const { maxReceiveCount } = JSON.parse(queue.attributes.RedrivePolicy ?? '{}') as {
      maxReceiveCount: number;
    };
    const validKeys = [randomUUID(), randomUUID(), randomUUID()];
    batches.length = 0;

    // WHEN one batch holds a poison message and valid orders
    const { Successful = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: [
          { Id: 'poison', ...orderMessage('{"customerId":', randomUUID()) },
          ...validKeys.map((key, index) => ({
            Id: `valid${index}`,
            ...orderMessage(orderBody(`c-${index}`), key),
          })),
        ],
      }),
    );
    const poisonId = Successful.find((entry) => entry.Id === 'poison')!.MessageId!;
    const validIds = Successful.filter((entry) => entry.Id !== 'poison').map((entry) => entry.MessageId!);

    // THEN the valid orders are written and deleted on their first delivery
    for (const key of validKeys) {
      await eventually(() => storedOrder(key), 10_000, `order ${key}`);
    }
    // AND the poison message lands in the dead-letter queue after maxReceiveCount deliveries
    const deadLetters = await eventually(
      async () => {
        const { Messages } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: deadLetterQueue.queueUrl, WaitTimeSeconds: 1 }),
        );
        return Messages?.length ? Messages : undefined;
      },
      20_000,
      'the poison message in the dead-letter queue',
    );
    expect(deadLetters.map((message) => message.MessageId)).toEqual([poisonId]);
    const deliveries = batches.filter((batch) => batch.messageIds.includes(poisonId));
    expect(deliveries).toHaveLength(maxReceiveCount);
    for (const delivery of deliveries) {
      // Only the poison message is retried; the rest of its batch is deleted.
      expect(delivery.retriedMessageIds).toEqual([poisonId]);
      expect(delivery.deletedMessageIds).toEqual(delivery.messageIds.filter((id) => id !== poisonId));
    }
    expect(deliveries.some((delivery) => delivery.deletedMessageIds.length > 0)).toBe(true);
    // Each valid message is deleted exactly once, and nothing else is.
    const deleted = batches.flatMap((batch) => batch.deletedMessageIds);
    expect([...deleted].sort()).toEqual([...validIds].sort());
    expect(await approximateMessages(queue.queueUrl)).toBe(0);
  }, 40_000);

  test('stop() ends the pollers within one long poll and leaves no worker process', async () => {
    // GIVEN warm workers of every function that ran
    const pids = [...asyncRuntime.functions.values()].flatMap((fn) => fn.workerPids);
    expect(pids.length).toBeGreaterThan(0);

    // WHEN
    const started = Date.now();
    await runtime.stop();

    // THEN it waits at most for the long polls in flight (1 s; they are not aborted, since an aborted
    // receive may already have taken messages on the queue's side), plus the batches they bring
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(workerProcessesOf(testAssembly.directory)).toEqual([]);
  });

  test('fails if a stack is bound to another region', async () => {
    await expect(
      startRegionRuntime({
        assemblyDir: testAssembly.directory,
        stackNames: [ASYNC_STACK],
        region: 'us-west-2',
        dynamodbEndpoint: localEndpoints().dynamoDb,
        sqsEndpoint: localEndpoints().sqs,
      }),
    ).rejects.toThrow(
      'Stack ResilientApi-async is bound to region us-east-1; it cannot run in the us-west-2 runtime',
    );
  });
});
