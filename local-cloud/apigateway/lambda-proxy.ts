/**
 * The Lambda proxy integration (REST API, payload format 1.0): the event API Gateway sends and how it
 * reads the function's answer.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RequestContext } from './request-context';

/** What a proxy integration function answers. */
export interface LambdaProxyResult {
  readonly statusCode?: number;
  readonly headers?: Record<string, string | number | boolean>;
  readonly multiValueHeaders?: Record<string, Array<string | number | boolean>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** A function that failed: an unhandled error, a crash or a timeout of the function itself. */
export interface LambdaFunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** Lambda refused the invocation: the function's concurrency is exhausted. */
export interface LambdaThrottled {
  readonly throttled: true;
}

/** What an injected `invokeFunction` resolves to. */
export type FunctionInvocationResult = LambdaProxyResult | LambdaFunctionError | LambdaThrottled;

/** Invokes a function of the template by logical id (the Lambda runtime is injected). */
export type InvokeFunction = (
  functionLogicalId: string,
  event: APIGatewayProxyEvent,
  /** The alias or version the integration URI names (`live`), if it names one. */
  qualifier?: string,
) => Promise<FunctionInvocationResult>;

/** The request facts a proxy event is built from. */
export interface ProxyEventInput {
  readonly resourcePath: string;
  /** The path without the stage, as sent, e.g. `/orders/42`. */
  readonly path: string;
  readonly httpMethod: string;
  /** Headers with their original names, in arrival order. */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly base64Body: boolean;
  /** The request's context, as the gateway built it for its templates too. */
  readonly requestContext: RequestContext;
}

/**
 * Standard header names API Gateway writes in their canonical spelling whatever the client sent
 * (`authorization` arrives as `Authorization`); other names keep the client's spelling.
 */
const CANONICAL_HEADER_NAMES = new Map(
  [
    'Accept',
    'Accept-Charset',
    'Accept-Encoding',
    'Accept-Language',
    'Age',
    'Authorization',
    'Cache-Control',
    'Content-Encoding',
    'Content-Length',
    'Content-Type',
    'Cookie',
    'Date',
    'Host',
    'Origin',
    'Pragma',
    'Range',
    'Referer',
    'User-Agent',
    'Via',
    'Warn',
  ].map((name) => [name.toLowerCase(), name]),
);

/**
 * The headers a proxy event carries: the client's, without those API Gateway handles itself
 * (hop-by-hop and connection headers), standard names in their canonical spelling, and the
 * forwarding headers API Gateway adds.
 */
export function proxyEventHeaders(
  rawHeaders: ReadonlyArray<readonly [string, string]>,
  added: {
    readonly host: string;
    readonly traceId: string;
    readonly sourceIp: string;
    readonly port: string;
    readonly proto: string;
  },
  hidden: ReadonlySet<string>,
): Array<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [];
  for (const [name, value] of rawHeaders) {
    const lower = name.toLowerCase();
    if (hidden.has(lower) || lower === 'host') continue;
    headers.push([CANONICAL_HEADER_NAMES.get(lower) ?? name, value]);
  }
  headers.push(['Host', added.host], ['X-Amzn-Trace-Id', added.traceId]);
  headers.push(
    ['X-Forwarded-For', added.sourceIp],
    ['X-Forwarded-Port', added.port],
    ['X-Forwarded-Proto', added.proto],
  );
  return headers;
}

/** Builds the v1 proxy event of the real shape (nulls where API Gateway sends null). */
export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of input.rawHeaders) {
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of input.query) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  const hasHeaders = input.rawHeaders.length > 0;
  const hasQuery = input.query.length > 0;
  return {
    resource: input.resourcePath,
    path: input.path,
    httpMethod: input.httpMethod,
    headers: hasHeaders ? headers : (null as unknown as APIGatewayProxyEvent['headers']),
    multiValueHeaders: hasHeaders
      ? multiValueHeaders
      : (null as unknown as APIGatewayProxyEvent['multiValueHeaders']),
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: Object.keys(input.pathParameters).length > 0 ? { ...input.pathParameters } : null,
    stageVariables: Object.keys(input.stageVariables).length > 0 ? { ...input.stageVariables } : null,
    // deploymentId is in the events API Gateway sends, not in @types/aws-lambda's type.
    requestContext: input.requestContext as unknown as APIGatewayProxyEvent['requestContext'],
    body: input.body.length === 0 ? null : input.body.toString(input.base64Body ? 'base64' : 'utf8'),
    isBase64Encoded: input.base64Body,
  };
}

