import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Jwk } from 'aws-jwt-verify/jwk';
import {
  allowPolicy,
  authorizeRequest,
  bearerToken,
  createTokenVerifier,
  readJwtAuthorizerSettings,
  type JwtAuthorizerSettings,
} from '../../../lambdas/jwt-authorizer/jwt-authorizer';

const SETTINGS: JwtAuthorizerSettings = {
  issuer: 'https://issuer.example.com/',
  audience: ['orders-api', 'other-api'],
  jwksUri: 'https://issuer.example.com/.well-known/jwks.json',
};
const KEY_ID = 'test-key-1';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:111111111111:abc123/prod/GET/orders/o-1';

function rsaKeyPair(): { privateKey: KeyObject; jwk: Jwk } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { kty, n, e } = publicKey.export({ format: 'jwk' });
  return { privateKey, jwk: { kty: kty!, n: n!, e: e!, kid: KEY_ID, alg: 'RS256', use: 'sig' } };
}

const base64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A signed RS256 JWT, built by hand so the test needs nothing but node:crypto. */
function signJwt(privateKey: KeyObject, claims: Record<string, unknown>): string {
  const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT', kid: KEY_ID })}.${base64url(claims)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

const now = (): number => Math.floor(Date.now() / 1000);
const validClaims = (): Record<string, unknown> => ({
  iss: SETTINGS.issuer,
  aud: 'orders-api',
  sub: 'user-42',
  iat: now(),
  exp: now() + 300,
});

describe('JWT authorizer', () => {
  // GIVEN an issuer key whose JWKS the verifier already holds (no network)
  const issuerKey = rsaKeyPair();
  const verifier = createTokenVerifier(SETTINGS);
  verifier.cacheJwks({ keys: [issuerKey.jwk] });
  const authorize = (authorizationToken: string) =>
    authorizeRequest(verifier, { authorizationToken, methodArn: METHOD_ARN });

  test('allows the called method for the token subject when signature, iss, aud and exp are valid', async () => {
    // WHEN
    const result = await authorize(`Bearer ${signJwt(issuerKey.privateKey, validClaims())}`);
    // THEN
    expect(result).toEqual({
      principalId: 'user-42',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
    });
  });

  test('accepts any of the configured audiences', async () => {
    const token = signJwt(issuerKey.privateKey, { ...validClaims(), aud: ['x', 'other-api'] });
    await expect(authorize(`Bearer ${token}`)).resolves.toMatchObject({ principalId: 'user-42' });
  });

  test.each([
    ['another issuer', { iss: 'https://evil.example.com/' }],
    ['another audience', { aud: 'someone-else' }],
    ['an expiry in the past', { exp: now() - 60 }],
    ['no sub claim', { sub: undefined }],
  ])('refuses a token with %s with Error("Unauthorized")', async (_, overrides) => {
    // GIVEN
    const reasons: string[] = [];
    const token = signJwt(issuerKey.privateKey, { ...validClaims(), ...overrides });
    // WHEN / THEN
    await expect(
      authorizeRequest(verifier, { authorizationToken: `Bearer ${token}`, methodArn: METHOD_ARN }, (r) =>
        reasons.push(r),
      ),
    ).rejects.toThrow(new Error('Unauthorized'));
    expect(reasons).toHaveLength(1);
  });

  test('refuses a token signed by another key under the same key id', async () => {
    const forger = rsaKeyPair();
    const token = signJwt(forger.privateKey, validClaims());
    await expect(authorize(`Bearer ${token}`)).rejects.toThrow(new Error('Unauthorized'));
  });

  test('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = signJwt(issuerKey.privateKey, validClaims()).split('.');
    const tampered = `${header}.${base64url({ ...validClaims(), sub: 'admin' })}.${signature}`;
    await expect(authorize(`Bearer ${tampered}`)).rejects.toThrow(new Error('Unauthorized'));
  });

  test.each(['', 'Basic dXNlcjpwYXNz', 'Bearer', 'not-a-jwt', 'Bearer not.a.jwt'])(
    'refuses the Authorization value %j',
    async (authorization) => {
      await expect(authorize(authorization)).rejects.toThrow(new Error('Unauthorized'));
    },
  );
});

describe('bearerToken', () => {
  test('takes the token after a case-insensitive Bearer scheme', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('bearer  a.b.c ')).toBe('a.b.c');
    expect(bearerToken('a.b.c')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('allowPolicy', () => {
  test('allows execute-api:Invoke on one method ARN only', () => {
    expect(allowPolicy('p', METHOD_ARN).policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN },
    ]);
  });
});

describe('readJwtAuthorizerSettings', () => {
  test('reads the issuer, comma-separated audiences and the JWKS URL', () => {
    expect(
      readJwtAuthorizerSettings({
        JWT_ISSUER: SETTINGS.issuer,
        JWT_AUDIENCE: 'orders-api, other-api',
        JWT_JWKS_URI: SETTINGS.jwksUri,
      }),
    ).toEqual(SETTINGS);
  });

  test('fails if the audience is missing', () => {
    expect(() =>
      readJwtAuthorizerSettings({ JWT_ISSUER: SETTINGS.issuer, JWT_JWKS_URI: SETTINGS.jwksUri }),
    ).toThrow('Environment variable JWT_AUDIENCE is required but not set');
  });
});
