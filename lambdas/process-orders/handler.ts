/**
 * Queue consumer of the asynchronous variant: an SQS batch in, the ids of failed records out, so
 * that only those are retried (the event source mapping must enable ReportBatchItemFailures).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { documentClient, dynamoDbClient } from '../platform/clients';
import { ENVIRONMENT, requireEnvironment } from '../contract/environment';
import { logger } from '../platform/logger';
import { publishMetrics } from '../platform/metrics';
import { OrderPlacement } from '../orders/order-placement';
import { OrdersRepository } from '../orders/orders-repository';
import { ORDER_MESSAGE_ATTRIBUTES, processOrderMessage } from './process-orders';

const placement = new OrderPlacement({
  repository: new OrdersRepository(documentClient, requireEnvironment(ENVIRONMENT.ordersTableName)),
  persistenceStore: new DynamoDBPersistenceLayer({
    tableName: requireEnvironment(ENVIRONMENT.idempotencyTableName),
    awsSdkV3Client: dynamoDbClient,
  }),
});

const processor = new BatchProcessor(EventType.SQS, { logger });

/** Lambda entry point of the orders queue consumer. */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  placement.registerLambdaContext(context);
  try {
    return await processPartialResponse(event, processRecord, processor, {
      context,
      // One record at a time, so the singleton logger's correlation id is always the current
      // record's key; a batch is at most 10 messages, each a few milliseconds of DynamoDB calls.
      processInParallel: false,
    });
  } finally {
    publishMetrics();
  }
}

async function processRecord(record: SQSRecord): Promise<void> {
  const key = record.messageAttributes?.[ORDER_MESSAGE_ATTRIBUTES.idempotencyKey]?.stringValue;
  logger.setCorrelationId(key ?? record.messageId);
  try {
    await processOrderMessage(record, placement);
  } catch (error) {
    logger.error('Order message failed', { messageId: record.messageId, error });
    throw error;
  }
}
