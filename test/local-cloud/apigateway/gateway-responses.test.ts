import { renderGatewayResponse } from '../../../local-cloud/apigateway/gateway-responses';
import type { GatewayResponseSpec } from '../../../local-cloud/apigateway/rest-api-model';

const variables = {
  context: { requestId: 'req-1' },
  input: { body: '', path: {}, querystring: {}, header: { 'X-Trace': 't-1' } },
};

describe('gateway responses', () => {
  test('renders the type own response with its status, template and header mappings', () => {
    // GIVEN
    const responses = new Map<string, GatewayResponseSpec>([
      [
        'THROTTLED',
        {
          statusCode: '429',
          responseTemplates: {
            'application/json': '{"m":$context.error.messageString,"t":"$context.error.responseType"}',
          },
          responseParameters: {
            'gatewayresponse.header.Retry-After': "'1'",
            'gatewayresponse.header.X-Trace': 'method.request.header.x-trace',
          },
        },
      ],
    ]);

    // WHEN
    const response = renderGatewayResponse(
      responses,
      { responseType: 'THROTTLED', message: 'Too "Many"' },
      variables,
    );

    // THEN
    expect(response.statusCode).toBe(429);
    expect(JSON.parse(response.body.toString())).toEqual({ m: 'Too "Many"', t: 'THROTTLED' });
    expect(response.headers).toEqual({
      'Content-Type': ['application/json'],
      'Retry-After': ['1'],
      'X-Trace': ['t-1'],
    });
  });

  test('falls back to DEFAULT_5XX, whose status then applies to every 5XX type', () => {
    // GIVEN
    const responses = new Map<string, GatewayResponseSpec>([
      [
        'DEFAULT_5XX',
        {
          statusCode: '503',
          responseTemplates: { 'application/json': '{"fallback":true}' },
          responseParameters: {},
        },
      ],
    ]);

    // WHEN
    const response = renderGatewayResponse(
      responses,
      { responseType: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' },
      variables,
    );

    // THEN
    expect(response.statusCode).toBe(503);
    expect(response.body.toString()).toBe('{"fallback":true}');
  });

  test('falls back to API Gateway built-in body and status when nothing is customized', () => {
    // WHEN
    const response = renderGatewayResponse(
      new Map(),
      { responseType: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' },
      variables,
    );

    // THEN
    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body.toString())).toEqual({ message: 'Missing Authentication Token' });
  });
});
