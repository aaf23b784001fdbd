import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ResilientApi } from '../../../lib/constructs/resilient-api';
import { testApp, testStack } from '../../harness/app';
import { synthesizeVariant, synthesizedTemplate, testGatewayForEachTest } from '../../harness/test-gateway';
import { expectErrorShape, send, type TestResponse } from './helpers';

/** A controllable clock: time only moves when a test moves it. */
function manualClock(start = Date.UTC(2026, 0, 15, 12)): {
  now: () => number;
  advance: (millis: number) => void;
} {
  let time = start;
  return { now: () => time, advance: (millis) => (time += millis) };
}

function statusCounts(responses: TestResponse[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

function burst(count: number, url: string, init: RequestInit = {}): Promise<TestResponse[]> {
  return Promise.all(Array.from({ length: count }, () => send(url, init)));
}

describe('local API Gateway throttling, sync variant (stage 100/s burst 200, key 50/s burst 100)', () => {
  let clock: ReturnType<typeof manualClock>;
  beforeEach(() => {
    clock = manualClock();
  });
  const variant = testGatewayForEachTest(
    () => synthesizeVariant('sync'),
    () => ({ clock: clock.now }),
  );

  test('accepts exactly the key burst of a concurrent burst, then the key rate per second', async () => {
    // WHEN
    const first = await burst(150, `${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });
    clock.advance(1_000);
    const second = await burst(80, `${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });

    // THEN
    expect(statusCounts(first)).toEqual({ 200: 100, 429: 50 });
    expect(statusCounts(second)).toEqual({ 200: 50, 429: 30 });
    const throttled = first.find((response) => response.status === 429) as TestResponse;
    expectErrorShape(throttled, 'THROTTLED');
    expect(throttled.json.error.message).toBe('Too Many Requests');
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(variant.gateway.invocations).toHaveLength(150);
  });

  test('throttles a method without API key at the stage burst, and each method has its own bucket', async () => {
    // WHEN
    const health = await burst(250, `${variant.gateway.stageUrl}/health`);
    const other = await send(`${variant.gateway.stageUrl}/orders/o-1`, {
      headers: { 'x-api-key': variant.gateway.apiKey },
    });
    clock.advance(500);
    const refilled = await burst(60, `${variant.gateway.stageUrl}/health`);

    // THEN
    expect(statusCounts(health)).toEqual({ 200: 200, 429: 50 });
    expect(other.status).toBe(200);
    expect(statusCounts(refilled)).toEqual({ 200: 50, 429: 10 });
  });
});

describe('local API Gateway, per-method throttle and usage-plan quota', () => {
  let clock: ReturnType<typeof manualClock>;
  beforeEach(() => {
    clock = manualClock();
  });
  const throttledApi = testGatewayForEachTest(
    () => {
      // GIVEN a ResilientApi with a per-method override and a tier with a tiny daily quota
      const app = testApp();
      const stack = testStack(app, 'ThrottledApi');
      const api = new ResilientApi(stack, 'Api', {
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        methodThrottling: { '/orders/POST': { rateLimit: 2, burstLimit: 5 } },
        clientTiers: [{ name: 'trial', rateLimit: 100, burstLimit: 100, quotaLimit: 8 }],
      });
      const mock = new apigateway.MockIntegration({
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [
          {
            statusCode: '200',
            responseTemplates: { 'application/json': '{"ok":true,"key":"$context.identity.apiKeyId"}' },
          },
        ],
      });
      const orders = api.api.root.addResource('orders');
      const options = { ...api.validatedMethodOptions(), methodResponses: [{ statusCode: '200' }] };
      orders.addMethod('POST', mock, options);
      orders.addMethod('GET', mock, options);
      return { template: synthesizedTemplate(app, stack.stackName), stackName: stack.stackName };
    },
    () => ({ clock: clock.now }),
  );

  test('applies the method override (~1orders/POST) instead of the stage default', async () => {
    // WHEN
    const posts = await burst(7, `${throttledApi.gateway.stageUrl}/orders`, {
      method: 'POST',
      headers: { 'x-api-key': throttledApi.gateway.apiKey },
    });
    const get = await send(`${throttledApi.gateway.stageUrl}/orders`, {
      headers: { 'x-api-key': throttledApi.gateway.apiKey },
    });

    // THEN
    expect(statusCounts(posts)).toEqual({ 200: 5, 429: 2 });
    expect(get.status).toBe(200);
    expect(get.json).toEqual({ ok: true, key: throttledApi.gateway.emulator.apiKeys()[0].id });
  });

  test('rejects requests over the quota with 429 QUOTA_EXCEEDED until the next period', async () => {
    // WHEN
    const withinQuota = await burst(8, `${throttledApi.gateway.stageUrl}/orders`, {
      headers: { 'x-api-key': throttledApi.gateway.apiKey },
    });
    const overQuota = await send(`${throttledApi.gateway.stageUrl}/orders`, {
      headers: { 'x-api-key': throttledApi.gateway.apiKey },
    });
    clock.advance(24 * 60 * 60 * 1000);
    const nextDay = await send(`${throttledApi.gateway.stageUrl}/orders`, {
      headers: { 'x-api-key': throttledApi.gateway.apiKey },
    });

    // THEN
    expect(statusCounts(withinQuota)).toEqual({ 200: 8 });
    expect(overQuota.status).toBe(429);
    expectErrorShape(overQuota, 'QUOTA_EXCEEDED');
    expect(overQuota.json.error.message).toBe('Limit Exceeded');
    expect(overQuota.headers.get('retry-after')).toBe('1');
    expect(nextDay.status).toBe(200);
    expect(throttledApi.gateway.accessLog.map((entry) => entry.errorType).filter(Boolean)).toEqual([
      'QUOTA_EXCEEDED',
    ]);
  });
});
