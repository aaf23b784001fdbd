import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { RETRY_AFTER_SECONDS } from '../../lambdas/contract/retry-after';
import type { AccessLogEntry } from '../../local-cloud/apigateway';
import type { BatchReport } from '../../local-cloud/event-sources/sqs-event-source';
import type { LocalCloud } from '../../local-cloud/local-cloud';
import { LOCAL_CREDENTIALS } from '../../local-cloud/region-runtime';
import {
  eventually,
  setVisibilityTimeout,
  startTestLocalCloud,
  sharedBundledAssembly,
  type TestAssembly,
} from './synthesized-assembly';

const SYNC = 'ResilientApi-sync';
const ASYNC = 'ResilientApi-async';

const validOrder = { customerId: 'c-1', items: [{ sku: 'SKU-1', quantity: 2 }] };

describe('local cloud (real synthesized sync and async stacks)', () => {
  let assembly: TestAssembly;
  let cloud: LocalCloud;
  const faultLog: string[] = [];
  let accessLogListener: ((entry: AccessLogEntry) => void) | undefined;
  const batches: BatchReport[] = [];

  beforeAll(async () => {
    assembly = sharedBundledAssembly();
    cloud = await startTestLocalCloud(assembly.directory, {
      log: (line) => faultLog.push(line),
      onAccessLog: (_stack, entry) => accessLogListener?.(entry),
      onBatch: (report) => batches.push(report),
      // Short, so the timeout case below does not take API Gateway's 29 s.
      integrationTimeoutMillis: 3_000,
    });
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    assembly?.remove();
  });

  afterEach(async () => cloud.faults.clear());

  const out = (stack: string) => cloud.outputs[stack];

  function post(
    stack: string,
    body: unknown,
    key: string = randomUUID(),
    headers: Record<string, string> = {},
  ) {
    return fetch(`${out(stack).ApiUrl}orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': out(stack).ApiKeyValue,
        'Idempotency-Key': key,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  function getOrder(stack: string, orderId: string) {
    return fetch(`${out(stack).ApiUrl}orders/${orderId}`, {
      headers: { 'x-api-key': out(stack).ApiKeyValue },
    });
  }

  async function ordersInTable(stack: string): Promise<Array<Record<string, unknown>>> {
    const stackRuntime = cloud.stacks.find((s) => s.stackName === stack)!;
    const client = new DynamoDBClient({
      endpoint: cloud.dynamodbEndpoint,
      region: stackRuntime.region,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const result = await client.send(new ScanCommand({ TableName: out(stack).OrdersTableName }));
      return (result.Items ?? []).map((item) => ({ orderId: item.orderId.S, status: item.status?.S }));
    } finally {
      client.destroy();
    }
  }

  test('writes outputs in the cdk deploy --outputs-file shape, with local URLs and the API key value', () => {
    expect(Object.keys(cloud.outputs).sort()).toEqual([ASYNC, SYNC]);
    expect(out(SYNC)).toEqual(
      expect.objectContaining({
        ApiUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/prod\/$/),
        HealthUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/prod\/health$/),
        OrdersTableName: expect.any(String),
        ApiKeyId: expect.any(String),
        ApiKeyValue: expect.stringMatching(/^.{20,}$/),
      }),
    );
    expect(out(ASYNC)).toEqual(
      expect.objectContaining({ QueueUrl: expect.any(String), DlqUrl: expect.any(String) }),
    );
  });

  test('lists what is emulated and what is not, from the templates', () => {
    const emulatedTypes = new Set(cloud.emulated.map((resource) => resource.type));
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::SQS::Queue',
      'AWS::ApiGateway::Method',
      'AWS::DynamoDB::GlobalTable',
      'AWS::CloudWatch::Alarm',
      'AWS::Events::Rule',
    ]) {
      expect(emulatedTypes.has(type)).toBe(true);
    }
    const notEmulatedTypes = new Set(cloud.notEmulated.map((resource) => resource.type));
    for (const type of ['AWS::IAM::Role', 'AWS::Logs::LogGroup', 'Custom::LogRetention']) {
      expect(notEmulatedTypes.has(type)).toBe(true);
    }
    // The function behind a custom resource runs during a deployment, so not locally
    const providers = cloud.notEmulated.filter((resource) => resource.type === 'AWS::Lambda::Function');
    expect(providers.map((resource) => resource.logicalId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^LogRetention/)]),
    );
    expect(new Set(providers.map((resource) => resource.reason))).toEqual(
      new Set([
        'serves custom resources, which CloudFormation runs during a deployment; there is none locally',
      ]),
    );
  });

  test('sync: POST answers 201 with the order, which is in DynamoDB Local', async () => {
    // GIVEN a new order
    const key = randomUUID();
    // WHEN it is posted
    const response = await post(SYNC, validOrder, key);
    // THEN it is created and stored
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ orderId: key, customerId: 'c-1', status: 'CONFIRMED' });
    expect(await ordersInTable(SYNC)).toContainEqual(expect.objectContaining({ orderId: key }));
    const read = await getOrder(SYNC, key);
    expect(read.status).toBe(200);
  });

  test("records each function's cold starts: one per worker its invocations started, with the init duration", async () => {
    // GIVEN an order placed and read through the sync stack
    const key = randomUUID();
    expect((await post(SYNC, validOrder, key)).status).toBe(201);
    expect((await getOrder(SYNC, key)).status).toBe(200);
    const functions = [...cloud.stacks.find((stack) => stack.stackName === SYNC)!.runtime.functions.values()];
    const ran = functions.filter((fn) => fn.invocationCount > 0);
    expect(ran.map((fn) => fn.definition.logicalId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^CreateOrder/), expect.stringMatching(/^GetOrder/)]),
    );
    // THEN every function that ran started cold at least once, never more often than it was invoked
    for (const fn of ran) {
      const coldStarts = cloud.coldStarts.filter(
        (coldStart) => coldStart.functionName === fn.definition.functionName,
      );
      expect({ fn: fn.definition.logicalId, cold: coldStarts.length > 0 }).toEqual({
        fn: fn.definition.logicalId,
        cold: true,
      });
      expect(coldStarts.length).toBeLessThanOrEqual(fn.invocationCount);
      for (const { initDurationMs } of coldStarts) expect(initDurationMs).toBeGreaterThan(0);
    }
  });

  test('sync: a duplicate Idempotency-Key through the gateway gives the same answer and one order', async () => {
    const key = randomUUID();
    const first = await post(SYNC, validOrder, key);
    const second = await post(SYNC, validOrder, key);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(await second.text()).toEqual(await first.text());
    expect((await ordersInTable(SYNC)).filter((order) => order.orderId === key)).toHaveLength(1);
  });

  test('async: POST answers 202 and the consumer writes the order', async () => {
    const key = randomUUID();
    const response = await post(ASYNC, validOrder, key);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ orderId: key, status: 'ACCEPTED' });
    const order = await eventually(
      async () => {
        const read = await getOrder(ASYNC, key);
        return read.status === 200 ? ((await read.json()) as Record<string, unknown>) : undefined;
      },
      20_000,
      'the queued order to be written',
    );
    expect(order).toMatchObject({ orderId: key, status: 'CONFIRMED' });
  });

  test('async: with the queue-age alarm forced into ALARM, POSTs get 503 + Retry-After and nothing is queued; cleared, 202 again', async () => {
    // GIVEN the load shedder's queue-age alarm in ALARM (the chaos command does the same)
    await cloud.faults.setAlarmState(`${ASYNC}/LoadShedderQueueAgeAlarm`, 'ALARM');
    const shedKey = randomUUID();
    // WHEN an order is posted
    const shed = await post(ASYNC, validOrder, shedKey);
    // THEN it is shed with 503, a Retry-After and the JSON error shape
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('30');
    expect(await shed.json()).toEqual({
      error: expect.objectContaining({ code: 'OVERLOADED', requestId: expect.any(String) }),
    });
    // ...while a client mistake is still a 400, and reads are not shed
    expect((await post(ASYNC, validOrder, 'not-a-uuid')).status).toBe(400);
    expect((await getOrder(ASYNC, randomUUID())).status).toBe(404);

    // WHEN the alarm clears
    await cloud.faults.setAlarmState(`${ASYNC}/LoadShedderQueueAgeAlarm`, 'OK');
    const acceptedKey = randomUUID();
    const accepted = await post(ASYNC, validOrder, acceptedKey);
    // THEN orders are accepted and written again; the shed order was never queued
    expect(accepted.status).toBe(202);
    await eventually(
      async () => ((await getOrder(ASYNC, acceptedKey)).status === 200 ? true : undefined),
      20_000,
      'the order accepted after shedding to be written',
    );
    expect((await ordersInTable(ASYNC)).map((order) => order.orderId)).not.toContain(shedKey);
  });

  test('async: a duplicate Idempotency-Key is accepted twice and written once', async () => {
    const key = randomUUID();
    const answers = await Promise.all([post(ASYNC, validOrder, key), post(ASYNC, validOrder, key)]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202]);
    await eventually(
      async () => ((await getOrder(ASYNC, key)).status === 200 ? true : undefined),
      20_000,
      'the order to be written',
    );
    // Let the second message be processed too before counting.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await ordersInTable(ASYNC)).filter((order) => order.orderId === key)).toHaveLength(1);
  });

  test('rejects an invalid body with 400 at the gateway, before any Lambda runs', async () => {
    // GIVEN how often create-order has run so far
    const createOrder = [...cloud.stacks.find((s) => s.stackName === SYNC)!.runtime.functions.values()].find(
      (fn) => fn.definition.logicalId.startsWith('CreateOrder'),
    )!;
    const invocationsBefore = createOrder.invocationCount;
    // WHEN
    const response = await post(SYNC, { customerId: '', items: [] });
    // THEN
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(createOrder.invocationCount).toBe(invocationsBefore);
  });

  test('rejects a request without an API key with 403 in the JSON error shape', async () => {
    const response = await fetch(`${out(SYNC).ApiUrl}orders/${randomUUID()}`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  test('throttles a burst beyond the token bucket with 429s; admitted matches burst and refill within 10%', async () => {
    // GIVEN one API key of the async API (its usage plan: rate 50/s, burst 100) and requests whose
    // body fails validation, so that admitted requests cost no SQS or Lambda work and arrive fast
    const requests = 300;
    const arrivals: number[] = [];
    accessLogListener = (entry) => arrivals.push(entry.requestTimeEpoch);
    // WHEN they arrive at once
    const statuses = await Promise.all(
      Array.from({ length: requests }, async () => (await post(ASYNC, {})).status),
    );
    accessLogListener = undefined;
    // THEN the bucket admits its burst plus what refilled while they arrived, and answers the rest 429
    const throttled = statuses.filter((status) => status === 429).length;
    const admitted = statuses.filter((status) => status === 400).length;
    expect(admitted + throttled).toBe(requests);
    const arrivalSeconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const expected = Math.min(requests, 100 + 50 * arrivalSeconds);
    expect(throttled).toBeGreaterThan(0);
    expect(Math.abs(admitted - expected)).toBeLessThanOrEqual(expected * 0.1);
  });

  test('an integration slower than the gateway timeout answers 504', async () => {
    // GIVEN get-order is slowed beyond the (shortened) integration timeout
    cloud.faults.setFunctionFault(`${SYNC}/${getOrderLogicalId()}`, { latencyMs: 4_000 });
    // WHEN / THEN
    const response = await getOrder(SYNC, randomUUID());
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: { code: 'GATEWAY_TIMEOUT' } });
  });

  test('a handler crash becomes a 502', async () => {
    cloud.faults.setFunctionFault(`${SYNC}/${getOrderLogicalId()}`, { errorRate: 1 });
    const response = await getOrder(SYNC, randomUUID());
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: 'BAD_GATEWAY' } });
  });

  test('DynamoDB down: the sync API answers 503 with Retry-After; back up, it serves again', async () => {
    // GIVEN DynamoDB is down, logged with a timestamp
    await cloud.faults.setDynamoDbFault({ down: true });
    expect(faultLog.at(-1)).toMatch(/^\d{4}-\d{2}-\d{2}T.* fault dynamodb us-east-1 down=true$/);
    // WHEN an order is posted THEN the client is told to retry later
    const during = await post(SYNC, validOrder);
    expect(during.status).toBe(503);
    // One failed call cannot open the circuit breaker (its volume threshold is 5 calls), so this is
    // the handler's answer to an unavailable dependency, not the breaker's seconds until its probe.
    expect(during.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS.serviceUnavailable));
    expect(await during.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
    // WHEN DynamoDB is back THEN orders are created again
    await cloud.faults.setDynamoDbFault({});
    expect((await post(SYNC, validOrder)).status).toBe(201);
  });

  test('async: a failed consumer invocation returns the batch, which is retried after the visibility timeout', async () => {
    // GIVEN a short visibility timeout (the template's is 180 s) and a consumer that fails every invocation
    await setVisibilityTimeout(cloud, out(ASYNC).QueueUrl, 2);
    cloud.faults.setFunctionFault(`${ASYNC}/ProcessOrders`, { errorRate: 1 });
    // WHEN an order is accepted and its first delivery fails (only batches from now on count)
    const since = batches.length;
    const key = randomUUID();
    expect((await post(ASYNC, validOrder, key)).status).toBe(202);
    const failed = await eventually(
      async () => Promise.resolve(batches.slice(since).find((batch) => batch.invocation.status === 'failed')),
      10_000,
      'a failed delivery',
    );
    expect(failed.retriedMessageIds).toEqual(failed.messageIds);
    expect(failed.deletedMessageIds).toEqual([]);
    cloud.faults.setFunctionFault(`${ASYNC}/ProcessOrders`, {});
    // THEN the same message comes back after the visibility timeout and the order is written
    await eventually(
      async () => ((await getOrder(ASYNC, key)).status === 200 ? true : undefined),
      15_000,
      'the retried order to be written',
    );
    // AND that redelivery is a successful batch that deleted the message (reported once the
    // invocation has returned, which can be just after the order became readable)
    await eventually(
      async () =>
        Promise.resolve(
          batches
            .slice(since)
            .find(
              (batch) =>
                batch.invocation.status === 'succeeded' &&
                batch.deletedMessageIds.includes(failed.messageIds[0]),
            ),
        ),
      5_000,
      'the successful redelivery',
    );
  });

  test('async: with DynamoDB down the API keeps accepting, and after recovery every accepted order exists once', async () => {
    // GIVEN a short visibility timeout, so failed batches come back within the test (the template's
    // 180 s × 5 receives tolerates a 15-minute outage before anything reaches the DLQ)
    await setVisibilityTimeout(cloud, out(ASYNC).QueueUrl, 2);
    // AND DynamoDB is down
    await cloud.faults.setDynamoDbFault({ down: true });
    // WHEN orders keep arriving during the outage
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) {
      const key = randomUUID();
      const response = await post(ASYNC, validOrder, key);
      // THEN each is accepted: the queue buffers them
      expect(response.status).toBe(202);
      keys.push(key);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // WHEN DynamoDB comes back
    await cloud.faults.setDynamoDbFault({});
    // THEN every accepted order is written, exactly once
    await eventually(
      async () => {
        const stored = new Set((await ordersInTable(ASYNC)).map((order) => order.orderId));
        return keys.every((key) => stored.has(key)) ? true : undefined;
      },
      30_000,
      'every accepted order to be written',
    );
    const stored = (await ordersInTable(ASYNC)).filter((order) => keys.includes(String(order.orderId)));
    expect(stored).toHaveLength(keys.length);
  }, 60_000);

  function getOrderLogicalId(): string {
    const fn = [...cloud.stacks.find((s) => s.stackName === SYNC)!.runtime.functions.values()].find(
      (candidate) => candidate.definition.logicalId.startsWith('GetOrder'),
    );
    return fn!.definition.logicalId;
  }
});
