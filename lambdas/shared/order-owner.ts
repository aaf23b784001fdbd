/**
 * Who owns an order: the API key the request that created it was made with, or, for requests
 * authenticated without an API key, the authorizer's principal. Orders are visible only to their
 * owner; the owner is an internal attribute and never part of an API response.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * The owner of a request: `requestContext.identity.apiKeyId` when API Gateway checked an API key,
 * otherwise the authorizer's `principalId` (Lambda authorizer) or `claims.sub` (Cognito/JWT).
 * Undefined when the request carries none of them (only when a function is invoked directly).
 */
export function requestOwnerId(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string | undefined {
  const context = event.requestContext as Partial<APIGatewayProxyEvent['requestContext']> | undefined;
  const apiKeyId = context?.identity?.apiKeyId;
  if (apiKeyId) return apiKeyId;
  const authorizer = context?.authorizer as
    { readonly principalId?: unknown; readonly claims?: { readonly sub?: unknown } } | null | undefined;
  const principalId = authorizer?.principalId;
  if (typeof principalId === 'string' && principalId !== '') return principalId;
  const subject = authorizer?.claims?.sub;
  if (typeof subject === 'string' && subject !== '') return subject;
  return undefined;
}
