/**
 * The API's one error shape, `{ "error": { "code", "message", "details"?, "requestId"? } }`, and the
 * catalogue of error codes. Handlers build error bodies here and the API Gateway gateway responses
 * are rendered from {@link gatewayErrorTemplate}, so every 4XX/5XX a client sees has the same shape.
 */

/** Every error code the API can answer with, and the HTTP status it travels with. */
export const ERROR_STATUS = {
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  MISSING_IDEMPOTENCY_KEY: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  THROTTLED: 429,
  QUOTA_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  BAD_GATEWAY: 502,
  SERVICE_UNAVAILABLE: 503,
  /** The API sheds load: too much work is waiting (the async path's queue-age bound). */
  OVERLOADED: 503,
  GATEWAY_TIMEOUT: 504,
} as const;

/** A machine-readable error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** A field-level problem with a request (a JSON pointer to the field, or a header name). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly details?: readonly FieldError[];
    readonly requestId?: string;
  };
}

/** Options of an {@link ApiError}. */
export interface ApiErrorOptions {
  /** Field-level details, for validation errors. */
  readonly details?: readonly FieldError[];
  /** Seconds the client should wait before retrying; sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** The underlying error, kept for logs. */
  readonly cause?: unknown;
}

/** An error that maps to an HTTP response of the API's error shape. */
export class ApiError extends Error {
  public readonly code: ErrorCode;
  public readonly statusCode: number;
  public readonly details?: readonly FieldError[];
  public readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ERROR_STATUS[code];
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Builds the error body; the one place the shape is written in code. */
export function buildErrorBody(
  code: ErrorCode,
  message: string,
  details?: readonly FieldError[],
  requestId?: string,
): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(details && details.length > 0 ? { details } : {}),
      ...(requestId ? { requestId } : {}),
    },
  };
}

/** Options of {@link gatewayErrorTemplate}. */
export interface GatewayErrorTemplateOptions {
  /** Put API Gateway's request-validation error into `details` (for invalid bodies). */
  readonly validationDetails?: boolean;
}

/**
 * The same shape as an API Gateway mapping template (VTL) for gateway responses, with the gateway's
 * own message and request id filled in by API Gateway.
 */
export function gatewayErrorTemplate(code: ErrorCode, options: GatewayErrorTemplateOptions = {}): string {
  // escapeJavaScript also escapes single quotes, which JSON does not allow; undo that one escape.
  const details = options.validationDetails
    ? `,"details":[{"field":"body","message":"$util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\\\'","'")"}]`
    : '';
  return `{"error":{"code":"${code}","message":$context.error.messageString${details},"requestId":"$context.requestId"}}`;
}
