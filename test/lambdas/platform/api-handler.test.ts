import { ApiError } from '../../../lambdas/contract/errors';
import { handleApiRequest } from '../../../lambdas/platform/api-handler';
import { CircuitOpenError } from '../../../lambdas/platform/circuit-breaker';
import { DependencyUnavailableError } from '../../../lambdas/platform/data-access';
import { jsonResponse } from '../../../lambdas/platform/http';
import { apiGatewayEvent, lambdaContext } from '../../harness/lambda-events';

describe('handleApiRequest', () => {
  test('returns the response of the work', async () => {
    // GIVEN work that succeeds
    // WHEN it runs
    const response = await handleApiRequest(apiGatewayEvent(), lambdaContext(), () =>
      Promise.resolve(jsonResponse(200, { ok: true })),
    );

    // THEN its response is returned unchanged
    expect(response).toEqual(jsonResponse(200, { ok: true }));
  });

  test('answers an ApiError with its status, code, details and Retry-After', async () => {
    // GIVEN work that refuses the request
    const event = apiGatewayEvent();
    const error = new ApiError('REQUEST_IN_PROGRESS', 'busy', { retryAfterSeconds: 1 });

    // WHEN it runs
    const response = await handleApiRequest(event, lambdaContext(), () => Promise.reject(error));

    // THEN the error shape carries the request id
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ 'Retry-After': '1' });
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'REQUEST_IN_PROGRESS', message: 'busy', requestId: event.requestContext.requestId },
    });
  });

  test('fails with 503 and Retry-After if a dependency is unavailable', async () => {
    // GIVEN work whose table cannot be reached
    const error = new DependencyUnavailableError(
      'orders table',
      new Error('connect ECONNREFUSED 10.0.0.1:443'),
    );

    // WHEN it runs
    const response = await handleApiRequest(apiGatewayEvent(), lambdaContext(), () => Promise.reject(error));

    // THEN the client is asked to retry, and learns nothing about the infrastructure
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) });
    expect(JSON.parse(response.body).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(response.body).not.toMatch(/ECONNREFUSED|orders table/);
  });

  test("fails with 503 and the breaker's Retry-After if the circuit breaker is open", async () => {
    // GIVEN work refused by an open breaker that probes again in 4 seconds
    const error = new CircuitOpenError('orders store', 4);

    // WHEN it runs
    const response = await handleApiRequest(apiGatewayEvent(), lambdaContext(), () => Promise.reject(error));

    // THEN the client is told when to retry, in the error shape
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '4' });
    expect(JSON.parse(response.body).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(response.body).not.toMatch(/orders store|breaker/);
  });

  test('fails with a bare 500 if the work throws an unexpected error', async () => {
    // GIVEN work with a bug
    const bug = new TypeError("Cannot read properties of undefined (reading 'items') at create-order.ts:42");

    // WHEN it runs
    const response = await handleApiRequest(apiGatewayEvent(), lambdaContext(), () => Promise.reject(bug));

    // THEN the answer is INTERNAL_ERROR without the message or the stack
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body).error).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'An unexpected error occurred',
      requestId: expect.any(String),
    });
    expect(response.body).not.toMatch(/TypeError|create-order|items/);
  });
});
