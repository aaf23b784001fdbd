import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import {
  failedItemIds,
  sqsEventOf,
  SqsEventSourcePoller,
} from '../../../local-cloud/event-sources/sqs-event-source';
import { SQS_INTERNAL_ERROR, startFaultProxy } from '../../../local-cloud/faults/fault-proxy';
import type { LocalFunction } from '../../../local-cloud/lambda/local-function';
import { localEndpoints, TEST_CREDENTIALS, TEST_REGION, testSqsClient } from '../../harness/local-aws';
import { eventually } from '../synthesized-assembly';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:orders';
const IDS = ['m1', 'm2', 'm3'];

describe('failedItemIds', () => {
  test('leaves only the reported items on the queue', () => {
    expect(failedItemIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, IDS, true)).toEqual(['m2']);
  });

  test('treats an empty or missing report as full success', () => {
    expect(failedItemIds({ batchItemFailures: [] }, IDS, true)).toEqual([]);
    expect(failedItemIds(null, IDS, true)).toEqual([]);
    expect(failedItemIds({}, IDS, true)).toEqual([]);
  });

  test('fails the whole batch if the report names an unknown or empty id, as Lambda does', () => {
    expect(failedItemIds({ batchItemFailures: [{ itemIdentifier: 'other' }] }, IDS, true)).toEqual(IDS);
    expect(failedItemIds({ batchItemFailures: [{ itemIdentifier: '' }] }, IDS, true)).toEqual(IDS);
    expect(failedItemIds({ batchItemFailures: 'm1' }, IDS, true)).toEqual(IDS);
  });

  test('ignores the response without ReportBatchItemFailures', () => {
    expect(failedItemIds({ batchItemFailures: [{ itemIdentifier: 'm2' }] }, IDS, false)).toEqual([]);
  });
});

describe('sqsEventOf', () => {
  test('builds records in the shape Lambda delivers', () => {
    // GIVEN a message as ReceiveMessage returns it
    const message: Message = {
      MessageId: 'm1',
      ReceiptHandle: 'handle',
      Body: '{"a":1}',
      MD5OfBody: 'md5',
      Attributes: {
        ApproximateReceiveCount: '3',
        SentTimestamp: '1',
        ApproximateFirstReceiveTimestamp: '2',
        SenderId: 's',
      },
      MessageAttributes: {
        idempotencyKey: { DataType: 'String', StringValue: 'key' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
      },
    };

    // WHEN
    const event = sqsEventOf([message], QUEUE_ARN, 'us-east-1');

    // THEN
    expect(event.Records).toEqual([
      {
        messageId: 'm1',
        receiptHandle: 'handle',
        body: '{"a":1}',
        attributes: {
          ApproximateReceiveCount: '3',
          SentTimestamp: '1',
          ApproximateFirstReceiveTimestamp: '2',
          SenderId: 's',
        },
        messageAttributes: {
          idempotencyKey: {
            dataType: 'String',
            stringValue: 'key',
            stringListValues: [],
            binaryListValues: [],
          },
          blob: { dataType: 'Binary', binaryValue: 'aGk=', stringListValues: [], binaryListValues: [] },
        },
        md5OfBody: 'md5',
        eventSource: 'aws:sqs',
        eventSourceARN: QUEUE_ARN,
        awsRegion: 'us-east-1',
      },
    ]);
  });
});

/** A mapping of `queueUrl` with Lambda's usual settings, two pollers. */
function mappingOf(queueUrl: string) {
  return {
    stackName: 'Stack',
    logicalId: 'Mapping',
    queue: { logicalId: 'Queue', queueName: 'q', queueUrl, queueArn: QUEUE_ARN, attributes: {} },
    functionReference: 'consumer',
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    maximumConcurrency: 2,
    reportBatchItemFailures: true,
    enabled: true,
  };
}

describe('SqsEventSourcePoller.releaseFailedMessages', () => {
  test('makes the messages of a failed invocation visible at once instead of after the visibility timeout', async () => {
    // GIVEN a queue with a 60 s visibility timeout and a consumer whose first invocation fails
    const sqs = testSqsClient();
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({
        QueueName: `release-${randomUUID()}`,
        Attributes: { VisibilityTimeout: '60' },
      }),
    );
    const invocations: string[][] = [];
    const consumer = {
      definition: {
        functionName: 'consumer',
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
      },
      invoke: (event: SQSEvent) => {
        invocations.push(event.Records.map((record) => record.body));
        return Promise.resolve(
          invocations.length === 1
            ? { status: 'failed', requestId: 'r1', error: { errorType: 'Error', errorMessage: 'injected' } }
            : { status: 'succeeded', requestId: 'r2', payload: { batchItemFailures: [] }, durationMs: 1 },
        );
      },
    } as unknown as LocalFunction;
    const poller = new SqsEventSourcePoller({
      definition: mappingOf(QueueUrl as string),
      target: consumer,
      client: sqs,
      region: TEST_REGION,
      log: () => {},
    });
    try {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'order-1' }));
      poller.start();
      await eventually(
        () => Promise.resolve(invocations.length === 1 ? true : undefined),
        5_000,
        'the failed invocation',
      );

      // WHEN the failed messages are released
      const released = await poller.releaseFailedMessages();

      // THEN the message is delivered again within seconds, not after 60 s, and then deleted
      expect(released).toBe(1);
      await eventually(
        () => Promise.resolve(invocations.length === 2 ? true : undefined),
        5_000,
        'the second delivery',
      );
      expect(invocations).toEqual([['order-1'], ['order-1']]);
    } finally {
      await poller.stop();
      sqs.destroy();
    }
  });
});

describe('SqsEventSourcePoller while SQS is down', () => {
  test('logs one line when polling starts failing and one when it works again, not one per attempt', async () => {
    // GIVEN a mapping polling a real queue through a fault proxy
    const sqs = testSqsClient();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `poll-log-${randomUUID()}` }));
    const proxy = await startFaultProxy({ target: localEndpoints().sqs, ...SQS_INTERNAL_ERROR });
    const client = new SQSClient({
      endpoint: proxy.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    const lines: string[] = [];
    const poller = new SqsEventSourcePoller({
      definition: mappingOf(QueueUrl as string),
      target: {} as LocalFunction,
      client,
      region: TEST_REGION,
      log: (line) => lines.push(line),
    });
    try {
      // WHEN SQS refuses connections for three seconds (both pollers retry every second), then is back
      await proxy.setFault({ down: true });
      poller.start();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await proxy.setFault({});
      await new Promise((resolve) => setTimeout(resolve, 2_500));

      // THEN the log has two lines: the first failure, and the recovery with the count of failures
      expect(lines).toEqual([
        expect.stringMatching(/SQS event source Stack\/Mapping: polling failed \(.+\); retrying every 1 s/),
        expect.stringMatching(
          /SQS event source Stack\/Mapping: polling works again after ([4-9]|\d\d+) failed attempts$/,
        ),
      ]);
      expect(lines[0]).not.toContain('\n');
    } finally {
      await poller.stop();
      client.destroy();
      await proxy.stop();
      sqs.destroy();
    }
  });
});
