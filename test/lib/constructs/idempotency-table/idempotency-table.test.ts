import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IdempotencyTable } from '../../../../lib/constructs/idempotency-table';
import { ResilientFunction } from '../../../../lib/constructs/resilient-function';
import { testStack } from '../../../harness/app';

const entry = path.join(__dirname, '../../../fixtures/echo-handler.ts');

describe('IdempotencyTable', () => {
  test('has the Powertools key and TTL attribute, on-demand, PITR and encryption', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    new IdempotencyTable(stack, 'Idempotency');
    // THEN
    Template.fromStack(stack).hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      }),
    });
  });

  test('bindTo sets IDEMPOTENCY_TABLE_NAME and grants the persistence layer item actions', () => {
    const stack = testStack();
    const table = new IdempotencyTable(stack, 'Idempotency');
    const fn = new ResilientFunction(stack, 'Handler', { entry });
    table.bindTo(fn);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_TABLE_NAME: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            // minimizePolicies sorts actions
            Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          }),
        ]),
      },
    });
  });
});
