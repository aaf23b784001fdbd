import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OrdersTable } from '../../../../lib/constructs/orders-table';
import { ResilientFunction } from '../../../../lib/constructs/resilient-function';
import { testStack } from '../../../harness/app';

const entry = path.join(__dirname, '../../../fixtures/echo-handler.ts');

describe('OrdersTable', () => {
  test('on-demand, PITR, KMS encryption, retained with deletion protection by default', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    new OrdersTable(stack, 'Orders');
    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            Region: 'us-east-1',
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  test('with replica regions, becomes a global table with a stream', () => {
    const stack = testStack();
    new OrdersTable(stack, 'Orders', { replicaRegions: ['us-west-2'] });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      Replicas: Match.arrayWith([
        Match.objectLike({ Region: 'us-west-2' }),
        Match.objectLike({ Region: 'us-east-1' }),
      ]),
    });
  });

  test('removal policy DESTROY turns deletion protection off', () => {
    const stack = testStack();
    new OrdersTable(stack, 'Orders', { removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
  });

  test('bindForReadWrite sets the table name and grants only item reads and writes', () => {
    // GIVEN
    const stack = testStack();
    const table = new OrdersTable(stack, 'Orders');
    const fn = new ResilientFunction(stack, 'Writer', { entry });
    // WHEN
    table.bindForReadWrite(fn);
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ ORDERS_TABLE_NAME: { Ref: Match.stringLikeRegexp('OrdersTable') } }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem'] })]),
      },
    });
  });

  test('has no write limit by default; maxWriteRequestUnits caps on-demand writes', () => {
    // GIVEN
    const unlimited = testStack();
    new OrdersTable(unlimited, 'Orders');
    const limited = testStack();
    // WHEN
    new OrdersTable(limited, 'Orders', { maxWriteRequestUnits: 500 });
    // THEN
    const [table] = Object.values(Template.fromStack(unlimited).findResources('AWS::DynamoDB::GlobalTable'));
    expect(table.Properties.WriteOnDemandThroughputSettings).toBeUndefined();
    Template.fromStack(limited).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      WriteOnDemandThroughputSettings: { MaxWriteRequestUnits: 500 },
    });
  });

  test('fails if maxWriteRequestUnits is below 1', () => {
    expect(() => new OrdersTable(testStack(), 'Orders', { maxWriteRequestUnits: 0 })).toThrow(
      'Maximum write request units must be a whole number of at least 1 (given 0)',
    );
  });

  test('fails if a replica region is listed twice', () => {
    const stack = testStack();
    expect(() => new OrdersTable(stack, 'Orders', { replicaRegions: ['us-west-2', 'us-west-2'] })).toThrow(
      'Replica regions must be unique (given us-west-2 more than once)',
    );
  });
});
