import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HealthReport } from '../../../lambdas/health/health-check';
import { apiGatewayEvent, lambdaContext } from '../../harness/lambda-events';
import { handlerEnvironment, type HandlerSettings } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { testSqsClient } from '../../harness/local-aws';
import { parseBody } from '../../harness/responses';
import { createTestTables, uniqueTableName, type TestTables } from '../../harness/tables';

const sqsClient = testSqsClient();
let tables: TestTables;
let queueUrl: string;

function loadHealthHandler(settings: HandlerSettings) {
  return loadWithEnvironment(handlerEnvironment(settings), () => import('../../../lambdas/health/handler'));
}

function report(response: APIGatewayProxyResult): HealthReport {
  return parseBody<HealthReport>(response);
}

function healthEvent() {
  return apiGatewayEvent({ path: '/health' });
}

beforeAll(async () => {
  tables = await createTestTables();
  const created = await sqsClient.send(new CreateQueueCommand({ QueueName: `orders-${randomUUID()}` }));
  queueUrl = created.QueueUrl!;
});

afterAll(() => {
  sqsClient.destroy();
});

describe('GET /health', () => {
  test('reports ok with latencies when the table and the queue answer', async () => {
    // GIVEN a handler for the async variant, with a table and a queue
    const { handler } = await loadHealthHandler({
      ordersTableName: tables.ordersTableName,
      ordersQueueUrl: queueUrl,
    });

    // WHEN health is requested
    const response = await handler(healthEvent(), lambdaContext());

    // THEN both checks are ok and the answer is not cached
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    expect(report(response)).toEqual({
      status: 'ok',
      checks: {
        dynamodb: { status: 'ok', latencyMs: expect.any(Number) },
        queue: { status: 'ok', latencyMs: expect.any(Number), approximateNumberOfMessages: 0 },
      },
    });
  });

  test('checks only the table when no queue is configured', async () => {
    // GIVEN a handler for the sync variant
    const { handler } = await loadHealthHandler({
      ordersTableName: tables.ordersTableName,
      ordersQueueUrl: undefined,
    });

    // WHEN health is requested
    const response = await handler(healthEvent(), lambdaContext());

    // THEN only DynamoDB is checked
    expect(response.statusCode).toBe(200);
    expect(Object.keys(report(response).checks)).toEqual(['dynamodb']);
  });

  test('reports degraded with 200 if the queue answers but the table does not (async variant)', async () => {
    // GIVEN a handler for the async variant whose table is missing, with a working queue
    const { handler } = await loadHealthHandler({
      ordersTableName: uniqueTableName('missing'),
      ordersQueueUrl: queueUrl,
    });

    // WHEN health is requested
    const response = await handler(healthEvent(), lambdaContext());

    // THEN the region still takes orders (the queue buffers them), and the report says what is degraded
    expect(response.statusCode).toBe(200);
    expect(report(response)).toEqual({
      status: 'degraded',
      checks: {
        dynamodb: { status: 'error', latencyMs: expect.any(Number), error: 'ResourceNotFoundException' },
        queue: { status: 'ok', latencyMs: expect.any(Number), approximateNumberOfMessages: 0 },
      },
      degraded: [{ check: 'dynamodb', reason: 'unavailable', message: expect.stringMatching(/buffered/) }],
    });
  });

  test('fails with 503 and Retry-After if the table does not exist (sync variant)', async () => {
    // GIVEN a handler for the sync variant whose table is missing
    const { handler } = await loadHealthHandler({
      ordersTableName: uniqueTableName('missing'),
      ordersQueueUrl: undefined,
    });

    // WHEN health is requested
    const response = await handler(healthEvent(), lambdaContext());

    // THEN the region cannot take orders: unhealthy, naming the failing check, not the error shape
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
    expect(report(response)).toEqual({
      status: 'unhealthy',
      checks: {
        dynamodb: { status: 'error', latencyMs: expect.any(Number), error: 'ResourceNotFoundException' },
      },
    });
  });

  test('fails with 503 if the queue does not exist', async () => {
    // GIVEN a handler whose queue is missing
    const missingQueueUrl = queueUrl.replace(/[^/]+$/, `missing-${randomUUID()}`);
    const { handler } = await loadHealthHandler({
      ordersTableName: tables.ordersTableName,
      ordersQueueUrl: missingQueueUrl,
    });

    // WHEN health is requested
    const response = await handler(healthEvent(), lambdaContext());

    // THEN the region cannot take orders: unhealthy, the queue check fails
    expect(response.statusCode).toBe(503);
    expect(report(response).status).toBe('unhealthy');
    expect(report(response).checks.queue).toMatchObject({ status: 'error' });
    expect(report(response).checks.dynamodb).toMatchObject({ status: 'ok' });
  });
});
