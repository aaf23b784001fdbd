import * as fs from 'node:fs';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  readCloudAssembly,
  stackByName,
  type AssemblyStack,
  type LocalCloudAssembly,
} from '../../../local-cloud/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../../local-cloud/assembly/intrinsic-resolver';
import { createStackTables, tableDefinitionsOf } from '../../../local-cloud/resources/dynamodb-tables';
import { emulationReportOf } from '../../../local-cloud/resources/emulation-report';
import { createStackQueues } from '../../../local-cloud/resources/sqs-queues';
import { localEndpoints, TEST_CREDENTIALS, TEST_REGION, TEST_ACCOUNT } from '../../harness/local-aws';
import {
  logicalIdOf,
  synthesizeAssembly,
  uniqueNamePrefix,
  type TestAssembly,
} from '../synthesized-assembly';

const ASYNC_STACK = 'ResilientApi-async';

let testAssembly: TestAssembly;
let assembly: LocalCloudAssembly;
let asyncStack: AssemblyStack;
let dynamoDb: DynamoDBClient;
let sqs: SQSClient;

function resolverOf(stack: AssemblyStack): IntrinsicResolver {
  return new IntrinsicResolver({
    stackName: stack.stackName,
    template: stack.template,
    region: TEST_REGION,
    accountId: TEST_ACCOUNT,
  });
}

beforeAll(() => {
  // Templates only: provisioning needs no bundles.
  testAssembly = synthesizeAssembly({ variants: ['sync', 'async'], bundle: false });
  assembly = readCloudAssembly(testAssembly.directory);
  asyncStack = stackByName(assembly, ASYNC_STACK);
  dynamoDb = new DynamoDBClient({
    endpoint: localEndpoints().dynamoDb,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  sqs = new SQSClient({ endpoint: localEndpoints().sqs, region: TEST_REGION, credentials: TEST_CREDENTIALS });
});

afterAll(() => {
  dynamoDb.destroy();
  sqs.destroy();
  testAssembly.remove();
});

describe('readCloudAssembly', () => {
  test('reads every stack with its environment and template', () => {
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'ResilientApi-async',
      'ResilientApi-sync',
    ]);
    expect(asyncStack).toMatchObject({ account: TEST_ACCOUNT, region: 'us-east-1' });
    expect(asyncStack.templatePath).toMatch(/ResilientApi-async\.template\.json$/);
    expect(asyncStack.template).toEqual(JSON.parse(fs.readFileSync(asyncStack.templatePath, 'utf8')));
    expect(asyncStack.template.Resources).not.toEqual({});
  });

  test('fails if a stack is not in the assembly, naming the ones that are', () => {
    expect(() => stackByName(assembly, 'Nope')).toThrow(/has no stack Nope \(it has: ResilientApi-/);
  });
});

describe('DynamoDB tables', () => {
  test('creates the tables of the async template with their keys, on-demand, and TTL', async () => {
    // GIVEN
    const resolver = resolverOf(asyncStack);
    const ordersId = logicalIdOf(asyncStack, 'AWS::DynamoDB::GlobalTable', '/Orders/Table/Resource');
    const idempotencyId = logicalIdOf(
      asyncStack,
      'AWS::DynamoDB::GlobalTable',
      '/Idempotency/Table/Resource',
    );

    // WHEN
    const tables = await createStackTables(asyncStack, {
      resolver,
      client: dynamoDb,
      region: TEST_REGION,
      accountId: TEST_ACCOUNT,
      namePrefix: uniqueNamePrefix(),
    });

    // THEN
    expect(tables.map((table) => table.logicalId).sort()).toEqual([idempotencyId, ordersId].sort());
    const orders = tables.find((table) => table.logicalId === ordersId)!;
    expect(orders.tableName).toMatch(new RegExp(`ResilientApi-async-${ordersId}$`));
    const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: orders.tableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'orderId', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const idempotency = tables.find((table) => table.logicalId === idempotencyId)!;
    const ttl = await dynamoDb.send(new DescribeTimeToLiveCommand({ TableName: idempotency.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiration',
      TimeToLiveStatus: 'ENABLED',
    });
    expect(resolver.resolve({ Ref: ordersId })).toBe(orders.tableName);
    expect(resolver.resolve({ 'Fn::GetAtt': [ordersId, 'Arn'] })).toBe(
      `arn:aws:dynamodb:${TEST_REGION}:${TEST_ACCOUNT}:table/${orders.tableName}`,
    );
  });

  test('keeps an existing table when a region restarts', async () => {
    // GIVEN
    const namePrefix = uniqueNamePrefix();
    const options = { client: dynamoDb, region: TEST_REGION, accountId: TEST_ACCOUNT, namePrefix };
    await createStackTables(asyncStack, { ...options, resolver: resolverOf(asyncStack) });
    // WHEN
    const again = await createStackTables(asyncStack, { ...options, resolver: resolverOf(asyncStack) });
    // THEN
    expect(again.map((table) => table.created)).toEqual([false, false]);
  });

  test('creates global secondary indexes and streams when the template has them', async () => {
    // GIVEN a table resource with what the project's own tables do not use
    const stack: AssemblyStack = {
      stackName: 'IndexedStack',
      templatePath: '(inline)',
      account: TEST_ACCOUNT,
      region: TEST_REGION,
      template: {
        Resources: {
          Events: {
            Type: 'AWS::DynamoDB::Table',
            Properties: {
              AttributeDefinitions: [
                { AttributeName: 'pk', AttributeType: 'S' },
                { AttributeName: 'byCustomer', AttributeType: 'S' },
              ],
              KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
              GlobalSecondaryIndexes: [
                {
                  IndexName: 'ByCustomer',
                  KeySchema: [{ AttributeName: 'byCustomer', KeyType: 'HASH' }],
                  Projection: { ProjectionType: 'ALL' },
                  ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
                },
              ],
              ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
              StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
            },
          },
        },
      },
    };
    const resolver = resolverOf(stack);
    expect(tableDefinitionsOf(stack, { resolver, region: TEST_REGION })[0]?.createTableInput).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });

    // WHEN
    const [table] = await createStackTables(stack, {
      resolver,
      client: dynamoDb,
      region: TEST_REGION,
      accountId: TEST_ACCOUNT,
      namePrefix: uniqueNamePrefix(),
    });

    // THEN
    const { Table } = await dynamoDb.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['ByCustomer']);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(resolver.resolve({ 'Fn::GetAtt': ['Events', 'StreamArn'] })).toBe(Table?.LatestStreamArn);
  });
});

