/**
 * `GET /health`: a deep check of the function's dependencies, 200 when all answer, 503 otherwise.
 *
 * DynamoDB is probed with a GetItem of a key that never exists (only `dynamodb:GetItem`, which the
 * API handlers hold anyway, rather than the extra `dynamodb:DescribeTable`); the queue, when
 * `ORDERS_QUEUE_URL` is set, with GetQueueAttributes (`sqs:GetQueueAttributes`).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { documentClient } from '../shared/clients';
import { sqsClient } from '../shared/sqs-client';
import { ENVIRONMENT, requireEnvironment } from '../shared/environment';
import { jsonResponse } from '../shared/http';
import { logger } from '../shared/logger';
import { OrdersQueue } from '../shared/orders-queue';
import { OrdersRepository } from '../shared/orders-repository';
import { runHealthChecks, type HealthCheck } from './health-check';

/**
 * Deadline of each check. Route 53 health checks wait 2 seconds for a response once connected, so
 * the checks, run in parallel, must all finish well within that.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 1_500;

/** Seconds a health checker should wait before asking again after a 503. */
export const UNHEALTHY_RETRY_AFTER_SECONDS = 5;

const repository = new OrdersRepository(documentClient, requireEnvironment(ENVIRONMENT.ordersTableName));
const queueUrl = process.env[ENVIRONMENT.ordersQueueUrl];
const queue = queueUrl ? new OrdersQueue(sqsClient, queueUrl) : undefined;

const checks: Record<string, HealthCheck> = {
  dynamodb: (abortSignal) => repository.probe({ abortSignal }),
  ...(queue && {
    queue: async (abortSignal: AbortSignal) => ({
      approximateNumberOfMessages: await queue.approximateDepth({ abortSignal }),
    }),
  }),
};

/** Lambda entry point of `GET /health`. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  logger.setCorrelationId(event.requestContext?.requestId);
  const report = await runHealthChecks(checks, HEALTH_CHECK_TIMEOUT_MS);
  const noStore = { 'Cache-Control': 'no-store' };
  if (report.status === 'ok') {
    return jsonResponse(200, report, noStore);
  }
  logger.error('Health check failed', { report });
  return jsonResponse(503, report, { ...noStore, 'Retry-After': String(UNHEALTHY_RETRY_AFTER_SECONDS) });
}
