/**
 * The logic of `POST /orders` (synchronous variant): checks the request in the order the contract
 * specifies, then places the order idempotently for the request's owner, through the data store's
 * circuit breaker, and maps domain errors to API errors.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { DependencyCircuitBreaker } from '../platform/circuit-breaker';
import { ApiError } from '../contract/errors';
import { getHeader } from '../platform/http';
import { logger } from '../platform/logger';
import { METRIC_NAMES, metrics } from '../platform/metrics';
import type { Order } from '../orders/order';
import {
  IdempotencyKeyReusedError,
  OrderInProgressError,
  type OrderPlacement,
  type PlaceOrderInput,
} from '../orders/order-placement';
import { requestOwner } from '../orders/order-owner';
import { IDEMPOTENCY_KEY_HEADER, MAX_REQUEST_BODY_BYTES } from '../contract/order-schema';
import { isIdempotencyKey, parseJson, validateOrderRequest } from '../orders/order-validation';
import { RETRY_AFTER_SECONDS } from '../contract/retry-after';

const JSON_MEDIA_TYPE = 'application/json';

/** The parts of the proxy event this logic reads. */
export type CreateOrderEvent = Pick<
  APIGatewayProxyEvent,
  'headers' | 'body' | 'isBase64Encoded' | 'requestContext'
> &
  Partial<Pick<APIGatewayProxyEvent, 'multiValueHeaders'>>;

/**
 * Checks a `POST /orders` request: media type (415), body size (413), idempotency key (400), JSON
 * syntax (400) and schema (400), in that order, and returns what to place the order from (with the
 * request's owner).
 *
 * @throws ApiError for the first check that fails
 */
export function parseCreateOrderRequest(event: CreateOrderEvent): PlaceOrderInput {
  if (!isJsonMediaType(getHeader(event.headers, 'Content-Type'))) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${JSON_MEDIA_TYPE}`);
  }

  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (body.length > MAX_REQUEST_BODY_BYTES) {
    throw new ApiError(
      'PAYLOAD_TOO_LARGE',
      `The request body must not exceed ${MAX_REQUEST_BODY_BYTES} bytes`,
    );
  }

  // Sent twice, the key is ambiguous: `headers` would hold only the last value.
  const keyValues = getHeader(event.multiValueHeaders ?? {}, IDEMPOTENCY_KEY_HEADER);
  if (keyValues !== undefined && keyValues.length > 1) {
    throw new ApiError('INVALID_IDEMPOTENCY_KEY', `The ${IDEMPOTENCY_KEY_HEADER} header must be sent once`, {
      details: [{ field: IDEMPOTENCY_KEY_HEADER, message: `was sent ${keyValues.length} times` }],
    });
  }
  const orderId = getHeader(event.headers, IDEMPOTENCY_KEY_HEADER);
  if (orderId === undefined || orderId === '') {
    throw new ApiError('MISSING_IDEMPOTENCY_KEY', `The ${IDEMPOTENCY_KEY_HEADER} header is required`, {
      details: [{ field: IDEMPOTENCY_KEY_HEADER, message: 'is required' }],
    });
  }
  if (!isIdempotencyKey(orderId)) {
    throw new ApiError('INVALID_IDEMPOTENCY_KEY', `The ${IDEMPOTENCY_KEY_HEADER} header must be a UUID`, {
      details: [{ field: IDEMPOTENCY_KEY_HEADER, message: 'must be a UUID' }],
    });
  }

  const parsed = parseJson(body.toString('utf8'));
  if (parsed === undefined) {
    throw new ApiError('INVALID_JSON', 'The request body is not valid JSON');
  }

  const validation = validateOrderRequest(parsed.value);
  if (!validation.valid) {
    throw new ApiError('VALIDATION_FAILED', 'The request body does not match the order schema', {
      details: validation.details,
    });
  }
  const owner = requestOwner(event);
  return { orderId, request: validation.request, ...owner };
}

/**
 * Creates the order of a `POST /orders` request once per idempotency key and returns it; a replay
 * with the same body by the same owner returns the same order. The placement runs through the
 * breaker, which only counts unavailable tables as failures (see `circuit-breaker.ts`).
 *
 * @throws ApiError for client mistakes (4xx)
 * @throws DependencyUnavailableError when a table cannot be reached, CircuitOpenError when the
 *   breaker is open
 */
export async function createOrder(
  event: CreateOrderEvent,
  placement: OrderPlacement,
  breaker: DependencyCircuitBreaker,
): Promise<Order> {
  const input = parseCreateOrderRequest(event);
  try {
    return await breaker.run(() => placement.place(input));
  } catch (error) {
    if (error instanceof IdempotencyKeyReusedError) {
      logger.warn('Idempotency key reused with a different body or by another owner', {
        orderId: input.orderId,
      });
      metrics.addMetric(METRIC_NAMES.idempotencyKeyReused, MetricUnit.Count, 1);
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        // The same answer whether the body or the owner differs: another owner's order stays invisible.
        `The ${IDEMPOTENCY_KEY_HEADER} was already used with a different request body`,
        { cause: error },
      );
    }
    if (error instanceof OrderInProgressError) {
      throw new ApiError(
        'REQUEST_IN_PROGRESS',
        `A request with this ${IDEMPOTENCY_KEY_HEADER} is in progress`,
        {
          retryAfterSeconds: RETRY_AFTER_SECONDS.requestInProgress,
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** Whether a Content-Type header names JSON; parameters such as `charset=utf-8` are allowed. */
/**
 * Whether the body is JSON. A request without a media type is taken for JSON, as API Gateway does
 * when it picks a mapping template, so both variants accept the same requests.
 */
function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';', 1)[0].trim().toLowerCase();
  return mediaType === undefined || mediaType === '' || mediaType === JSON_MEDIA_TYPE;
}
