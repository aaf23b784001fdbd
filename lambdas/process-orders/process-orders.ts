/**
 * The logic of the queue consumer (asynchronous variant).
 *
 * API Gateway writes each accepted `POST /orders` straight to SQS: the message body is the raw
 * request body and the message attributes `idempotencyKey`, `requestId`, `apiKey` and `apiKeyId`
 * carry the `Idempotency-Key` header, API Gateway's request id and the request's API key (whose
 * value names the order's owner, see `order-owner.ts`). The edge validates the body against the
 * same schema, but it cannot look up earlier requests, so it cannot tell that a key was already used
 * with a different body: that is detected here, where the first order is kept and the reuse is
 * logged and counted (the client already had its 202, there is nobody to answer 422 to).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import type { FieldError } from '../contract/errors';
import { logger } from '../platform/logger';
import { METRIC_NAMES, metrics } from '../platform/metrics';
import {
  IdempotencyKeyReusedError,
  type OrderPlacement,
  type PlaceOrderInput,
  OrderInProgressError,
} from '../orders/order-placement';
import { ORDER_MESSAGE_ATTRIBUTES } from '../contract/order-message';
import { ownerOf } from '../orders/order-owner';
import { isIdempotencyKey, parseJson, validateOrderRequest } from '../orders/order-validation';

export { ORDER_MESSAGE_ATTRIBUTES };

/**
 * A message that can never be processed. Throwing it marks the record as failed; after the queue's
 * maxReceiveCount the redrive policy moves it to the dead-letter queue.
 */
export class InvalidOrderMessageError extends Error {
  constructor(
    message: string,
    public readonly details: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = 'InvalidOrderMessageError';
  }
}

/** What became of a processed message. */
export type OrderMessageOutcome = 'placed' | 'key-reused';

/**
 * Reads the order out of a message: the key attribute (a UUID), the body (JSON matching the schema)
 * and the owner (derived from the `apiKey` attribute, see `order-owner.ts`; an order without one
 * has no owner).
 *
 * @throws InvalidOrderMessageError when either is missing or invalid
 */
export function parseOrderMessage(record: SQSRecord): PlaceOrderInput {
  const orderId = record.messageAttributes?.[ORDER_MESSAGE_ATTRIBUTES.idempotencyKey]?.stringValue;
  if (orderId === undefined || !isIdempotencyKey(orderId)) {
    throw new InvalidOrderMessageError(
      `Message attribute ${ORDER_MESSAGE_ATTRIBUTES.idempotencyKey} is missing or not a UUID`,
    );
  }
  const parsed = parseJson(record.body);
  if (parsed === undefined) {
    throw new InvalidOrderMessageError('Message body is not valid JSON');
  }
  const validation = validateOrderRequest(parsed.value);
  if (!validation.valid) {
    throw new InvalidOrderMessageError('Message body does not match the order schema', validation.details);
  }
  const attributes = record.messageAttributes ?? {};
  const owner = ownerOf({
    apiKey: attributes[ORDER_MESSAGE_ATTRIBUTES.apiKey]?.stringValue,
    apiKeyId: attributes[ORDER_MESSAGE_ATTRIBUTES.apiKeyId]?.stringValue,
  });
  return { orderId, request: validation.request, ...owner };
}

/**
 * Pauses before trying again a message whose key another invocation holds "in progress" (a client's
 * duplicate in a concurrent batch). That twin usually finishes within milliseconds, and without a
 * retry here the message would wait a whole visibility timeout (minutes on AWS) to be retried. A
 * twin that crashed holds its record until its invocation's timeout: after these pauses the message
 * fails and takes the queue's retry path.
 */
export const IN_PROGRESS_RETRY_DELAYS_MS: readonly number[] = [100, 250, 500];

/** Options of {@link processOrderMessage}. */
export interface ProcessOrderMessageOptions {
  /** Pauses between tries while the key is in progress elsewhere. @default IN_PROGRESS_RETRY_DELAYS_MS */
  readonly inProgressRetryDelaysMs?: readonly number[];
  /** @default setTimeout */
  readonly sleep?: (millis: number) => Promise<void>;
}

/**
 * Processes one order message: places the order once per key. A redelivered message is a no-op; a
 * key reused with a different body keeps the first order and is reported, not failed, since
 * retrying could never succeed; a key another invocation holds "in progress" is tried again after
 * each pause of `inProgressRetryDelaysMs`.
 *
 * @throws InvalidOrderMessageError for a message that can never be processed
 * @throws DependencyUnavailableError or OrderInProgressError for a failure worth retrying
 */
export async function processOrderMessage(
  record: SQSRecord,
  placement: Pick<OrderPlacement, 'place'>,
  options: ProcessOrderMessageOptions = {},
): Promise<OrderMessageOutcome> {
  const input = parseOrderMessage(record);
  const delays = options.inProgressRetryDelaysMs ?? IN_PROGRESS_RETRY_DELAYS_MS;
  const sleep =
    options.sleep ?? ((millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis)));
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await placement.place(input);
        return 'placed';
      } catch (error) {
        if (!(error instanceof OrderInProgressError) || attempt >= delays.length) throw error;
        await sleep(delays[attempt]);
      }
    }
  } catch (error) {
    if (!(error instanceof IdempotencyKeyReusedError)) throw error;
    logger.warn('Idempotency key reused with a different body; the first order is kept', {
      orderId: input.orderId,
      messageId: record.messageId,
      requestId: record.messageAttributes?.[ORDER_MESSAGE_ATTRIBUTES.requestId]?.stringValue,
    });
    metrics.addMetric(METRIC_NAMES.idempotencyKeyReused, MetricUnit.Count, 1);
    return 'key-reused';
  }
}