describe('SQS queues', () => {
  test('creates the dead-letter queue first and the queue with its attributes and redrive policy', async () => {
    // GIVEN
    const resolver = resolverOf(asyncStack);
    const queueId = logicalIdOf(asyncStack, 'AWS::SQS::Queue', '/OrderQueue/Queue/Resource');
    const deadLetterQueueId = logicalIdOf(
      asyncStack,
      'AWS::SQS::Queue',
      '/OrderQueue/DeadLetterQueue/Resource',
    );

    // WHEN
    const queues = await createStackQueues(asyncStack, {
      resolver,
      client: sqs,
      namePrefix: uniqueNamePrefix(),
    });

    // THEN the order queue's dead-letter queue comes before it (the stack has other queues too)
    const ids = queues.map((queue) => queue.logicalId);
    expect(ids.indexOf(deadLetterQueueId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(deadLetterQueueId)).toBeLessThan(ids.indexOf(queueId));
    const deadLetterQueue = queues[ids.indexOf(deadLetterQueueId)];
    const queue = queues[ids.indexOf(queueId)];
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({ VisibilityTimeout: '180', MessageRetentionPeriod: '345600' });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: deadLetterQueue.queueArn,
      maxReceiveCount: 5,
    });
    expect(resolver.resolve({ Ref: queueId })).toBe(queue.queueUrl);
    expect(resolver.resolve({ 'Fn::GetAtt': [queueId, 'QueueName'] })).toBe(queue.queueName);
  });
});

describe('emulationReportOf', () => {
  test('lists every resource as emulated or not emulated, with a reason', () => {
    // WHEN
    const report = emulationReportOf(assembly.stacks);

    // THEN
    const total = assembly.stacks.reduce(
      (sum, stack) => sum + Object.keys(stack.template.Resources).length,
      0,
    );
    expect(report.emulated.length + report.notEmulated.length).toBe(total);
    expect(report.emulated.map((resource) => resource.type)).toEqual(
      expect.arrayContaining(['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::Lambda::Function']),
    );
    expect(report.notEmulated).toContainEqual(
      expect.objectContaining({
        type: 'AWS::IAM::Role',
        reason: expect.stringMatching(/IAM is not enforced/),
      }),
    );
    expect(report.notEmulated.filter((resource) => resource.reason.length === 0)).toEqual([]);
  });

  test('counts types that another emulator runs as emulated', () => {
    const report = emulationReportOf(assembly.stacks, { 'AWS::ApiGateway::RestApi': 'apigateway' });
    expect(report.emulated).toContainEqual(
      expect.objectContaining({ type: 'AWS::ApiGateway::RestApi', emulator: 'apigateway' }),
    );
    expect(report.notEmulated.map((resource) => resource.type)).not.toContain('AWS::ApiGateway::RestApi');
  });
});
