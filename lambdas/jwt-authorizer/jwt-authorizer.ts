/**
 * The OIDC JWT authorizer's logic: read the issuer settings, take the bearer token from the
 * `Authorization` header, verify it (signature against the issuer's JWKS, `iss`, `aud`, `exp`) and
 * answer API Gateway with an IAM policy that allows the called method, for the token's `sub`.
 * Verification is `aws-jwt-verify`'s: RS256/RS384/RS512 and ES keys, JWKS fetched once per
 * container and again only for an unknown key id.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { JWT_AUTHORIZER_ENVIRONMENT } from '../contract/jwt-authorizer-environment';

/** What the authorizer verifies tokens against. */
export interface JwtAuthorizerSettings {
  readonly issuer: string;
  readonly audience: string[];
  readonly jwksUri: string;
}

/** API Gateway's contract: a token authorizer that refuses a token throws exactly this, giving 401. */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

/** Verifies a JWT and returns its payload; throws if it is not valid. */
export interface TokenVerifier {
  verify(token: string): Promise<{ sub?: unknown }>;
}

/** Reads the settings from the environment, failing fast (at cold start) when one is missing. */
export function readJwtAuthorizerSettings(
  environment: NodeJS.ProcessEnv = process.env,
): JwtAuthorizerSettings {
  const read = (name: string): string => {
    const value = environment[name];
    if (value === undefined || value.trim() === '') {
      throw new Error(`Environment variable ${name} is required but not set`);
    }
    return value.trim();
  };
  const audience = read(JWT_AUTHORIZER_ENVIRONMENT.audience)
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '');
  return {
    issuer: read(JWT_AUTHORIZER_ENVIRONMENT.issuer),
    audience,
    jwksUri: read(JWT_AUTHORIZER_ENVIRONMENT.jwksUri),
  };
}

/** A verifier of the issuer's tokens: signature (JWKS), `iss`, `aud`, `exp` and `nbf`. */
export function createTokenVerifier(settings: JwtAuthorizerSettings) {
  return JwtVerifier.create({
    issuer: settings.issuer,
    audience: settings.audience,
    jwksUri: settings.jwksUri,
  });
}

/** The token of an `Authorization: Bearer <token>` header value, or `undefined`. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * Verifies the request's bearer token and returns a policy that allows the called method for the
 * token's subject. Throws `Error('Unauthorized')` (API Gateway answers 401) for a missing,
 * malformed, expired or otherwise invalid token, or one without a `sub`; `onRejected` hears why.
 *
 * The policy allows only the called method: API Gateway caches it per token when the authorizer has
 * a results cache, which the construct leaves off so that one token can call every method.
 */
export async function authorizeRequest(
  verifier: TokenVerifier,
  event: Pick<APIGatewayTokenAuthorizerEvent, 'authorizationToken' | 'methodArn'>,
  onRejected: (reason: string) => void = () => undefined,
): Promise<APIGatewayAuthorizerResult> {
  const token = bearerToken(event.authorizationToken);
  if (token === undefined) {
    onRejected('no bearer token in the Authorization header');
    throw new Error(UNAUTHORIZED_MESSAGE);
  }
  let payload: { sub?: unknown };
  try {
    payload = await verifier.verify(token);
  } catch (error) {
    onRejected(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    throw new Error(UNAUTHORIZED_MESSAGE);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    onRejected('the token has no sub claim');
    throw new Error(UNAUTHORIZED_MESSAGE);
  }
  return allowPolicy(payload.sub, event.methodArn);
}

/** An IAM policy that lets `principalId` invoke one API method. */
export function allowPolicy(principalId: string, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
    },
  };
}
