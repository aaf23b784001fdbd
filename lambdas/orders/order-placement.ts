/**
 * Places an order exactly once per idempotency key, for the synchronous API and the queue consumer.
 *
 * Two layers make it safe: Powertools idempotency records (replays get the stored result, concurrent
 * duplicates are refused while the first is in progress, a different body for the same key is
 * detected by payload validation) and, below them, a conditional put on the orders table, so even
 * after an idempotency record has expired there is never a second order for one key.
 *
 * Orders are owner-scoped: the owner is part of the idempotency payload validation, so a key
 * already used by another owner is refused as reused (422) and Powertools never replays another
 * owner's order; the conditional put's fallback compares owners too.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import { DependencyUnavailableError } from '../platform/data-access';
import { buildOrder, canonicalOrder, isSameOrderRequest, type Order } from './order';
import { isOwnedBy } from './order-owner';
import type { CreateOrderRequest } from '../contract/order-schema';
import type { OrdersRepository } from './orders-repository';

/**
 * Prefix of the idempotency records' keys. Fixed rather than the Powertools default (the function
 * name), so records survive a function being renamed or replaced and both variants agree on keys.
 */
export const ORDER_IDEMPOTENCY_KEY_PREFIX = 'orders';

/**
 * How long a completed idempotency record answers replays. Clients may retry for hours after an
 * outage; a day is the common window (Stripe's, for one). Later replays still get the same order
 * from the orders table's conditional put.
 */
export const IDEMPOTENCY_RECORD_TTL_SECONDS = 24 * 60 * 60;

/**
 * What an order is placed from: the idempotency key (which becomes the order id), the body and the
 * owner (see `order-owner.ts`).
 */
export interface PlaceOrderInput {
  readonly orderId: string;
  readonly request: CreateOrderRequest;
  readonly ownerId?: string;
  /**
   * Earlier owners of the same credentials (see `RequestOwner.formerOwnerIds`): an existing order
   * stored under one of them is the same owner's. Not part of the idempotency payload.
   */
  readonly formerOwnerIds?: readonly string[];
}

/** The idempotency key already belongs to an order with a different body or another owner. */
export class IdempotencyKeyReusedError extends Error {
  constructor(public readonly orderId: string) {
    super(`Idempotency key ${orderId} was already used with a different request body or owner`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Another request with the same idempotency key is still being processed. */
export class OrderInProgressError extends Error {
  constructor(public readonly orderId: string) {
    super(`A request with idempotency key ${orderId} is already in progress`);
    this.name = 'OrderInProgressError';
  }
}

/**
 * Writes the order for a key unless it exists. An existing order is returned when it was made from
 * the same body by the same owner, so a replay after the idempotency record expired still gets the
 * original order, and another owner never gets it.
 */
export async function placeOrder(repository: OrdersRepository, input: PlaceOrderInput): Promise<Order> {
  const order = buildOrder({ ...input, createdAt: new Date().toISOString() });
  const result = await repository.createIfAbsent(order, input.ownerId);
  if (result.created) return result.order;
  const { existing } = result;
  const owner =
    input.ownerId === undefined
      ? undefined
      : { ownerId: input.ownerId, formerOwnerIds: input.formerOwnerIds ?? [] };
  if (isOwnedBy(existing.ownerId, owner) && isSameOrderRequest(existing.order, input.request)) {
    return existing.order;
  }
  throw new IdempotencyKeyReusedError(input.orderId);
}

/** Properties of an {@link OrderPlacement}. */
export interface OrderPlacementProps {
  /** Where orders are written. */
  readonly repository: OrdersRepository;
  /** Where idempotency records are kept (a `DynamoDBPersistenceLayer` on the idempotency table). */
  readonly persistenceStore: BasePersistenceLayer;
}

/** {@link placeOrder} made idempotent per key with Powertools, with its errors in domain terms. */
export class OrderPlacement {
  private readonly config: IdempotencyConfig;
  private readonly placeIdempotently: (input: PlaceOrderInput) => Promise<Order>;

  constructor(props: OrderPlacementProps) {
    this.config = new IdempotencyConfig({
      eventKeyJmesPath: 'orderId',
      // The owner is validated with the body: a key used by another owner fails validation (422),
      // so the stored result (the other owner's order) is never replayed to this one.
      payloadValidationJmesPath: '[request, ownerId]',
      throwOnNoIdempotencyKey: true,
      expiresAfterSeconds: IDEMPOTENCY_RECORD_TTL_SECONDS,
    });
    this.placeIdempotently = makeIdempotent((input: PlaceOrderInput) => placeOrder(props.repository, input), {
      persistenceStore: props.persistenceStore,
      config: this.config,
      keyPrefix: ORDER_IDEMPOTENCY_KEY_PREFIX,
    });
  }

  /**
   * Tells Powertools how long the current invocation may still run, so that an in-progress record
   * of an invocation that crashed or timed out stops blocking retries once that time has passed.
   */
  registerLambdaContext(context: Context): void {
    this.config.registerLambdaContext(context);
  }

  /**
   * Places the order once per key and returns it (the stored one on a replay).
   *
   * @throws IdempotencyKeyReusedError when the key was used with a different body or by another owner
   * @throws OrderInProgressError when a request with the same key is still in progress
   * @throws DependencyUnavailableError when a table cannot be reached
   */
  async place(input: PlaceOrderInput): Promise<Order> {
    try {
      // A replay's order comes from the idempotency record, stored as a DynamoDB map whose keys lose
      // their order; the canonical form keeps the replayed response byte-identical.
      return canonicalOrder(await this.placeIdempotently(input));
    } catch (error) {
      throw toDomainError(error, input.orderId);
    }
  }
}

function toDomainError(error: unknown, orderId: string): unknown {
  if (error instanceof IdempotencyValidationError) return new IdempotencyKeyReusedError(orderId);
  if (error instanceof IdempotencyAlreadyInProgressError) return new OrderInProgressError(orderId);
  // An inconsistent state survived Powertools' own retries: the record kept changing under it.
  if (
    error instanceof IdempotencyPersistenceLayerError ||
    error instanceof IdempotencyInconsistentStateError
  ) {
    return new DependencyUnavailableError('idempotency table', error.cause ?? error);
  }
  return error;
}
