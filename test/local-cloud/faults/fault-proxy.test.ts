import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DYNAMODB_INTERNAL_ERROR,
  type FaultProxy,
  startFaultProxy,
} from '../../../local-cloud/faults/fault-proxy';
import { TEST_CREDENTIALS, TEST_ENVIRONMENT, TEST_REGION } from '../../harness/local-aws';

const tableName = `fault-proxy-${Date.now()}`;

function clientFor(endpoint: string): DynamoDBClient {
  // One attempt, short timeouts: each fault should show at once, not after the SDK's retries.
  return new DynamoDBClient({
    endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 2000, throwOnRequestTimeout: true },
  });
}

describe('fault proxy in front of DynamoDB Local', () => {
  let proxy: FaultProxy;
  let client: DynamoDBClient;

  beforeAll(async () => {
    const target = process.env[TEST_ENVIRONMENT.dynamoDbEndpoint] as string;
    proxy = await startFaultProxy({ target, ...DYNAMODB_INTERNAL_ERROR });
    client = clientFor(proxy.endpoint);
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'kept' } } }));
  });

  afterAll(async () => {
    client.destroy();
    await proxy.stop();
  });

  afterEach(async () => proxy.setFault({}));

  const getKept = () => client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'kept' } } }));

  test('forwards requests unchanged when no fault is in force', async () => {
    const result = await getKept();
    expect(result.Item?.pk.S).toBe('kept');
  });

  test('down refuses connections; up again serves the same data on the same endpoint', async () => {
    // GIVEN the dependency is down
    const endpoint = proxy.endpoint;
    await proxy.setFault({ down: true });
    // WHEN a client calls it THEN the connection is refused
    await expect(getKept()).rejects.toThrow();
    // WHEN it comes back THEN the data written before the outage is still there
    await proxy.setFault({});
    expect(proxy.endpoint).toBe(endpoint);
    expect((await getKept()).Item?.pk.S).toBe('kept');
  });

  test('error rate 1 answers every request with DynamoDB’s own InternalServerError', async () => {
    await proxy.setFault({ errorRate: 1 });
    await expect(getKept()).rejects.toMatchObject({
      name: 'InternalServerError',
      $metadata: { httpStatusCode: 500 },
    });
  });

  test('latency delays every request by at least the given time', async () => {
    await proxy.setFault({ latencyMs: 300 });
    const started = Date.now();
    await getKept();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  test('an error rate fails exactly the requests whose random draw falls below it', async () => {
    // GIVEN a deterministic sequence of draws: every other draw is below the rate
    const draws = [0.1, 0.9];
    let index = 0;
    const deterministic = await startFaultProxy({
      target: process.env[TEST_ENVIRONMENT.dynamoDbEndpoint] as string,
      ...DYNAMODB_INTERNAL_ERROR,
      random: () => draws[index++ % draws.length],
    });
    const deterministicClient = clientFor(deterministic.endpoint);
    try {
      await deterministic.setFault({ errorRate: 0.5 });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          deterministicClient.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'kept' } } })),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
    } finally {
      deterministicClient.destroy();
      await deterministic.stop();
    }
  });

  test('fails if the error rate is outside 0..1', async () => {
    await expect(proxy.setFault({ errorRate: 1.5 })).rejects.toThrow(
      'Error rate must be between 0 and 1 (given 1.5)',
    );
  });
});
