/**
 * Who owns an order: the client whose API key made the request or, for requests authenticated
 * without an API key, the authorizer's principal. Orders are visible only to their owner; the owner
 * is an internal attribute and never part of an API response.
 *
 * The owner must be the same in every region for the same credentials: in the multi variant an
 * order written through one region is read through another after a failover, or whenever latency
 * routing sends the client there. An API key's id is regional (one value, one id per region), so
 * the owner of a key is derived from the key's value instead: a SHA-256 digest of it, never the
 * value itself.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Prefix of an owner derived from an API key value, so it can never equal a principal's name. */
export const API_KEY_OWNER_PREFIX = 'apikey-sha256:';

/** The owner of a request, and the names the same client's orders were stored under before. */
export interface RequestOwner {
  /** The owner new orders are written with. */
  readonly ownerId: string;
  /**
   * Owners the same credentials had in earlier versions of this project: the API key's regional id,
   * under which orders were stored until the owner became region-independent. Such an order stays
   * readable (and replayable) through the region whose key id it carries.
   */
  readonly formerOwnerIds: readonly string[];
}

/**
 * The owner of an API key's requests in every region: `apikey-sha256:` and the base64url SHA-256
 * digest of the key value. API Gateway key values are at least 20 characters (generated ones are
 * 40 random characters), so the digest is as hard to reverse as the key is to guess.
 */
export function apiKeyOwnerId(apiKeyValue: string): string {
  return API_KEY_OWNER_PREFIX + createHash('sha256').update(apiKeyValue, 'utf8').digest('base64url');
}

/**
 * The owner from the parts of a request API Gateway passes on: the API key value and id when the
 * method checked a key, otherwise the authorizer's principal. Undefined when there is neither.
 */
export function ownerOf(parts: {
  readonly apiKey?: string | null;
  readonly apiKeyId?: string | null;
  readonly principal?: string | null;
}): RequestOwner | undefined {
  const { apiKey, apiKeyId, principal } = parts;
  if (apiKey) return { ownerId: apiKeyOwnerId(apiKey), formerOwnerIds: apiKeyId ? [apiKeyId] : [] };
  // A message queued by an earlier version carries the key id only: its owner stays the id.
  if (apiKeyId) return { ownerId: apiKeyId, formerOwnerIds: [] };
  if (principal) return { ownerId: principal, formerOwnerIds: [] };
  return undefined;
}

/**
 * The owner of a Lambda proxy request: from `requestContext.identity.apiKey` (the value; `apiKeyId`
 * names the former owner) when API Gateway checked an API key, otherwise the authorizer's
 * `principalId` (Lambda authorizer) or `claims.sub` (Cognito). Undefined when the request carries
 * none of them (only when a function is invoked directly).
 */
export function requestOwner(event: Pick<APIGatewayProxyEvent, 'requestContext'>): RequestOwner | undefined {
  const context = event.requestContext as Partial<APIGatewayProxyEvent['requestContext']> | undefined;
  const authorizer = context?.authorizer as
    { readonly principalId?: unknown; readonly claims?: { readonly sub?: unknown } } | null | undefined;
  const principalId = authorizer?.principalId;
  const subject = authorizer?.claims?.sub;
  return ownerOf({
    apiKey: context?.identity?.apiKey,
    apiKeyId: context?.identity?.apiKeyId,
    principal: nonEmptyString(principalId) ?? nonEmptyString(subject),
  });
}

/**
 * Whether an order stored with `storedOwnerId` belongs to `owner`. An order stored without an owner
 * belongs only to a request without one (a function invoked directly), and the reverse.
 */
export function isOwnedBy(storedOwnerId: string | undefined, owner: RequestOwner | undefined): boolean {
  if (owner === undefined || storedOwnerId === undefined)
    return owner === undefined && storedOwnerId === undefined;
  return storedOwnerId === owner.ownerId || owner.formerOwnerIds.includes(storedOwnerId);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
