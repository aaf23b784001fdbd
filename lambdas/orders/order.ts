/**
 * The order resource as the API returns it and as the orders table stores it.
 */
import type { CreateOrderRequest, OrderItem } from '../contract/order-schema';

/** Status of every order this API creates (payment and fulfilment are out of scope). */
export const ORDER_STATUS = 'CONFIRMED';

/** An order; its id is the client's idempotency key. */
export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  readonly items: readonly OrderItem[];
  readonly note?: string;
  readonly status: typeof ORDER_STATUS;
  /** ISO 8601 timestamp of the first successful write. */
  readonly createdAt: string;
}

/**
 * An order with its owner (see `order-owner.ts`), as the orders table stores it. The owner is
 * internal: API responses carry only {@link OwnedOrder.order}.
 */
export interface OwnedOrder {
  readonly order: Order;
  /** Undefined for an order created without an owner (a function invoked directly). */
  readonly ownerId?: string;
}

/**
 * Builds an order with its keys in one fixed order. DynamoDB does not keep the order of map keys, so
 * building every order (new or read back) here keeps replayed responses byte-identical.
 */
export function buildOrder(fields: {
  readonly orderId: string;
  readonly request: CreateOrderRequest;
  readonly createdAt: string;
}): Order {
  const { orderId, request, createdAt } = fields;
  return {
    orderId,
    customerId: request.customerId,
    items: request.items.map(({ sku, quantity }) => ({ sku, quantity })),
    ...(request.note === undefined ? {} : { note: request.note }),
    status: ORDER_STATUS,
    createdAt,
  };
}

/**
 * The same order with its keys in the fixed order of {@link buildOrder}, for orders that come back
 * from storage (the orders table or an idempotency record).
 */
export function canonicalOrder(order: Order): Order {
  return buildOrder({ orderId: order.orderId, request: order, createdAt: order.createdAt });
}

/** Whether an existing order was created from the same request body. */
export function isSameOrderRequest(order: Order, request: CreateOrderRequest): boolean {
  return (
    order.customerId === request.customerId &&
    order.note === request.note &&
    order.items.length === request.items.length &&
    order.items.every(
      (item, index) =>
        item.sku === request.items[index].sku && item.quantity === request.items[index].quantity,
    )
  );
}
