import { IDEMPOTENCY_KEY, VALID_ORDER, expectErrorShape, logicalIdOf, orderHeaders, send } from './helpers';
import { TEST_ACCOUNT } from '../../harness/local-aws';
import { startTestGateway, synthesizeVariant, testGatewayForEachTest } from '../../harness/test-gateway';

describe('local API Gateway, sync variant', () => {
  const variant = testGatewayForEachTest(
    () => synthesizeVariant('sync'),
    () => ({ integrationTimeoutMillis: 200 }),
  );

  test('routes GET /orders/{orderId} to the get-order function with a v1 proxy event of the real shape', async () => {
    // GIVEN
    const getOrder = logicalIdOf(variant.template, 'AWS::Lambda::Function', 'GetOrderFunction');
    const [key] = variant.gateway.emulator.apiKeys();

    // WHEN
    const sentAt = Date.now();
    const response = await send(`${variant.gateway.stageUrl}/orders/o%2D1?expand=items&tag=a&tag=b`, {
      headers: { 'x-api-key': variant.gateway.apiKey, 'User-Agent': 'jest' },
    });
    const answeredAt = Date.now();

    // THEN
    expect(response.status).toBe(200);
    // API Gateway leaves the path percent-encoded (recorded on AWS: test/fidelity, greedy-proxy-percent-encoded-path).
    expect(response.json).toEqual({ echo: '/orders/o%2D1' });
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(variant.gateway.invocations).toHaveLength(1);
    const { functionLogicalId, event } = variant.gateway.invocations[0];
    expect(functionLogicalId).toBe(getOrder);
    expect(event).toMatchObject({
      resource: '/orders/{orderId}',
      path: '/orders/o%2D1',
      httpMethod: 'GET',
      pathParameters: { orderId: 'o%2D1' },
      queryStringParameters: { expand: 'items', tag: 'b' },
      multiValueQueryStringParameters: { expand: ['items'], tag: ['a', 'b'] },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        accountId: TEST_ACCOUNT,
        apiId: variant.gateway.emulator.restApiId,
        resourcePath: '/orders/{orderId}',
        httpMethod: 'GET',
        path: '/prod/orders/o%2D1',
        stage: 'prod',
        requestId: response.headers.get('x-amzn-requestid'),
        protocol: 'HTTP/1.1',
        identity: { sourceIp: '127.0.0.1', userAgent: 'jest', apiKey: key.value, apiKeyId: key.id },
      },
    });
    expect(event.headers['x-api-key']).toBe(variant.gateway.apiKey);
    expect(event.multiValueHeaders['x-api-key']).toEqual([variant.gateway.apiKey]);
    expect(event.requestContext.requestTime).toMatch(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    // The epoch milliseconds of the request's arrival, and the same instant as requestTime.
    const { requestTimeEpoch, requestTime } = event.requestContext;
    expect(requestTimeEpoch).toBeGreaterThanOrEqual(sentAt);
    expect(requestTimeEpoch).toBeLessThanOrEqual(answeredAt);
    const [, day, month, year, clock] = /^(\d{2})\/(\w{3})\/(\d{4}):(\S+) \+0000$/.exec(requestTime ?? '')!;
    expect(Date.parse(`${day} ${month} ${year} ${clock} GMT`)).toBe(
      Math.floor(requestTimeEpoch / 1000) * 1000,
    );
    expect(event.requestContext.resourceId).toMatch(/^[a-z0-9]{6}$/);
  });

  test('passes the function result through: status, headers, multi-value headers; a base64 body stays text without binary media types', async () => {
    // GIVEN
    variant.gateway.answer = () =>
      Promise.resolve({
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-One': 'a' },
        multiValueHeaders: { 'X-Many': ['1', '2'] },
        body: Buffer.from('hello').toString('base64'),
        isBase64Encoded: true,
      });

    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body: JSON.stringify(VALID_ORDER),
    });

    // THEN
    expect(response.status).toBe(201);
    // The API has no binary media types: API Gateway passes the base64 text on (recorded on AWS:
    // test/fidelity, base64-flag-true-no-binary-media-types).
    expect(response.text).toBe(Buffer.from('hello').toString('base64'));
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('x-one')).toBe('a');
    expect(response.headers.get('x-many')).toBe('1, 2');
    expect(variant.gateway.invocations[0].event.body).toBe(JSON.stringify(VALID_ORDER));
  });

  test('serves GET /health without an API key', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/health`);

    // THEN
    expect(response.status).toBe(200);
    expect(variant.gateway.invocations[0].functionLogicalId).toBe(
      logicalIdOf(variant.template, 'AWS::Lambda::Function', 'HealthFunction'),
    );
    // API Gateway leaves the API key fields out of the identity of a request without a key (issue 10).
    expect(variant.gateway.invocations[0].event.requestContext.identity).not.toHaveProperty('apiKeyId');
  });

  test.each([
    ['an unknown path', 'GET', '/prod/nothing-here'],
    ['an unknown method', 'DELETE', '/prod/orders'],
    ['an unknown stage', 'GET', '/dev/health'],
    ['the bare host', 'GET', '/'],
  ])('rejects %s with the 404 variant.gateway response', async (_what, method, path) => {
    // WHEN
    const response = await send(`${variant.gateway.running.url}${path}`, {
      method,
      headers: { 'x-api-key': variant.gateway.apiKey },
    });

    // THEN
    expect(response.status).toBe(404);
    expectErrorShape(response, 'NOT_FOUND');
    expect(response.json.error.message).toBe('Missing Authentication Token');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(variant.gateway.invocations).toHaveLength(0);
    expect(variant.gateway.accessLog[0]).toMatchObject({
      status: 404,
      errorType: 'MISSING_AUTHENTICATION_TOKEN',
    });
  });

  test.each([
    ['without an API key', {}],
    ['with an unknown API key', { 'x-api-key': 'not-a-key' }],
  ])('rejects a request %s with 403 FORBIDDEN', async (_what, headers: Record<string, string>) => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders/o-1`, { headers });

    // THEN
    expect(response.status).toBe(403);
    expectErrorShape(response, 'FORBIDDEN');
    expect(response.json.error.message).toBe('Forbidden');
    expect(variant.gateway.invocations).toHaveLength(0);
  });

  test('rejects an invalid body with 400 VALIDATION_FAILED and the validator details, before Lambda', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body: JSON.stringify({ customerId: '', items: [{ sku: 'S', quantity: 5000 }], extra: "it's" }),
    });

    // THEN
    expect(response.status).toBe(400);
    expectErrorShape(response, 'VALIDATION_FAILED');
    expect(response.json.error.message).toBe('Invalid request body');
    const [detail] = response.json.error.details;
    expect(detail.field).toBe('body');
    expect(detail.message).toContain(
      '/items/0/quantity: numeric instance is greater than the required maximum',
    );
    expect(detail.message).toContain('/customerId: string is too short');
    expect(detail.message).toContain('not allowed by the schema: ["extra"]');
    expect(variant.gateway.invocations).toHaveLength(0);
  });

  test('rejects a body that is not JSON with 400 VALIDATION_FAILED', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body: '{"customerId": "c-1", items: oops',
    });

    // THEN
    expect(response.status).toBe(400);
    expectErrorShape(response, 'VALIDATION_FAILED');
    expect(response.json.error.details[0].message).toContain('Unable to parse request body as JSON');
  });

  test('rejects a POST without Idempotency-Key with 400 BAD_REQUEST naming the header', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: { 'x-api-key': variant.gateway.apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify(VALID_ORDER),
    });

    // THEN
    expect(response.status).toBe(400);
    expectErrorShape(response, 'BAD_REQUEST');
    expect(response.json.error.message).toBe('Missing required request parameters: [Idempotency-Key]');
    expect(variant.gateway.invocations).toHaveLength(0);
  });

  test('rejects a body over 10 MB with 413 PAYLOAD_TOO_LARGE', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a'),
    });

    // THEN
    expect(response.status).toBe(413);
    expectErrorShape(response, 'PAYLOAD_TOO_LARGE');
    expect(variant.gateway.invocations).toHaveLength(0);
  });

  test.each([
    ['throws', () => Promise.reject(new Error('boom'))],
    [
      'reports an unhandled error',
      () => Promise.resolve({ errorType: 'TypeError', errorMessage: 'x is undefined' }),
    ],
    [
      'answers a malformed proxy response',
      () => Promise.resolve({ statusCode: 200, body: { not: 'a string' } }),
    ],
  ])('fails with 502 BAD_GATEWAY if the function %s', async (_what, answer: () => Promise<any>) => {
    // GIVEN
    variant.gateway.answer = answer;

    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });

    // THEN
    expect(response.status).toBe(502);
    expectErrorShape(response, 'BAD_GATEWAY');
    expect(response.json.error.message).toBe('Internal server error');
    expect(variant.gateway.accessLog[0]).toMatchObject({ status: 502, errorType: 'INTEGRATION_FAILURE' });
  });

  test('fails with 500 INTERNAL_ERROR if Lambda throttles the function, as API Gateway does', async () => {
    // GIVEN
    variant.gateway.answer = () => Promise.resolve({ throttled: true });

    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });

    // THEN
    expect(response.status).toBe(500);
    expectErrorShape(response, 'INTERNAL_ERROR');
  });

  test('fails with 504 GATEWAY_TIMEOUT if the function outlasts the integration timeout', async () => {
    // GIVEN
    variant.gateway.answer = () =>
      new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 1_000));

    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });

    // THEN
    expect(response.status).toBe(504);
    expectErrorShape(response, 'GATEWAY_TIMEOUT');
    expect(response.json.error.message).toBe('Endpoint request timed out');
  });

  test('logs every request with method, path, status, latency, API key id and error type', async () => {
    // WHEN
    await send(`${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });
    await send(`${variant.gateway.stageUrl}/orders/o-1`);

    // THEN
    expect(variant.gateway.accessLog).toEqual([
      expect.objectContaining({
        httpMethod: 'GET',
        path: '/prod/orders/o-1',
        resourcePath: '/orders/{orderId}',
        status: 200,
        latencyMillis: expect.any(Number),
        integrationLatencyMillis: expect.any(Number),
        apiKeyId: variant.gateway.emulator.apiKeys()[0].id,
        errorType: undefined,
      }),
      expect.objectContaining({ status: 403, errorType: 'INVALID_API_KEY', apiKeyId: undefined }),
    ]);
  });

  test('exposes one generated key of the standard tier, attached to its usage plan', () => {
    // WHEN
    const keys = variant.gateway.emulator.apiKeys();

    // THEN
    expect(keys).toEqual([
      {
        logicalId: logicalIdOf(variant.template, 'AWS::ApiGateway::ApiKey', 'OrderApiApiKeystandard'),
        id: expect.stringMatching(/^[a-z0-9]{10}$/),
        value: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
        usagePlan: { logicalId: expect.stringMatching(/^OrderApiUsagePlanstandard/), name: 'standard' },
      },
    ]);
  });

  test('uses the API key values it is given', async () => {
    // GIVEN
    const keyId = logicalIdOf(variant.template, 'AWS::ApiGateway::ApiKey', 'OrderApiApiKeystandard');
    const given = await startTestGateway(variant.template, variant.stackName, {
      apiKeyValues: new Map([[keyId, 'local-key']]),
    });

    try {
      // WHEN
      const response = await send(`${given.stageUrl}/orders/${IDEMPOTENCY_KEY}`, {
        headers: { 'x-api-key': 'local-key' },
      });

      // THEN
      expect(given.apiKey).toBe('local-key');
      expect(response.status).toBe(200);
    } finally {
      await given.stop();
    }
  });

  test('fails if the port is in use, naming the port', async () => {
    // WHEN / THEN
    await expect(variant.gateway.emulator.listen(variant.gateway.running.port)).rejects.toThrow(
      `Port ${variant.gateway.running.port} on 127.0.0.1 is already in use`,
    );
  });

  test('reports nothing as not emulated for the sync variant', () => {
    // WHEN / THEN
    expect(variant.gateway.emulator.notEmulated).toEqual([]);
  });

  test('answers malformed requests with JSON errors and keeps serving', async () => {
    // WHEN
    const badEncoding = await send(`${variant.gateway.stageUrl}/orders/%E0%A4%A`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });
    const badJsonType = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: { ...orderHeaders(variant.gateway.apiKey), 'Content-Type': 'application/json; charset=utf-8' },
      body: '[1,2,3]',
    });
    const after = await send(`${variant.gateway.stageUrl}/health`);

    // THEN
    expect(badEncoding.status).toBe(200);
    expect(variant.gateway.invocations[0].event.pathParameters).toEqual({ orderId: '%E0%A4%A' });
    expect(badJsonType.status).toBe(400);
    expectErrorShape(badJsonType, 'VALIDATION_FAILED');
    expect(after.status).toBe(200);
  });
});
