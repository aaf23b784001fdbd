/**
 * Validation of order requests against the shared JSON schema, used by the synchronous API handler
 * and by the queue consumer alike.
 */
import type { ErrorObject } from 'ajv';
import type { FieldError } from '../contract/errors';
import { IDEMPOTENCY_KEY_PATTERN, type CreateOrderRequest } from '../contract/order-schema';
// The order schema compiled ahead of time (npm run generate:validators), with allErrors so a client
// learns about every bad field in one round trip: no schema compiler in the bundle, none at load.
import validateSchema from './order-request-validator.generated';

const idempotencyKeyPattern = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/** Result of {@link validateOrderRequest}. */
export type OrderRequestValidation =
  | { readonly valid: true; readonly request: CreateOrderRequest }
  | { readonly valid: false; readonly details: readonly FieldError[] };

/**
 * Validates a parsed JSON value against the order schema. A valid request is returned in canonical
 * form (fixed key order), so equal requests hash equally wherever they are compared.
 */
export function validateOrderRequest(data: unknown): OrderRequestValidation {
  if (!validateSchema(data)) {
    return { valid: false, details: (validateSchema.errors ?? []).map(toFieldError) };
  }
  return {
    valid: true,
    request: {
      customerId: data.customerId,
      items: data.items.map(({ sku, quantity }) => ({ sku, quantity })),
      ...(data.note === undefined ? {} : { note: data.note }),
    },
  };
}

/** Whether a value is a well-formed idempotency key (a UUID). */
export function isIdempotencyKey(value: string): boolean {
  return idempotencyKeyPattern.test(value);
}

/** Parses JSON text; undefined when it is not JSON. */
export function parseJson(text: string): { readonly value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * Turns an Ajv error into a field error whose `field` is a JSON pointer (RFC 6901) to the offending
 * value. Ajv reports a missing or unexpected property on its parent object, so the property name is
 * appended to point at the property itself.
 */
function toFieldError(error: ErrorObject): FieldError {
  const property = propertyOf(error);
  const field =
    property === undefined ? error.instancePath : `${error.instancePath}/${escapePointerToken(property)}`;
  return { field, message: error.message ?? 'is invalid' };
}

function propertyOf(error: ErrorObject): string | undefined {
  if (error.keyword === 'required') return String(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty);
  return undefined;
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
