/**
 * Data access for the orders table: the only module that calls DynamoDB for orders.
 *
 * Table shape: partition key `orderId` (S); items are {@link Order}s plus the internal attribute
 * {@link OWNER_ATTRIBUTE} (absent for orders created without an owner).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError, type DataAccessCallOptions } from '../platform/data-access';
import { canonicalOrder, type Order, type OwnedOrder } from './order';

const DEPENDENCY_NAME = 'orders table';

/** Attribute of an order item that holds its owner; never returned by the API. */
export const OWNER_ATTRIBUTE = 'ownerId';

/** Key the health probe reads. No order can have it, since order ids are UUIDs. */
const HEALTH_PROBE_ORDER_ID = 'health-probe';

/** Result of {@link OrdersRepository.createIfAbsent}. */
export type CreateIfAbsentResult =
  | { readonly created: true; readonly order: Order }
  | { readonly created: false; readonly existing: OwnedOrder };

/** Reads and writes orders. Every SDK failure surfaces as a {@link DependencyUnavailableError}. */
export class OrdersRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Writes the order unless an order with the same id exists, in which case the existing one is
   * returned with its owner. The condition makes the write safe even when the idempotency record
   * has expired.
   */
  async createIfAbsent(order: Order, ownerId?: string): Promise<CreateIfAbsentResult> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: ownerId === undefined ? order : { ...order, [OWNER_ATTRIBUTE]: ownerId },
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      );
      return { created: true, order };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
      }
    }
    // Orders are never deleted, so the item that failed the condition is still there.
    const existing = await this.get(order.orderId, { consistentRead: true });
    if (existing === undefined) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, new Error(`order ${order.orderId} vanished`));
    }
    return { created: false, existing };
  }

  /** Reads an order and its owner; undefined when there is none with this id. */
  async get(
    orderId: string,
    options: { readonly consistentRead?: boolean } = {},
  ): Promise<OwnedOrder | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { orderId },
          ConsistentRead: options.consistentRead,
        }),
      );
      if (Item === undefined) return undefined;
      const ownerId: unknown = Item[OWNER_ATTRIBUTE];
      return {
        order: canonicalOrder(Item as Order),
        ...(typeof ownerId === 'string' ? { ownerId } : {}),
      };
    } catch (error) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
    }
  }

  /**
   * Proves the table answers by reading a key that never exists. A GetItem needs only the
   * `dynamodb:GetItem` permission the handlers already have, where DescribeTable would need another.
   */
  async probe(options: DataAccessCallOptions = {}): Promise<void> {
    try {
      await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { orderId: HEALTH_PROBE_ORDER_ID } }),
        { abortSignal: options.abortSignal },
      );
    } catch (error) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
    }
  }
}
