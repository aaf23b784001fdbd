/**
 * What API Gateway knows of a request, built once: a mapping template's `$context` and a Lambda
 * proxy event's `requestContext` are the same object on AWS (the fidelity cases check both).
 */

/** The facts a request context is built from. */
export interface RequestContextInput {
  readonly accountId: string;
  readonly apiId: string;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly stage: string;
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly httpMethod: string;
  /** The path as sent, the stage included, e.g. `/prod/orders/42`. */
  readonly path: string;
  readonly protocol: string;
  /** The host the request named, without its port. */
  readonly domainName: string;
  readonly deploymentId: string | undefined;
  readonly requestTimeEpoch: number;
  readonly sourceIp: string;
  readonly userAgent: string | null;
  /** The API key the request used; none for a request without one. */
  readonly apiKey?: { readonly value: string; readonly id: string };
}

/** A request's context in API Gateway's shape (`$context`, a proxy event's `requestContext`). */
export type RequestContext = Record<string, unknown> & {
  readonly identity: Record<string, unknown>;
};

/** The `identity` fields API Gateway sets to null for a request without IAM or Cognito identity. */
export const NULL_IDENTITY_FIELDS = {
  cognitoIdentityPoolId: null,
  accountId: null,
  cognitoIdentityId: null,
  caller: null,
  principalOrgId: null,
  accessKey: null,
  cognitoAuthenticationType: null,
  cognitoAuthenticationProvider: null,
  userArn: null,
  user: null,
} as const;

export function requestContextOf(input: RequestContextInput): RequestContext {
  return {
    resourceId: input.resourceId,
    resourcePath: input.resourcePath,
    httpMethod: input.httpMethod,
    extendedRequestId: input.extendedRequestId,
    requestTime: formatRequestTime(input.requestTimeEpoch),
    path: input.path,
    accountId: input.accountId,
    protocol: input.protocol,
    stage: input.stage,
    domainPrefix: input.domainName.split('.')[0],
    deploymentId: input.deploymentId,
    requestTimeEpoch: input.requestTimeEpoch,
    requestId: input.requestId,
    identity: {
      ...NULL_IDENTITY_FIELDS,
      sourceIp: input.sourceIp,
      userAgent: input.userAgent,
      // Only for a request that used an API key; no client certificate without mutual TLS.
      ...(input.apiKey ? { apiKey: input.apiKey.value, apiKeyId: input.apiKey.id } : {}),
    },
    domainName: input.domainName,
    apiId: input.apiId,
  };
}

/** `$context.requestTime`: CLF format, e.g. `22/Nov/2026:07:27:01 +0000`. */
export function formatRequestTime(epochMillis: number): string {
  const date = new Date(epochMillis);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
