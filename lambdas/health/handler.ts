/**
 * `GET /health`: a deep check of the function's dependencies, rated for health checkers (Route 53).
 *
 * Rules (the README's "Failure modes" table quotes them):
 * - **`unhealthy`, HTTP 503** (with `Retry-After`) when the region cannot take orders. Sync variant
 *   (no `ORDERS_QUEUE_URL`): DynamoDB unreachable. Async variant: the orders queue unreachable.
 *   "Unreachable" means the check failed or did not answer within {@link HEALTH_CHECK_TIMEOUT_MS}.
 * - **`degraded`, HTTP 200**, with a `degraded` list naming each impairment, when the region can take
 *   orders but something is impaired. Async variant: the queue answers but DynamoDB is unreachable
 *   (orders are accepted and buffered in the queue until it recovers). Either variant: a check that
 *   passed took longer than `HEALTH_DEGRADED_LATENCY_MS` (default 500 ms).
 * - **`ok`, HTTP 200** otherwise.
 *
 * DynamoDB is probed with a GetItem of a key that never exists (only `dynamodb:GetItem`, which the
 * API handlers hold anyway, rather than the extra `dynamodb:DescribeTable`); the queue, when
 * `ORDERS_QUEUE_URL` is set, with GetQueueAttributes (`sqs:GetQueueAttributes`). The checks do not
 * go through a circuit breaker: each is bounded by its own deadline, and a breaker's fail-fast would
 * hide recovery from the health checker.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { documentClient } from '../platform/clients';
import { sqsClient } from '../platform/sqs-client';
import { ENVIRONMENT, readPositiveIntegerEnvironment, requireEnvironment } from '../contract/environment';
import { jsonResponse } from '../platform/http';
import { logger } from '../platform/logger';
import { OrdersQueue } from '../orders/orders-queue';
import { OrdersRepository } from '../orders/orders-repository';
import { runHealthChecks, type HealthCheckDefinition, type HealthPolicy } from './health-check';
import { RETRY_AFTER_SECONDS } from '../contract/retry-after';

/**
 * Deadline of each check. Route 53 health checks wait 2 seconds for a response once connected, so
 * the checks, run in parallel, must all finish well within that.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 1_500;

/** Latency above which a passing check degrades the region, when `HEALTH_DEGRADED_LATENCY_MS` is not set. */
export const DEFAULT_HEALTH_DEGRADED_LATENCY_MS = 500;

const policy: HealthPolicy = {
  timeoutMs: HEALTH_CHECK_TIMEOUT_MS,
  degradedLatencyMs: readPositiveIntegerEnvironment(
    ENVIRONMENT.healthDegradedLatencyMs,
    DEFAULT_HEALTH_DEGRADED_LATENCY_MS,
  ),
};
const repository = new OrdersRepository(documentClient, requireEnvironment(ENVIRONMENT.ordersTableName));
const queueUrl = process.env[ENVIRONMENT.ordersQueueUrl];
const queue = queueUrl ? new OrdersQueue(sqsClient, queueUrl) : undefined;

const checks: Record<string, HealthCheckDefinition> = {
  dynamodb: {
    check: (abortSignal) => repository.probe({ abortSignal }),
    // With a queue in front, orders wait in it while DynamoDB is down; without one, they cannot be taken.
    critical: queue === undefined,
    impactWhenUnavailable:
      'DynamoDB is unreachable: orders are accepted and buffered in the queue until it recovers; reads may fail or be stale',
  },
  ...(queue && {
    queue: {
      check: async (abortSignal: AbortSignal) => ({
        approximateNumberOfMessages: await queue.approximateDepth({ abortSignal }),
      }),
      critical: true,
    },
  }),
};

/** Lambda entry point of `GET /health`; the rules are in the module documentation. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  logger.setCorrelationId(event.requestContext?.requestId);
  const report = await runHealthChecks(checks, policy);
  const noStore = { 'Cache-Control': 'no-store' };
  if (report.status === 'unhealthy') {
    logger.error('Health check failed', { report });
    return jsonResponse(503, report, { ...noStore, 'Retry-After': String(RETRY_AFTER_SECONDS.unhealthy) });
  }
  if (report.status === 'degraded') logger.warn('Health degraded', { report });
  return jsonResponse(200, report, noStore);
}
