import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  startGlobalTableReplication,
  type GlobalTableReplication,
} from '../../../local-cloud/replication/global-table-replication';
import { LOCAL_CREDENTIALS } from '../../../local-cloud/region-runtime';
import { localEndpoints } from '../../harness/local-aws';
import { eventually, uniqueNamePrefix } from '../synthesized-assembly';

const REGIONS = ['us-east-1', 'eu-west-1'] as const;
type Region = (typeof REGIONS)[number];

describe('global table replication (DynamoDB Local, two regions)', () => {
  const clients = new Map<Region, DynamoDBClient>();
  let tableName: string;
  let replication: GlobalTableReplication;

  beforeAll(() => {
    for (const region of REGIONS) {
      clients.set(
        region,
        new DynamoDBClient({ endpoint: localEndpoints().dynamoDb, region, credentials: LOCAL_CREDENTIALS }),
      );
    }
  });

  afterAll(() => {
    for (const client of clients.values()) client.destroy();
  });

  beforeEach(async () => {
    // GIVEN a table of the same name with a stream in both regions
    tableName = `${uniqueNamePrefix()}orders`;
    for (const region of REGIONS) {
      await client(region).send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
    }
    replication = await startGlobalTableReplication({
      replicas: REGIONS.map((region) => ({ region, tableName, dynamodbEndpoint: localEndpoints().dynamoDb })),
      credentials: LOCAL_CREDENTIALS,
      pollIntervalMillis: 50,
    });
  });

  afterEach(() => replication.stop());

  function client(region: Region): DynamoDBClient {
    return clients.get(region) as DynamoDBClient;
  }

  const order = (orderId: string, createdAt: string, customerId = 'c-1'): Record<string, AttributeValue> => ({
    orderId: { S: orderId },
    customerId: { S: customerId },
    createdAt: { S: createdAt },
  });

  const put = (region: Region, item: Record<string, AttributeValue>) =>
    client(region).send(new PutItemCommand({ TableName: tableName, Item: item }));

  const itemIn = async (region: Region, orderId: string) =>
    (
      await client(region).send(
        new GetItemCommand({ TableName: tableName, Key: { orderId: { S: orderId } }, ConsistentRead: true }),
      )
    ).Item;

  const allItems = async (region: Region) =>
    ((await client(region).send(new ScanCommand({ TableName: tableName }))).Items ?? []).sort((a, b) =>
      String(a.orderId.S).localeCompare(String(b.orderId.S)),
    );

  test('replicates a write in either region to the other, once, and reports the lag', async () => {
    // WHEN each region takes a write
    await put('us-east-1', order('o-east', new Date().toISOString()));
    await put('eu-west-1', order('o-west', new Date().toISOString()));

    // THEN both replicas hold both items
    await replication.whenCaughtUp(10_000);
    expect(await itemIn('eu-west-1', 'o-east')).toEqual(order('o-east', expect.any(String) as never));
    expect(await allItems('us-east-1')).toEqual(await allItems('eu-west-1'));
    // AND each write was applied once, with no echo back to where it came from
    const status = replication.status();
    expect(
      status.replicas.map(({ region, applied, superseded }) => ({ region, applied, superseded })),
    ).toEqual([
      { region: 'us-east-1', applied: 1, superseded: 0 },
      { region: 'eu-west-1', applied: 1, superseded: 0 },
    ]);
    for (const replica of status.replicas) {
      expect(replica.lagMillis.last).toBeGreaterThanOrEqual(0);
      expect(replica.lagMillis.max).toBeLessThan(10_000);
    }
  });

  test('writes in both regions during a pause converge after resume, last writer wins', async () => {
    // GIVEN replication paused
    replication.pause();

    // WHEN both regions write the same order, us-east-1 first, and each writes an order of its own
    await put('us-east-1', order('o-both', '2030-01-01T00:00:00.000Z', 'first-writer'));
    await put('eu-west-1', order('o-both', '2030-01-01T00:00:01.000Z', 'last-writer'));
    await put('us-east-1', order('o-east-only', '2030-01-01T00:00:02.000Z'));
    await put('eu-west-1', order('o-west-only', '2030-01-01T00:00:03.000Z'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await itemIn('eu-west-1', 'o-east-only')).toBeUndefined();
    await expect(replication.whenCaughtUp(1_000)).rejects.toThrow(/paused/);

    // AND replication resumes
    replication.resume();
    await replication.whenCaughtUp(10_000);

    // THEN both replicas hold the same items, with the later write of the shared order
    const east = await allItems('us-east-1');
    expect(east).toEqual(await allItems('eu-west-1'));
    expect(east.map((item) => item.orderId.S)).toEqual(['o-both', 'o-east-only', 'o-west-only']);
    expect(east[0].customerId).toEqual({ S: 'last-writer' });
    // AND the earlier write was refused in the region that had the later one
    expect(replication.status().replicas.find((replica) => replica.region === 'eu-west-1')?.superseded).toBe(
      1,
    );
  });

  test('writes with equal timestamps converge on the same item in both regions', async () => {
    // GIVEN replication paused and two different writes of one order with the same timestamp
    replication.pause();
    await put('us-east-1', order('o-tie', '2030-01-01T00:00:00.000Z', 'a'));
    await put('eu-west-1', order('o-tie', '2030-01-01T00:00:00.000Z', 'b'));

    // WHEN replication resumes
    replication.resume();
    await replication.whenCaughtUp(10_000);

    // THEN both regions made the same choice
    expect(await itemIn('us-east-1', 'o-tie')).toEqual(await itemIn('eu-west-1', 'o-tie'));
  });

  test('replicates a delete', async () => {
    // GIVEN an order in both regions
    await put('us-east-1', order('o-gone', '2030-01-01T00:00:00.000Z'));
    await replication.whenCaughtUp(10_000);
    expect(await itemIn('eu-west-1', 'o-gone')).toMatchObject({ orderId: { S: 'o-gone' } });

    // WHEN us-east-1 deletes it
    await client('us-east-1').send(
      new DeleteItemCommand({ TableName: tableName, Key: { orderId: { S: 'o-gone' } } }),
    );

    // THEN eu-west-1 deletes it too
    await eventually(
      async () => ((await itemIn('eu-west-1', 'o-gone')) === undefined ? true : undefined),
      10_000,
      'the delete to replicate',
    );
  });
});