/** How API Gateway reads an invocation's outcome. */
export type ProxyOutcome =
  | {
      readonly kind: 'response';
      readonly statusCode: number;
      readonly headers: Record<string, string[]>;
      readonly body: Buffer;
    }
  | { readonly kind: 'function-error'; readonly message: string }
  | { readonly kind: 'malformed'; readonly message: string }
  /** `isBase64Encoded` with a body that is not base64, when it had to be decoded: a 500. */
  | { readonly kind: 'undecodable'; readonly message: string }
  | { readonly kind: 'throttled' };

const PROXY_RESULT_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * Whether API Gateway turns a base64 body back into bytes: only when the first media type the client
 * accepts is one of the API's binary media types (`type/*` there matches any subtype); the response's
 * own Content-Type does not count (recorded on AWS: issue 10's corpus).
 */
export function decodesBinaryFor(
  acceptHeader: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  const accepted = (acceptHeader ?? '').split(',')[0].split(';')[0].trim().toLowerCase();
  if (!accepted.includes('/')) return false;
  const [type, subtype] = accepted.split('/');
  return binaryMediaTypes.some((pattern) => {
    const [patternType, patternSubtype] = pattern.replace(/~1/g, '/').toLowerCase().split('/');
    // A pattern with a wildcard type (`*/test`) matches nothing, not even itself (recorded on AWS).
    if (patternType === '*') return false;
    if (patternSubtype === '*') return patternType === type;
    return patternType === type && patternSubtype === subtype;
  });
}

/**
 * Maps an invocation result to an HTTP answer. A result with other fields, a status that is not an
 * HTTP status, a non-string body or header values of the wrong kind is a "Malformed Lambda proxy
 * response"; a result without `statusCode` is a 200. A base64 body stays text unless
 * `decodeBase64` (see {@link decodesBinaryFor}).
 */
export function readProxyResult(
  result: unknown,
  options: { readonly decodeBase64?: boolean } = {},
): ProxyOutcome {
  if (isObject(result) && result.throttled === true) return { kind: 'throttled' };
  if (isObject(result) && typeof result.errorMessage === 'string' && !('statusCode' in result)) {
    return { kind: 'function-error', message: result.errorMessage };
  }
  const malformed = (why: string): ProxyOutcome => ({
    kind: 'malformed',
    message: `Malformed Lambda proxy response: ${why}`,
  });
  if (!isObject(result)) return malformed('not a JSON object');
  const extra = Object.keys(result).filter((key) => !PROXY_RESULT_KEYS.has(key));
  if (extra.length > 0) return malformed(`unexpected fields ${extra.join(', ')}`);
  const statusCode =
    result.statusCode === undefined
      ? 200
      : typeof result.statusCode === 'string'
        ? Number(result.statusCode)
        : result.statusCode;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return malformed(`statusCode ${JSON.stringify(result.statusCode)} is not an HTTP status`);
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') {
    return malformed('body is not a string');
  }
  if (result.isBase64Encoded !== undefined && typeof result.isBase64Encoded !== 'boolean') {
    return malformed('isBase64Encoded is not a boolean');
  }
  const headers: Record<string, string[]> = {};
  if (result.multiValueHeaders !== undefined && result.multiValueHeaders !== null) {
    if (!isObject(result.multiValueHeaders)) return malformed('multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar))
        return malformed(`multiValueHeaders.${name} is not a list`);
      headers[name] = values.map(String);
    }
  }
  if (result.headers !== undefined && result.headers !== null) {
    if (!isObject(result.headers)) return malformed('headers is not an object');
    for (const [name, value] of Object.entries(result.headers)) {
      if (!isScalar(value)) return malformed(`headers.${name} is not a string`);
      // API Gateway merges headers into multiValueHeaders; a pair given in both appears once
      // (developer guide, "Lambda proxy integration output format").
      const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
      if (existing === undefined) headers[name] = [String(value)];
      else if (!headers[existing].includes(String(value))) headers[existing].push(String(value));
    }
  }
  const body = typeof result.body === 'string' ? result.body : '';
  const decode = result.isBase64Encoded === true && options.decodeBase64 === true;
  if (decode && !/^[A-Za-z0-9+/]*={0,2}$/.test(body.replace(/\s/g, ''))) {
    return { kind: 'undecodable', message: 'The body is not base64' };
  }
  return { kind: 'response', statusCode, headers, body: Buffer.from(body, decode ? 'base64' : 'utf8') };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
