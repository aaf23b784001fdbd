/**
 * Orders written straight into an orders table, for the tests that read orders they did not create
 * through the API (or that rewrite one as an earlier version stored it).
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ORDER_STATUS, type Order } from '../../lambdas/orders/order';

/** Options of {@link storeOrder}. */
export interface StoreOrderOptions {
  /**
   * The order to store.
   * @default - a new confirmed order of `customer-1` (3 × `SKU-1`) with a random id, created now
   */
  readonly order?: Order;
  /**
   * The owner stored beside the order (a digest of an API key value, a key's regional id as earlier
   * versions stored it, or an authorizer principal).
   * @default - none: the item has no `ownerId`, as for an order created without an owner
   */
  readonly ownerId?: string;
}

/** Stores an order item in the orders table `tableName` and returns the order as the API shows it (without its owner). */
export async function storeOrder(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: StoreOrderOptions = {},
): Promise<Order> {
  const order = options.order ?? {
    orderId: randomUUID(),
    customerId: 'customer-1',
    items: [{ sku: 'SKU-1', quantity: 3 }],
    status: ORDER_STATUS,
    createdAt: new Date().toISOString(),
  };
  const owner = options.ownerId === undefined ? {} : { ownerId: options.ownerId };
  await client.send(new PutCommand({ TableName: tableName, Item: { ...order, ...owner } }));
  return order;
}
