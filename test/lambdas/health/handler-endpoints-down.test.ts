import { randomUUID } from 'node:crypto';
import type * as HealthHandlerModule from '../../../lambdas/health/handler';
import { findFreePort } from '../../../local-cloud/emulators/free-port';
import { apiGatewayEvent, lambdaContext } from '../../harness/lambda-events';
import { handlerEnvironment } from '../../harness/handler-environment';
import { loadWithEnvironment } from '../../harness/load-handler';

// In a file of its own: the SDK reads endpoint variables at a client's first call, and the closed
// port below must not leak into tests that expect working emulators.
let handler: typeof HealthHandlerModule.handler;

beforeAll(async () => {
  const closedEndpoint = `http://127.0.0.1:${await findFreePort()}`;
  ({ handler } = await loadWithEnvironment(
    {
      AWS_ENDPOINT_URL_DYNAMODB: closedEndpoint,
      AWS_ENDPOINT_URL_SQS: closedEndpoint,
      ...handlerEnvironment({
        ordersTableName: 'orders',
        ordersQueueUrl: `${closedEndpoint}/000000000000/orders-${randomUUID()}`,
      }),
    },
    () => import('../../../lambdas/health/handler'),
  ));
});

describe('GET /health with unreachable endpoints', () => {
  test('fails with 503 within the check deadline if DynamoDB and SQS are down', async () => {
    // GIVEN endpoints that refuse connections
    const started = Date.now();

    // WHEN health is requested
    const response = await handler(apiGatewayEvent({ path: '/health' }), lambdaContext());

    // THEN both checks fail, and the answer comes before a health checker would give up
    expect(response.statusCode).toBe(503);
    const report = JSON.parse(response.body);
    expect(report.status).toBe('unhealthy');
    // (the reason is the error code in Lambda; under Jest the SDK only sees a cross-realm error and
    // reports a plain Error, so only its presence is asserted)
    expect(report.checks.dynamodb).toMatchObject({ status: 'error', error: expect.any(String) });
    expect(report.checks.queue).toMatchObject({ status: 'error', error: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
