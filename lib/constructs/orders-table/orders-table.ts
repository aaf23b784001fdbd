import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENVIRONMENT } from '../../../lambdas/contract/environment';
import type { ResilientFunction } from '../resilient-function';

/** Properties of an {@link OrdersTable}. */
export interface OrdersTableProps {
  /**
   * What happens to the table (and its data) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Regions, other than the stack's own, that hold a replica of the table: with any, the table is a
   * DynamoDB global table (multi-active, last writer wins).
   * @default - no replicas (a single-region table)
   */
  readonly replicaRegions?: string[];

  /**
   * An existing table to use instead of creating one, e.g. the replica in this region of a global
   * table that another region's stack created. Replicas, removal policy and table props are then ignored.
   * @default - a new table is created
   */
  readonly existingTable?: dynamodb.ITableV2;

  /**
   * Whether DynamoDB refuses to delete the table.
   * @default - true when the removal policy is RETAIN, false otherwise
   */
  readonly deletionProtection?: boolean;

  /**
   * Most write request units per second the on-demand table may consume (in every replica); writes
   * above it are throttled. A cap on cost and on how hard a spike can hit the table.
   * @default - no limit (on-demand scales)
   */
  readonly maxWriteRequestUnits?: number;

  /**
   * Pass-through properties for the underlying `TableV2`. They override the construct's choices.
   * @default - none
   */
  readonly tableProps?: Partial<dynamodb.TablePropsV2>;
}

/** Name of the orders table's partition key; the order id is the client's Idempotency-Key. */
export const ORDERS_PARTITION_KEY = 'orderId';

/**
 * The orders table: on-demand, point-in-time recovery, AWS-managed KMS encryption, deletion
 * protection while retained, and optional replicas that make it a global table for the multi-region
 * variant (with a NEW_AND_OLD_IMAGES stream, which replication needs).
 */
export class OrdersTable extends Construct {
  /** The DynamoDB table. */
  public readonly table: dynamodb.ITableV2;

  constructor(scope: Construct, id: string, props: OrdersTableProps = {}) {
    super(scope, id);
    if (props.existingTable) {
      this.table = props.existingTable;
      return;
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const replicaRegions = props.replicaRegions ?? [];
    validateReplicaRegions(replicaRegions);
    const maxWriteRequestUnits = props.maxWriteRequestUnits;
    if (
      maxWriteRequestUnits !== undefined &&
      !Token.isUnresolved(maxWriteRequestUnits) &&
      !(Number.isInteger(maxWriteRequestUnits) && maxWriteRequestUnits >= 1)
    ) {
      throw new Error(
        `Maximum write request units must be a whole number of at least 1 (given ${maxWriteRequestUnits})`,
      );
    }

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: ORDERS_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(
        maxWriteRequestUnits === undefined ? undefined : { maxWriteRequestUnits },
      ),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
      removalPolicy,
      deletionProtection: props.deletionProtection ?? removalPolicy === RemovalPolicy.RETAIN,
      dynamoStream: replicaRegions.length > 0 ? dynamodb.StreamViewType.NEW_AND_OLD_IMAGES : undefined,
      replicas: replicaRegions.map((region) => ({ region })),
      ...props.tableProps,
    });
  }

  /** Lets the function read orders and tells it the table's name (`ORDERS_TABLE_NAME`). */
  public bindForRead(fn: ResilientFunction): iam.Grant {
    fn.addEnvironment(ENVIRONMENT.ordersTableName, this.table.tableName);
    return this.table.grant(fn.function, 'dynamodb:GetItem');
  }

  /**
   * Lets the function read and conditionally write orders and tells it the table's name
   * (`ORDERS_TABLE_NAME`). Only the item actions the handlers use are granted (no scans, no deletes).
   */
  public bindForReadWrite(fn: ResilientFunction): iam.Grant {
    fn.addEnvironment(ENVIRONMENT.ordersTableName, this.table.tableName);
    return this.table.grant(fn.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
  }
}

function validateReplicaRegions(regions: string[]): void {
  const seen = new Set<string>();
  for (const region of regions) {
    if (Token.isUnresolved(region)) continue;
    if (seen.has(region)) {
      throw new Error(`Replica regions must be unique (given ${region} more than once)`);
    }
    seen.add(region);
  }
}
