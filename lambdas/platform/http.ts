/**
 * Builders for API Gateway proxy responses. Every JSON answer of a handler goes through
 * {@link jsonResponse} and every error through {@link errorResponse}.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, buildErrorBody } from '../contract/errors';

const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

/** A JSON response with the given status. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The response for an {@link ApiError}: its status, the error shape and `Retry-After` when set. */
export function errorResponse(error: ApiError, requestId?: string): APIGatewayProxyResult {
  const headers: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) };
  return jsonResponse(
    error.statusCode,
    buildErrorBody(error.code, error.message, error.details, requestId),
    headers,
  );
}

/** Looks a header up case-insensitively, as HTTP requires. Returns undefined when absent. */
export function getHeader<Value = string>(
  headers: Record<string, Value | undefined> | null | undefined,
  name: string,
): Value | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
