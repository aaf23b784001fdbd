/**
 * The order API's request contract: one JSON schema used both by the API Gateway request model
 * (validation at the edge) and by the handlers (validation in the function), so the two can never drift.
 *
 * The schema only uses keywords that mean the same thing in JSON Schema draft-04 (API Gateway) and
 * draft-07 (Ajv's default), so one object serves both.
 */

/** Limits of the order contract, named so tests and docs can refer to them. */
export const ORDER_LIMITS = {
  customerIdMaxLength: 64,
  skuMaxLength: 64,
  minQuantity: 1,
  maxQuantity: 1000,
  minItems: 1,
  maxItems: 50,
  noteMaxLength: 500,
} as const;

/** Header that carries the client's idempotency key; the key is also the order id. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/** A UUID in its canonical 8-4-4-4-12 hexadecimal form (any version). */
export const IDEMPOTENCY_KEY_PATTERN =
  '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * Largest request body the handlers accept. The largest valid order is about 8 KB of JSON
 * (50 items of 64-character SKUs plus a 500-character note), so 16 KB leaves room for whitespace.
 */
export const MAX_REQUEST_BODY_BYTES = 16 * 1024;

/**
 * Text fields may not contain U+FFFD, the replacement character: it is what bytes that are not
 * UTF-8 turn into on the way in, so it marks a client's encoding mistake rather than its data.
 */
const NO_REPLACEMENT_CHARACTER = '^[^\\uFFFD]*$';

/** JSON schema of the `POST /orders` body. */
export const createOrderRequestSchema = {
  title: 'CreateOrderRequest',
  type: 'object',
  additionalProperties: false,
  required: ['customerId', 'items'],
  properties: {
    customerId: {
      type: 'string',
      minLength: 1,
      maxLength: ORDER_LIMITS.customerIdMaxLength,
      pattern: NO_REPLACEMENT_CHARACTER,
    },
    items: {
      type: 'array',
      minItems: ORDER_LIMITS.minItems,
      maxItems: ORDER_LIMITS.maxItems,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sku', 'quantity'],
        properties: {
          sku: {
            type: 'string',
            minLength: 1,
            maxLength: ORDER_LIMITS.skuMaxLength,
            pattern: NO_REPLACEMENT_CHARACTER,
          },
          quantity: { type: 'integer', minimum: ORDER_LIMITS.minQuantity, maximum: ORDER_LIMITS.maxQuantity },
        },
      },
    },
    note: { type: 'string', maxLength: ORDER_LIMITS.noteMaxLength, pattern: NO_REPLACEMENT_CHARACTER },
  },
} as const;

/** One line of an order. */
export interface OrderItem {
  readonly sku: string;
  readonly quantity: number;
}

/** The body of `POST /orders`, after validation. */
export interface CreateOrderRequest {
  readonly customerId: string;
  readonly items: readonly OrderItem[];
  readonly note?: string;
}
