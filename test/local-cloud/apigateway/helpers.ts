/**
 * Shared helpers of the local API Gateway tests: a valid order request, the template's logical ids
 * and small HTTP helpers. The gateway itself is in `test/harness/test-gateway.ts`.
 */
import type { StackTemplate } from '../../../local-cloud/apigateway';

/** A valid `POST /orders` body. */
export const VALID_ORDER = { customerId: 'c-42', items: [{ sku: 'SKU-1', quantity: 2 }] };

/** A valid Idempotency-Key. */
export const IDEMPOTENCY_KEY = '123e4567-e89b-12d3-a456-426614174000';

/** The logical id of the resource of a type whose id starts with a prefix. */
export function logicalIdOf(template: StackTemplate, type: string, prefix: string): string {
  const found = Object.entries(template.Resources ?? {}).find(
    ([id, resource]) => resource.Type === type && id.startsWith(prefix),
  );
  if (!found) throw new Error(`No ${type} starting with ${prefix}`);
  return found[0];
}

/** A response with its body read as text and, when possible, JSON. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

/** Sends a request and reads the whole answer. */
export async function send(url: string, init: RequestInit = {}): Promise<TestResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Headers of a valid `POST /orders`. */
export function orderHeaders(apiKey: string, idempotencyKey = IDEMPOTENCY_KEY): Record<string, string> {
  return { 'x-api-key': apiKey, 'Idempotency-Key': idempotencyKey, 'Content-Type': 'application/json' };
}

/** Expects the API's error shape with a code and a request id. */
export function expectErrorShape(response: TestResponse, code: string): void {
  expect(response.json).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }),
  });
  expect(response.json.error.requestId).toBe(response.headers.get('x-amzn-requestid'));
}
