/**
 * The JWT authorizer's configuration contract: the environment variables the `ResilientApi`
 * construct sets and the authorizer reads.
 */

export const JWT_AUTHORIZER_ENVIRONMENT = {
  /** The issuer (`iss`) tokens must carry, e.g. `https://login.example.com/`. */
  issuer: 'JWT_ISSUER',
  /** Audiences (`aud`) of which a token must carry at least one, comma-separated. */
  audience: 'JWT_AUDIENCE',
  /** URL of the issuer's JWKS. */
  jwksUri: 'JWT_JWKS_URI',
} as const;
