/**
 * The shapes of the tables the constructs create, in one place, and helpers that create uniquely
 * named copies in DynamoDB Local so that test files can run in parallel.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { localEndpoints, TEST_CREDENTIALS, TEST_REGION } from './local-aws';

/** Orders table: partition key `orderId` (S), on-demand. */
export const ORDERS_TABLE_SHAPE = {
  AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

/** Idempotency table: partition key `id` (S), on-demand, TTL on `expiration` (Powertools defaults). */
export const IDEMPOTENCY_TABLE_SHAPE = {
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  BillingMode: 'PAY_PER_REQUEST',
} as const satisfies Omit<CreateTableCommandInput, 'TableName'>;

/** TTL attribute of the idempotency table. */
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

/** Names of a test file's tables. */
export interface TestTables {
  readonly ordersTableName: string;
  readonly idempotencyTableName: string;
}

/** A table name no other test file uses. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Creates an orders table and an idempotency table with unique names in DynamoDB Local. */
export async function createTestTables(): Promise<TestTables> {
  const client = new DynamoDBClient({
    endpoint: localEndpoints().dynamoDb,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  try {
    const ordersTableName = uniqueTableName('orders');
    const idempotencyTableName = uniqueTableName('idempotency');
    await Promise.all([
      client.send(new CreateTableCommand({ TableName: ordersTableName, ...ORDERS_TABLE_SHAPE })),
      client.send(new CreateTableCommand({ TableName: idempotencyTableName, ...IDEMPOTENCY_TABLE_SHAPE })),
    ]);
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: idempotencyTableName,
        TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE, Enabled: true },
      }),
    );
    return { ordersTableName, idempotencyTableName };
  } finally {
    client.destroy();
  }
}
