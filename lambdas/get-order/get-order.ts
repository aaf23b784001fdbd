/**
 * The logic of `GET /orders/{orderId}` (both variants): reads through the data store's circuit
 * breaker, shows an order only to its owner, and serves the last good copy when the table fails.
 */
import type { DependencyCircuitBreaker } from '../platform/circuit-breaker';
import { DependencyUnavailableError } from '../platform/data-access';
import { ApiError } from '../contract/errors';
import { logger } from '../platform/logger';
import type { Order, OwnedOrder } from '../orders/order';
import { isOwnedBy, type RequestOwner } from '../orders/order-owner';
import { isIdempotencyKey } from '../orders/order-validation';
import type { OrdersRepository } from '../orders/orders-repository';
import type { LastGoodCopies } from './last-good-copies';

/**
 * Headers of a response served from a last good copy, the one place they are defined: the standard
 * (if deprecated by RFC 9111, still widely understood) `Warning: 110`, and RFC 9211's
 * `Cache-Status` naming this cache and why the copy was served. `Age` is added per response.
 */
export const STALE_RESPONSE_HEADERS = {
  Warning: '110 - "Response is Stale"',
  'Cache-Status': 'get-order; hit; detail=stale-if-error',
} as const;

/** The headers of a stale answer whose copy is `ageSeconds` old. */
export function staleResponseHeaders(ageSeconds: number): Record<string, string> {
  return { ...STALE_RESPONSE_HEADERS, Age: String(ageSeconds) };
}

/** What {@link getOrder} reads with. */
export interface GetOrderDependencies {
  readonly repository: OrdersRepository;
  /** The read path's breaker (per container). */
  readonly breaker: DependencyCircuitBreaker;
  readonly lastGoodCopies: LastGoodCopies;
}

/** An order read; `stale` is set when it is a last good copy served because the table failed. */
export interface OrderRead {
  readonly order: Order;
  readonly stale?: { readonly ageSeconds: number };
}

/**
 * Reads one order of `owner`. An order of another owner is answered exactly like an unknown one
 * (404), so ids cannot be probed across owners. When the table fails (or the breaker is open) the
 * last good copy is served if there is one young enough; otherwise the failure stands (503), also
 * for orders never read: without the table nobody can tell that an order does not exist.
 *
 * @throws ApiError VALIDATION_FAILED when the id is not a UUID (no order can have it), NOT_FOUND when
 *   there is no such order of this owner
 * @throws DependencyUnavailableError when the table cannot be reached and no copy can be served
 */
export async function getOrder(
  dependencies: GetOrderDependencies,
  orderId: string | undefined,
  owner: RequestOwner | undefined,
): Promise<OrderRead> {
  if (orderId === undefined || !isIdempotencyKey(orderId)) {
    throw new ApiError('VALIDATION_FAILED', 'The order id must be a UUID', {
      details: [{ field: 'orderId', message: 'must be a UUID' }],
    });
  }
  const { repository, breaker, lastGoodCopies } = dependencies;
  let owned: OwnedOrder | undefined;
  try {
    owned = await breaker.run(() => repository.get(orderId));
  } catch (error) {
    if (!(error instanceof DependencyUnavailableError)) throw error;
    const copy = lastGoodCopies.recall(orderId);
    // Another owner's copy is treated as no copy: the answer must not reveal that the order exists.
    if (copy === undefined || !isOwnedBy(copy.owned.ownerId, owner)) throw error;
    logger.warn('Serving the last good copy of an order', { orderId, ageSeconds: copy.ageSeconds, error });
    return { order: copy.owned.order, stale: { ageSeconds: copy.ageSeconds } };
  }
  if (owned === undefined || !isOwnedBy(owned.ownerId, owner)) {
    throw new ApiError('NOT_FOUND', `Order ${orderId} does not exist`);
  }
  lastGoodCopies.remember(owned);
  return { order: owned.order };
}
