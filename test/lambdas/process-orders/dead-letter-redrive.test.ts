import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import type * as ProcessOrdersHandlerModule from '../../../lambdas/process-orders/handler';
import { sqsEventOf } from '../../../local-cloud/event-sources/sqs-event-source';
import { lambdaContext } from '../../harness/lambda-events';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { testDocumentClient, testSqsClient } from '../../harness/local-aws';
import { createTestTables, type TestTables } from '../../harness/tables';

/** The redrive policy's receive limit, as the queue construct configures it. */
const MAX_RECEIVE_COUNT = 5;
/** Short, so that a failed message is visible again quickly; in AWS it is derived from the consumer timeout. */
const VISIBILITY_TIMEOUT_SECONDS = 1;
const POLL_DEADLINE_MS = 14_000;

const sqsClient = testSqsClient();
const documentClient = testDocumentClient();
let tables: TestTables;
let processOrders: typeof ProcessOrdersHandlerModule.handler;

async function queueAttribute(
  queueUrl: string,
  name: 'QueueArn' | 'ApproximateNumberOfMessages',
): Promise<string> {
  const { Attributes } = await sqsClient.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name] }),
  );
  return Attributes?.[name] ?? '';
}

/** Creates a queue with a dead-letter queue, as the queue construct does. */
async function createQueueWithDeadLetterQueue(): Promise<{
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
}> {
  const suffix = randomUUID();
  const { QueueUrl: deadLetterQueueUrl } = await sqsClient.send(
    new CreateQueueCommand({ QueueName: `orders-dlq-${suffix}` }),
  );
  const deadLetterQueueArn = await queueAttribute(deadLetterQueueUrl!, 'QueueArn');
  const { QueueUrl: queueUrl } = await sqsClient.send(
    new CreateQueueCommand({
      QueueName: `orders-${suffix}`,
      Attributes: {
        VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterQueueArn,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );
  return {
    queueUrl: queueUrl!,
    queueArn: await queueAttribute(queueUrl!, 'QueueArn'),
    deadLetterQueueUrl: deadLetterQueueUrl!,
  };
}

/** Sends a message the way API Gateway's SQS integration does. */
async function sendOrderMessage(queueUrl: string, body: string, idempotencyKey: string): Promise<string> {
  const { MessageId } = await sqsClient.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: {
        idempotencyKey: { DataType: 'String', StringValue: idempotencyKey },
        requestId: { DataType: 'String', StringValue: randomUUID() },
      },
    }),
  );
  return MessageId!;
}

/**
 * One poll of the Lambda event source mapping: receive a batch, invoke the consumer, delete the
 * messages it did not report as failed (none when the invocation throws).
 */
async function pollOnce(queueUrl: string, queueArn: string): Promise<Message[]> {
  const { Messages = [] } = await sqsClient.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return Messages;
  let response: SQSBatchResponse;
  try {
    response = await processOrders(sqsEventOf(Messages, queueArn, queueArn.split(':')[3]), lambdaContext());
  } catch {
    return Messages;
  }
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const succeeded = Messages.filter((message) => !failed.has(message.MessageId!));
  if (succeeded.length > 0) {
    await sqsClient.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle!,
        })),
      }),
    );
  }
  return Messages;
}

beforeAll(async () => {
  tables = await createTestTables();
  ({ handler: processOrders } = await loadWithEnvironment(
    handlerEnvironment(tables),
    () => import('../../../lambdas/process-orders/handler'),
  ));
});

afterAll(() => {
  sqsClient.destroy();
  documentClient.destroy();
});

describe('orders queue redrive', () => {
  test(`moves a poison message to the dead-letter queue after ${MAX_RECEIVE_COUNT} receives, and writes the valid order`, async () => {
    // GIVEN a queue with a dead-letter queue, holding a poison message and a valid order
    const { queueUrl, queueArn, deadLetterQueueUrl } = await createQueueWithDeadLetterQueue();
    const poisonId = await sendOrderMessage(queueUrl, '{"customerId":', randomUUID());
    const validKey = randomUUID();
    const validId = await sendOrderMessage(
      queueUrl,
      JSON.stringify({ customerId: 'c', items: [{ sku: 's', quantity: 1 }] }),
      validKey,
    );

    // WHEN the consumer polls the queue like the event source mapping, until the dead-letter queue fills
    const receives = new Map<string, number>();
    const deadline = Date.now() + POLL_DEADLINE_MS;
    while ((await queueAttribute(deadLetterQueueUrl, 'ApproximateNumberOfMessages')) === '0') {
      if (Date.now() > deadline)
        throw new Error(
          `The poison message did not reach the DLQ (receives: ${JSON.stringify([...receives])})`,
        );
      for (const message of await pollOnce(queueUrl, queueArn)) {
        receives.set(message.MessageId!, (receives.get(message.MessageId!) ?? 0) + 1);
      }
    }

    // THEN the poison message was tried exactly maxReceiveCount times and is in the DLQ, the valid
    // order was written on its first delivery, and the queue is empty
    expect(receives.get(poisonId)).toBe(MAX_RECEIVE_COUNT);
    expect(receives.get(validId)).toBe(1);
    const { Messages: deadLetters = [] } = await sqsClient.send(
      new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(deadLetters.map((message) => message.MessageId)).toEqual([poisonId]);
    expect(await queueAttribute(queueUrl, 'ApproximateNumberOfMessages')).toBe('0');
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tables.ordersTableName, Key: { orderId: validKey }, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ orderId: validKey, customerId: 'c', status: 'CONFIRMED' });
  });
});
