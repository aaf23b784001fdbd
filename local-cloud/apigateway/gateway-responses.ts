/**
 * Gateway responses: the answers API Gateway makes itself (unknown route, missing key, throttled,
 * invalid body…), rendered from the template's `AWS::ApiGateway::GatewayResponse` resources with
 * API Gateway's fallbacks: the type's own response, else `DEFAULT_4XX` / `DEFAULT_5XX`, else the
 * built-in `{"message": …}`.
 */
import type { GatewayResponseSpec } from './rest-api-model';
import { renderTemplate, type TemplateInput } from './velocity';

/** Gateway response types the emulator produces. */
export type GatewayResponseType =
  | 'API_CONFIGURATION_ERROR'
  | 'BAD_REQUEST_BODY'
  | 'BAD_REQUEST_PARAMETERS'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'UNSUPPORTED_MEDIA_TYPE';

/**
 * Status of each type when the template does not set one. Source: "Gateway response types for API
 * Gateway", https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
const DEFAULT_STATUS: Record<GatewayResponseType, number> = {
  API_CONFIGURATION_ERROR: 500,
  BAD_REQUEST_BODY: 400,
  BAD_REQUEST_PARAMETERS: 400,
  DEFAULT_4XX: 400,
  DEFAULT_5XX: 500,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  THROTTLED: 429,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/**
 * The `x-amzn-ErrorType` header API Gateway adds to a gateway response, for the types whose value
 * was recorded on AWS (LocalStack's snapshots: test_routing_not_found; the header-remapping tests'
 * configuration errors). Other types get none here: no recording of theirs was found.
 */
const ERROR_TYPE_HEADER: Partial<Record<GatewayResponseType, string>> = {
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  API_CONFIGURATION_ERROR: 'InternalServerErrorException',
};

/** API Gateway's own body when nothing is customized. */
const BUILT_IN_TEMPLATE = '{"message":$context.error.messageString}';

/** A gateway error: its type, message and what the templates may add. */
export interface GatewayError {
  readonly responseType: GatewayResponseType;
  /** `$context.error.message`, e.g. "Forbidden". */
  readonly message: string;
  /** `$context.error.validationErrorString`, for invalid bodies. */
  readonly validationErrorString?: string;
  /**
   * Status when neither the type nor its default family is customized, where API Gateway's answer
   * differs from the type's documented default (a Lambda error is a 502, not a 504).
   */
  readonly statusWhenNotCustomized?: number;
}

/** A rendered HTTP answer. */
export interface RenderedResponse {
  readonly statusCode: number;
  /** Header name → values. */
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

/** Renders a gateway error with the API's gateway responses. */
export function renderGatewayResponse(
  responses: ReadonlyMap<string, GatewayResponseSpec>,
  error: GatewayError,
  variables: {
    context: Record<string, unknown>;
    input: TemplateInput;
    stageVariables?: Record<string, string>;
  },
): RenderedResponse {
  const builtInStatus = error.statusWhenNotCustomized ?? DEFAULT_STATUS[error.responseType];
  const own = responses.get(error.responseType);
  const fallback = responses.get(builtInStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const spec = own ?? fallback;
  const statusCode = Number(own?.statusCode ?? fallback?.statusCode ?? builtInStatus);
  const templates =
    spec && Object.keys(spec.responseTemplates).length > 0 ? spec.responseTemplates : undefined;
  const contentType = templates
    ? 'application/json' in templates
      ? 'application/json'
      : Object.keys(templates)[0]
    : 'application/json';
  const context = {
    ...variables.context,
    error: {
      message: error.message,
      messageString: JSON.stringify(error.message),
      responseType: error.responseType,
      validationErrorString: error.validationErrorString ?? '',
    },
  };
  const body = renderTemplate(templates?.[contentType] ?? BUILT_IN_TEMPLATE, { ...variables, context });
  const headers: Record<string, string[]> = { 'Content-Type': [contentType] };
  const errorType = ERROR_TYPE_HEADER[error.responseType];
  if (errorType) headers['x-amzn-ErrorType'] = [errorType];
  for (const [name, source] of Object.entries(spec?.responseParameters ?? {})) {
    const header = /^gatewayresponse\.header\.(.+)$/.exec(name)?.[1];
    const value = header ? parameterValue(source, variables.input) : undefined;
    if (header && value !== undefined) headers[header] = [value];
  }
  return { statusCode, headers, body: Buffer.from(body, 'utf8') };
}

/**
 * The value of a response parameter mapping: a `'literal'` or a method request parameter
 * (`method.request.header.X`, `.querystring.X`, `.path.X`). Anything else maps to nothing.
 */
export function parameterValue(source: string, input: TemplateInput): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1];
  const parameter = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(source);
  if (!parameter) return undefined;
  const [, location, name] = parameter;
  if (location === 'header') {
    return Object.entries(input.header).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  }
  return location === 'path' ? input.path[name] : input.querystring[name];
}
