import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENVIRONMENT } from '../../../lambdas/contract/environment';
import type { ResilientFunction } from '../resilient-function';

/** Properties of an {@link IdempotencyTable}. */
export interface IdempotencyTableProps {
  /**
   * What happens to the table when it leaves the stack. Idempotency records expire within hours, so
   * there is nothing worth keeping.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Pass-through properties for the underlying `TableV2`. They override the construct's choices.
   * @default - none
   */
  readonly tableProps?: Partial<dynamodb.TablePropsV2>;
}

/** Partition key of the Powertools idempotency persistence layer (its `keyAttr` default). */
export const IDEMPOTENCY_PARTITION_KEY = 'id';

/** TTL attribute of the Powertools idempotency persistence layer (its `expiryAttr` default). */
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = 'expiration';

/**
 * A DynamoDB table in the shape the Powertools idempotency utility expects: partition key `id`,
 * TTL on `expiration`, on-demand, point-in-time recovery and AWS-managed KMS encryption.
 */
export class IdempotencyTable extends Construct {
  /** The DynamoDB table. */
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: IDEMPOTENCY_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_EXPIRY_ATTRIBUTE,
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      ...props.tableProps,
    });
  }

  /**
   * Grants the item actions the Powertools persistence layer uses and tells the function the table's
   * name (`IDEMPOTENCY_TABLE_NAME`).
   */
  public bindTo(fn: ResilientFunction): iam.Grant {
    fn.addEnvironment(ENVIRONMENT.idempotencyTableName, this.table.tableName);
    return this.table.grant(
      fn.function,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
  }
}
