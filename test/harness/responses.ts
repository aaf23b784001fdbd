/**
 * Typed access to the bodies of the handlers' API Gateway responses.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ErrorBody } from '../../lambdas/contract/errors';

/** The parsed JSON body of a response, typed as the caller expects it. */
export function parseBody<T>(response: APIGatewayProxyResult): T {
  return JSON.parse(response.body) as T;
}

/** The `error` member of an error response. */
export function errorOf(response: APIGatewayProxyResult): ErrorBody['error'] {
  return parseBody<ErrorBody>(response).error;
}
