// Types of order-request-validator.generated.js (npm run generate:validators).
import type { ErrorObject } from 'ajv';
import type { CreateOrderRequest } from '../contract/order-schema';

/** Validates a parsed order request; on failure `errors` holds every error (allErrors). */
declare const validate: {
  (data: unknown): data is CreateOrderRequest;
  errors?: ErrorObject[] | null;
};
export = validate;
