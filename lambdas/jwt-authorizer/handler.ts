/**
 * API Gateway REST token authorizer: a bearer JWT of the configured OIDC issuer in, an IAM policy
 * for the called method (principal = the token's `sub`) or `Error('Unauthorized')` out.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { logger } from '../platform/logger';
import { authorizeRequest, createTokenVerifier, readJwtAuthorizerSettings } from './jwt-authorizer';

// Module scope: the verifier caches the issuer's JWKS for the life of the container.
const verifier = createTokenVerifier(readJwtAuthorizerSettings());

/** Lambda entry point of the JWT token authorizer. */
export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  // The token itself is never logged.
  return authorizeRequest(verifier, event, (reason) => logger.warn('Token refused', { reason }));
}
