import { IntrinsicResolver } from '../../../local-cloud/assembly/intrinsic-resolver';
import { apiGatewayLocalValues } from '../../../local-cloud/apigateway';
import { IDEMPOTENCY_KEY, VALID_ORDER, expectErrorShape, logicalIdOf, orderHeaders, send } from './helpers';
import { TEST_ACCOUNT, TEST_REGION } from '../../harness/local-aws';
import { startTestGateway, synthesizeVariant, testGatewayForEachTest } from '../../harness/test-gateway';

describe('local API Gateway, async variant (SQS integration)', () => {
  const variant = testGatewayForEachTest(() => synthesizeVariant('async'));

  /** POST /orders with a valid order and the test key's headers. */
  const postValidOrder = () =>
    send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body: JSON.stringify(VALID_ORDER),
    });

  test('queues POST /orders with the raw body and idempotencyKey/requestId/apiKey/apiKeyId attributes, and answers 202', async () => {
    // GIVEN
    const body = `${JSON.stringify({ ...VALID_ORDER, note: 'rush & "fragile" + 100% ünïcode' })}\n`;

    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body,
    });

    // THEN
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ orderId: IDEMPOTENCY_KEY, status: 'ACCEPTED' });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(variant.gateway.messages).toEqual([
      {
        queue: logicalIdOf(variant.template, 'AWS::SQS::Queue', 'OrderQueue598C'),
        message: expect.objectContaining({
          messageBody: body,
          messageAttributes: {
            idempotencyKey: { dataType: 'String', stringValue: IDEMPOTENCY_KEY },
            requestId: { dataType: 'String', stringValue: response.headers.get('x-amzn-requestid') },
            apiKey: { dataType: 'String', stringValue: variant.gateway.apiKey },
            apiKeyId: { dataType: 'String', stringValue: variant.gateway.emulator.apiKeys()[0].id },
          },
        }),
      },
    ]);
    expect(variant.gateway.invocations).toHaveLength(0);
  });

  test('rejects a key that is not a UUID with 400 INVALID_IDEMPOTENCY_KEY and queues nothing', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey, 'not-a-uuid'),
      body: JSON.stringify(VALID_ORDER),
    });

    // THEN
    expect(response.status).toBe(400);
    expectErrorShape(response, 'INVALID_IDEMPOTENCY_KEY');
    expect(response.json.error.details).toEqual([
      { field: 'Idempotency-Key', message: 'The Idempotency-Key header must be a UUID.' },
    ]);
    expect(variant.gateway.messages).toHaveLength(0);
    expect(variant.gateway.accessLog[0]).toMatchObject({
      status: 400,
      integrationStatus: 400,
      errorType: undefined,
    });
  });

  test('fails with 503 SERVICE_UNAVAILABLE and Retry-After if SQS fails', async () => {
    // GIVEN
    variant.gateway.send = () => Promise.reject(Object.assign(new Error('queue down'), { statusCode: 500 }));

    // WHEN
    const response = await postValidOrder();

    // THEN
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expectErrorShape(response, 'SERVICE_UNAVAILABLE');
  });

  test('fails with 400 BAD_REQUEST if SQS refuses the message as a client error (InvalidMessageContents)', async () => {
    // GIVEN SQS refuses the body's characters (400 InvalidMessageContents, per the SQS API reference)
    variant.gateway.send = () =>
      Promise.reject(
        Object.assign(new Error('Invalid characters found'), {
          name: 'InvalidMessageContents',
          $metadata: { httpStatusCode: 400 },
        }),
      );

    // WHEN
    const response = await postValidOrder();

    // THEN
    expect(response.status).toBe(400);
    expectErrorShape(response, 'BAD_REQUEST');
  });

  test.each([
    [
      '400 KMS.DisabledException (the queue key is disabled)',
      'KMS.DisabledException',
      400,
      500,
      'INTERNAL_ERROR',
    ],
    ['403 AccessDenied (the integration role may not send)', 'AccessDenied', 403, 503, 'SERVICE_UNAVAILABLE'],
  ] as const)(
    'fails with a 5xx, not a client error, if SQS answers %s',
    async (_case, name, sqsStatus, status, code) => {
      // GIVEN SQS fails for a reason of the service's own (status codes from the SQS API reference)
      variant.gateway.send = () =>
        Promise.reject(
          Object.assign(new Error('refused'), { name, $metadata: { httpStatusCode: sqsStatus } }),
        );

      // WHEN
      const response = await postValidOrder();

      // THEN
      expect(response.status).toBe(status);
      expectErrorShape(response, code);
    },
  );

  test('queues an order whose client sends the header names in lower case (HTTP/2)', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': variant.gateway.apiKey,
        'idempotency-key': IDEMPOTENCY_KEY,
      },
      body: JSON.stringify(VALID_ORDER),
    });

    // THEN
    expect(response.status).toBe(202);
    expect(response.json).toEqual({ orderId: IDEMPOTENCY_KEY, status: 'ACCEPTED' });
    expect(variant.gateway.messages).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({
          messageAttributes: expect.objectContaining({
            idempotencyKey: { dataType: 'String', stringValue: IDEMPOTENCY_KEY },
          }) as unknown,
        }) as unknown,
      }),
    ]);
  });

  test('rejects a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE and queues nothing', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: { ...orderHeaders(variant.gateway.apiKey), 'Content-Type': 'text/plain' },
      body: 'customer c-42 wants 2 of SKU-1',
    });

    // THEN
    expect(response.status).toBe(415);
    expectErrorShape(response, 'UNSUPPORTED_MEDIA_TYPE');
    expect(variant.gateway.messages).toHaveLength(0);
  });

  test('validates the body before it reaches the queue', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: orderHeaders(variant.gateway.apiKey),
      body: JSON.stringify({ customerId: 'c-42' }),
    });

    // THEN
    expect(response.status).toBe(400);
    expectErrorShape(response, 'VALIDATION_FAILED');
    expect(response.json.error.details[0].message).toBe(
      '[object has missing required properties (["items"])]',
    );
    expect(variant.gateway.messages).toHaveLength(0);
  });

  test('runs the same with the local cloud intrinsic resolver injected', async () => {
    // GIVEN the shared resolver, with the API Gateway resources and the stack's functions, their
    // live aliases and queues registered
    const { template, stackName } = variant;
    const resolver = new IntrinsicResolver({
      stackName,
      template,
      region: TEST_REGION,
      accountId: TEST_ACCOUNT,
    });
    for (const [logicalId, values] of apiGatewayLocalValues(template, {
      stackName,
      region: TEST_REGION,
      accountId: TEST_ACCOUNT,
    })) {
      resolver.register(logicalId, values);
    }
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function' || resource.Type === 'AWS::SQS::Queue') {
        const arn = `arn:aws:local:${TEST_REGION}:${TEST_ACCOUNT}:${logicalId}`;
        resolver.register(logicalId, { ref: logicalId, attributes: { Arn: arn, QueueName: logicalId } });
      }
      if (resource.Type === 'AWS::Lambda::Alias') {
        const arn = `arn:aws:local:${TEST_REGION}:${TEST_ACCOUNT}:${logicalId}:live`;
        resolver.register(logicalId, { ref: arn, attributes: { AliasArn: arn } });
      }
    }
    const shared = await startTestGateway(template, stackName, { resolver });

    try {
      // WHEN
      const response = await send(`${shared.stageUrl}/orders`, {
        method: 'POST',
        headers: orderHeaders(shared.apiKey),
        body: JSON.stringify(VALID_ORDER),
      });

      // THEN
      expect(response.status).toBe(202);
      expect(shared.messages[0].queue).toBe(logicalIdOf(template, 'AWS::SQS::Queue', 'OrderQueue598C'));
      expect(shared.emulator.restApiId).toBe(variant.gateway.emulator.restApiId);
    } finally {
      await shared.stop();
    }
  });

  test('still routes GET /orders/{orderId} to its function', async () => {
    // WHEN
    const response = await send(`${variant.gateway.stageUrl}/orders/${IDEMPOTENCY_KEY}`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });

    // THEN
    expect(response.status).toBe(200);
    expect(variant.gateway.invocations[0].functionLogicalId).toBe(
      logicalIdOf(variant.template, 'AWS::Lambda::Function', 'GetOrderFunction'),
    );
  });
});
