/**
 * The logic of `GET /orders/{orderId}` (both variants).
 */
import { ApiError } from '../shared/errors';
import type { Order } from '../shared/order';
import { isIdempotencyKey } from '../shared/order-validation';
import type { OrdersRepository } from '../shared/orders-repository';

/**
 * Reads one order.
 *
 * @throws ApiError VALIDATION_FAILED when the id is not a UUID (no order can have it), NOT_FOUND when
 *   there is no such order
 * @throws DependencyUnavailableError when the table cannot be reached
 */
export async function getOrder(repository: OrdersRepository, orderId: string | undefined): Promise<Order> {
  if (orderId === undefined || !isIdempotencyKey(orderId)) {
    throw new ApiError('VALIDATION_FAILED', 'The order id must be a UUID', {
      details: [{ field: 'orderId', message: 'must be a UUID' }],
    });
  }
  const order = await repository.get(orderId);
  if (order === undefined) {
    throw new ApiError('NOT_FOUND', `Order ${orderId} does not exist`);
  }
  return order;
}
