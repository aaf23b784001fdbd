/**
 * Rendering an API Gateway mapping template for a request, as the local cloud does: the public way
 * to test a template without deploying it.
 *
 * ```ts
 * const { output, responseOverride } = renderMappingTemplate({
 *   template: '{"id": "$input.params(\'id\')", "name": $input.json(\'$.name\')}',
 *   body: '{"name": "Ada"}',
 *   path: { id: '42' },
 * });
 * ```
 */
import { requestContextOf } from './request-context';
import {
  javaToString,
  renderTemplate,
  toTemplateValue,
  JavaString,
  type RequestOverride,
  type ResponseOverride,
  type TemplateInput,
} from './velocity';

/**
 * Headers API Gateway does not pass to integrations (mapping templates' `$input.params()`, Lambda
 * proxy events): hop-by-hop and connection-level headers it handles itself.
 */
export const HEADERS_HIDDEN_FROM_INTEGRATIONS: ReadonlySet<string> = new Set([
  'connection',
  'expect',
  'max-forwards',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
  'server',
  'content-md5',
  'proxy-authenticate',
  'www-authenticate',
]);

/** A template and the request it renders for. */
export interface MappingTemplateRequest {
  /** The mapping template (Velocity Template Language). */
  readonly template: string;
  /**
   * `request`: an integration request template (`$input` is the method request); `response`: an
   * integration response template (`$input.body` is the integration's answer, `$input.params()`
   * still the method request).
   * @default 'request'
   */
  readonly phase?: 'request' | 'response';
  /**
   * The request body, or for `response` the integration's answer. An empty request body is `{}` to
   * templates, as API Gateway passes it.
   * @default ''
   */
  readonly body?: string;
  /** Method request headers (the last value of each). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Path parameters. @default {} */
  readonly path?: Readonly<Record<string, string>>;
  /** Query string parameters (the last value of each). @default {} */
  readonly querystring?: Readonly<Record<string, string>>;
  /** Stage variables. @default {} */
  readonly stageVariables?: Readonly<Record<string, string>>;
  /**
   * `$context` values, over the defaults (`stage: 'test'`, `httpMethod: 'POST'`, a fixed
   * `requestId`, …); nested objects (`identity`) are merged too.
   * @default {}
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** What a template rendered, and what it set in the overrides. */
export interface RenderedMappingTemplate {
  readonly output: string;
  /** `$context.responseOverride`: the status (a number, when set) and headers. */
  readonly responseOverride: { readonly status?: number; readonly header: Readonly<Record<string, string>> };
  /** `$context.requestOverride`: headers, path and query string parameters. */
  readonly requestOverride: {
    readonly header: Readonly<Record<string, string>>;
    readonly path: Readonly<Record<string, string>>;
    readonly querystring: Readonly<Record<string, string>>;
  };
}

/** `$context` of a request when the caller sets nothing. */
const DEFAULT_CONTEXT: Readonly<Record<string, unknown>> = requestContextOf({
  accountId: '123456789012',
  apiId: 'abcdef1234',
  deploymentId: 'wxyz98',
  domainName: 'abcdef1234.execute-api.us-east-1.amazonaws.com',
  extendedRequestId: 'AbCdEfGhIjKlMnO=',
  httpMethod: 'POST',
  path: '/test/',
  protocol: 'HTTP/1.1',
  requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  requestTimeEpoch: 1_796_644_800_000,
  resourceId: 'abc123',
  resourcePath: '/',
  stage: 'test',
  sourceIp: '203.0.113.7',
  userAgent: 'curl/8.5.0',
});

/**
 * Renders a mapping template for a request exactly as the local cloud's API Gateway does.
 *
 * @throws Error when the template does not parse or fails to evaluate (API Gateway answers 500)
 */
export function renderMappingTemplate(request: MappingTemplateRequest): RenderedMappingTemplate {
  const {
    requestOverride: givenRequestOverride,
    responseOverride: givenResponseOverride,
    ...given
  } = request.context ?? {};
  const context = mergeContext(DEFAULT_CONTEXT, given);
  // Overrides a request template set already (a response template reads them): as given, writable.
  const responseOverride = {
    ...(toTemplateValue(givenResponseOverride ?? {}) as Record<string, unknown>),
  } as ResponseOverride;
  responseOverride.header = { ...(responseOverride.header as Record<string, unknown> | undefined) };
  const givenRequest = (toTemplateValue(givenRequestOverride ?? {}) ?? {}) as Partial<RequestOverride>;
  const requestOverride: RequestOverride = {
    header: { ...givenRequest.header },
    path: { ...givenRequest.path },
    querystring: { ...givenRequest.querystring },
  };
  const output = renderTemplate(request.template, {
    context,
    input: templateInputOf({
      phase: request.phase ?? 'request',
      body: request.body ?? '',
      headers: Object.entries(request.headers ?? {}),
      path: request.path ?? {},
      querystring: request.querystring ?? {},
    }),
    stageVariables: request.stageVariables ?? {},
    responseOverride,
    requestOverride,
  });
  const status = Number(plain(responseOverride.status));
  return {
    output,
    responseOverride: {
      ...(responseOverride.status !== undefined && Number.isInteger(status) ? { status } : {}),
      header: plainRecord(responseOverride.header),
    },
    requestOverride: {
      header: plainRecord(requestOverride.header),
      path: plainRecord(requestOverride.path),
      querystring: plainRecord(requestOverride.querystring),
    },
  };
}

/**
 * What `$input` reads, as API Gateway passes it to a template: without the headers it hides (the
 * last value of a repeated header), and `{}` for a request without a body.
 */
export function templateInputOf(request: {
  readonly phase: 'request' | 'response';
  readonly body: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
}): TemplateInput {
  const header: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    if (!HEADERS_HIDDEN_FROM_INTEGRATIONS.has(name.toLowerCase())) header[name] = value;
  }
  return {
    body: request.phase === 'request' && request.body === '' ? '{}' : request.body,
    path: request.path,
    querystring: request.querystring,
    header,
  };
}

function mergeContext(
  defaults: Readonly<Record<string, unknown>>,
  overrides: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    merged[key] = isRecord(base) && isRecord(value) ? mergeContext(base, value) : value;
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function plain(value: unknown): unknown {
  return value instanceof JavaString ? value.toString() : value;
}

/** Override values as API Gateway sends them: a list (several header values) joined with commas. */
function plainRecord(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      Array.isArray(value)
        ? value.map((item) => javaToString(plain(item))).join(',')
        : javaToString(plain(value)),
    ]),
  );
}
