import type { Message } from '@aws-sdk/client-sqs';
import { failedItemIds, sqsEventOf } from '../../../local-cloud/event-sources/sqs-event-source';

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
