/**
 * The adapter every API Gateway proxy handler runs its work through: request-scoped logging, one
 * mapping from errors to the API's error shape, and the metrics flush.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { CircuitOpenError } from './circuit-breaker';
import { DependencyUnavailableError } from './data-access';
import { ApiError } from '../contract/errors';
import { errorResponse } from './http';
import { logger } from './logger';
import { publishMetrics } from './metrics';
import { RETRY_AFTER_SECONDS } from '../contract/retry-after';

/**
 * Runs the work of one API request with the request id as the log correlation id, and turns any
 * error it throws into the API's error shape: an {@link ApiError} as itself, an unavailable
 * dependency as 503 with `Retry-After` (an open circuit breaker: the seconds until its probe),
 * anything else as a 500 that reveals nothing internal.
 */
export async function handleApiRequest(
  event: APIGatewayProxyEvent,
  context: Context,
  work: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  const requestId = event.requestContext?.requestId;
  logger.setCorrelationId(requestId);
  try {
    return await work();
  } catch (error) {
    return errorResponse(toApiError(error), requestId);
  } finally {
    publishMetrics();
  }
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) {
    if (error.statusCode >= 500) {
      logger.error('Request failed', { code: error.code, error });
    } else {
      logger.info('Request rejected', { code: error.code, reason: error.message, details: error.details });
    }
    return error;
  }
  if (error instanceof CircuitOpenError) {
    // Failing fast is the breaker working as designed; the failures that opened it were logged.
    logger.warn('Circuit breaker open', { dependency: error.dependency });
    return new ApiError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry later', {
      retryAfterSeconds: error.retryAfterSeconds,
      cause: error,
    });
  }
  if (error instanceof DependencyUnavailableError) {
    logger.error('Dependency unavailable', { dependency: error.dependency, error });
    return new ApiError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry later', {
      retryAfterSeconds: RETRY_AFTER_SECONDS.serviceUnavailable,
      cause: error,
    });
  }
  logger.error('Unexpected error', { error });
  return new ApiError('INTERNAL_ERROR', 'An unexpected error occurred', { cause: error });
}
