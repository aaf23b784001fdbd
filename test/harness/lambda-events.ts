/**
 * Builders of the Lambda events and context the handlers receive, with only the fields that matter
 * to a test given explicitly.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/** A Lambda context with a generous remaining time. */
export function lambdaContext(functionName = 'test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Parts of an API Gateway proxy request. */
export interface ApiRequest {
  readonly method?: string;
  readonly path?: string;
  /** Headers; a header sent several times is an array of its values. */
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly pathParameters?: Record<string, string>;
}

/** An API key as API Gateway holds it in one region: one value, and an id of that region's. */
export interface TestApiKey {
  readonly value: string;
  readonly id: string;
}

/**
 * The API key of client `name` in `region`: the same value in every region (as the multi variant's
 * shared key values are), an id that differs per region (as API Gateway's do).
 */
export function testApiKey(name: string, region = 'us-east-1'): TestApiKey {
  return { value: `${name}-value-0123456789abcdef`, id: `${name}-id-${region}` };
}

/** The event as API Gateway passes it for a request made with `key`. */
export function withApiKey(event: APIGatewayProxyEvent, key: TestApiKey): APIGatewayProxyEvent {
  const { requestContext } = event;
  return {
    ...event,
    requestContext: {
      ...requestContext,
      identity: { ...requestContext.identity, apiKey: key.value, apiKeyId: key.id },
    },
  };
}

/** An API Gateway (REST, v1) proxy event. */
export function apiGatewayEvent(request: ApiRequest = {}): APIGatewayProxyEvent {
  const method = request.method ?? 'GET';
  const path = request.path ?? '/';
  const requestId = randomUUID();
  return {
    resource: path,
    path,
    httpMethod: method,
    // As API Gateway does: `headers` holds the last value of each header, `multiValueHeaders` all of them.
    headers: Object.fromEntries(
      Object.entries(request.headers ?? {}).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.at(-1) : value,
      ]),
    ),
    multiValueHeaders: Object.fromEntries(
      Object.entries(request.headers ?? {}).map(([name, value]) => [
        name,
        Array.isArray(value) ? value : [value],
      ]),
    ),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: request.pathParameters ?? null,
    stageVariables: null,
    body: request.body ?? null,
    isBase64Encoded: request.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test-api',
      authorizer: null,
      httpMethod: method,
      identity: {} as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/test${path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: path,
      stage: 'test',
    },
  };
}

/** A `POST /orders` event with a JSON body and an idempotency key. */
export function createOrderEvent(body: unknown, idempotencyKey: string | undefined): APIGatewayProxyEvent {
  return apiGatewayEvent({
    method: 'POST',
    path: '/orders',
    headers: {
      'Content-Type': 'application/json',
      ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A message as API Gateway writes it to the orders queue. */
export interface OrderMessage {
  readonly messageId?: string;
  readonly body: string;
  readonly idempotencyKey?: string;
  readonly requestId?: string;
  readonly receiptHandle?: string;
  readonly approximateReceiveCount?: number;
}

/** The SQS message attributes API Gateway sets on an order message. */
export function orderMessageAttributes(message: OrderMessage): SQSMessageAttributes {
  const attributes: SQSMessageAttributes = {};
  if (message.idempotencyKey !== undefined) {
    attributes.idempotencyKey = { dataType: 'String', stringValue: message.idempotencyKey };
  }
  attributes.requestId = { dataType: 'String', stringValue: message.requestId ?? randomUUID() };
  return attributes;
}

/** An SQS record as the Lambda event source mapping delivers it. */
export function sqsRecord(message: OrderMessage): SQSRecord {
  return {
    messageId: message.messageId ?? randomUUID(),
    receiptHandle: message.receiptHandle ?? randomUUID(),
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.approximateReceiveCount ?? 1),
      SentTimestamp: String(Date.now()),
      SenderId: 'apigateway',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: orderMessageAttributes(message),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:orders',
    awsRegion: 'us-east-1',
  };
}

/** An SQS event of records. */
export function sqsEvent(records: readonly SQSRecord[]): SQSEvent {
  return { Records: [...records] };
}
