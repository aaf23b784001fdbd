import { randomUUID } from 'node:crypto';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type * as HealthHandlerModule from '../../../lambdas/health/handler';
import type { HealthReport } from '../../../lambdas/health/health-check';
import { apiGatewayEvent, lambdaContext } from '../../harness/lambda-events';
import { dynamoDbFaultProxy } from '../../harness/fault-proxy';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';
import { testSqsClient } from '../../harness/local-aws';
import { parseBody } from '../../harness/responses';
import { createTestTables } from '../../harness/tables';

// In a file of its own: the handlers reach DynamoDB Local through a fault proxy (the SDK reads the
// endpoint variable at a client's first call, so it must not leak into other tests).
type Handler = typeof HealthHandlerModule.handler;

const DEGRADED_LATENCY_MS = 200;
const sqsClient = testSqsClient();
const proxy = dynamoDbFaultProxy();
let syncHealth: Handler;
let asyncHealth: Handler;

function report(response: APIGatewayProxyResult): HealthReport {
  return parseBody<HealthReport>(response);
}

function checkHealth(handler: Handler): Promise<APIGatewayProxyResult> {
  return handler(apiGatewayEvent({ path: '/health' }), lambdaContext());
}

beforeAll(async () => {
  const [tables, created] = await Promise.all([
    createTestTables(),
    sqsClient.send(new CreateQueueCommand({ QueueName: `orders-${randomUUID()}` })),
  ]);
  const settings = {
    ordersTableName: tables.ordersTableName,
    sdkRequestTimeoutMs: 1_000,
    healthDegradedLatencyMs: DEGRADED_LATENCY_MS,
  };
  const loadFor = (ordersQueueUrl: string | undefined) =>
    loadWithEnvironment(
      {
        AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
        ...handlerEnvironment({ ...settings, ordersQueueUrl }),
      },
      () => import('../../../lambdas/health/handler'),
    );
  asyncHealth = (await loadFor(created.QueueUrl)).handler;
  syncHealth = (await loadFor(undefined)).handler;
  // Warm containers: a cold client's first call (connection set-up) is not what these tests measure.
  await Promise.all([checkHealth(asyncHealth), checkHealth(syncHealth)]);
});

afterAll(() => {
  sqsClient.destroy();
});

describe('GET /health under DynamoDB faults', () => {
  test('reports ok when DynamoDB answers quickly', async () => {
    // GIVEN no fault
    // WHEN health is requested in both variants
    const responses = await Promise.all([checkHealth(syncHealth), checkHealth(asyncHealth)]);

    // THEN both are ok
    expect(responses.map((response) => [response.statusCode, report(response).status])).toEqual([
      [200, 'ok'],
      [200, 'ok'],
    ]);
  });

  test('reports degraded with 200 if DynamoDB answers slower than the bound', async () => {
    // GIVEN DynamoDB answering 2× slower than the degraded-latency bound
    await proxy.setFault({ latencyMs: DEGRADED_LATENCY_MS * 2 });

    // WHEN health is requested (sync variant)
    const response = await checkHealth(syncHealth);

    // THEN the region still takes orders, and the slow check is named
    expect(response.statusCode).toBe(200);
    expect(report(response)).toMatchObject({
      status: 'degraded',
      checks: { dynamodb: { status: 'ok' } },
      degraded: [{ check: 'dynamodb', reason: 'slow', message: expect.any(String) }],
    });
  });

  test('fails with 503 if DynamoDB is down (sync variant)', async () => {
    // GIVEN DynamoDB refusing connections
    await proxy.setFault({ down: true });

    // WHEN health is requested
    const response = await checkHealth(syncHealth);

    // THEN the region cannot take orders
    expect(response.statusCode).toBe(503);
    expect(report(response)).toEqual({
      status: 'unhealthy',
      checks: { dynamodb: { status: 'error', latencyMs: expect.any(Number), error: expect.any(String) } },
    });
  });

  test('fails with 503 before the function times out if DynamoDB accepts connections but never answers', async () => {
    // GIVEN DynamoDB hanging: only the check's own deadline and the SDK's timeouts end the wait
    await proxy.setFault({ hang: true });
    const started = performance.now();

    // WHEN health is requested
    const response = await checkHealth(syncHealth);

    // THEN the answer is unhealthy, well inside the health function's 5 s timeout
    expect(response.statusCode).toBe(503);
    expect(report(response).checks.dynamodb).toMatchObject({ status: 'error' });
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  test('reports degraded with 200 if DynamoDB is down but the queue answers (async variant)', async () => {
    // GIVEN DynamoDB refusing connections
    await proxy.setFault({ down: true });

    // WHEN health is requested
    const response = await checkHealth(asyncHealth);

    // THEN orders are still accepted (buffered), and the report says so
    expect(response.statusCode).toBe(200);
    expect(report(response)).toMatchObject({
      status: 'degraded',
      checks: { dynamodb: { status: 'error' }, queue: { status: 'ok' } },
      degraded: [{ check: 'dynamodb', reason: 'unavailable', message: expect.stringMatching(/buffered/) }],
    });
  });
});
