/**
 * The local API Gateway's stage cache, from a template of ResilientApi with a cached
 * GET /orders/{orderId}: entries per order and per caller, for the TTL, every answer of the
 * integration (a 404 too, as on AWS), refreshed only by a signed `Cache-Control: max-age=0`.
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ResilientApi } from '../../../lib/constructs/resilient-api';
import { ResilientFunction } from '../../../lib/constructs/resilient-function';
import { LOCAL_CACHE_HEADER } from '../../../local-cloud/apigateway/stage-cache';
import { apiGatewayDatapoints } from '../../../local-cloud/metrics/metric-sources';
import { testApp, testStack } from '../../harness/app';
import { synthesizedTemplate, testGatewayForEachTest } from '../../harness/test-gateway';
import { send } from './helpers';

const TTL_SECONDS = 30;
/** A SigV4 Authorization header, as a caller allowed execute-api:InvalidateCache sends it. */
const SIGNED =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261208/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';

function synthesizeCachedApi() {
  const app = testApp();
  const stack = testStack(app, 'CachedApi');
  const api = new ResilientApi(stack, 'Api', {
    clientTiers: [
      { name: 'gold', rateLimit: 50, burstLimit: 100 },
      { name: 'silver', rateLimit: 50, burstLimit: 100 },
    ],
    cache: { ttl: Duration.seconds(TTL_SECONDS), methods: { '/orders/{orderId}/GET': {} } },
  });
  const fn = new ResilientFunction(stack, 'Reader', {
    entry: path.join(__dirname, '../../fixtures/echo-handler.ts'),
  });
  api.api.root
    .addResource('orders')
    .addResource('{orderId}')
    .addMethod(
      'GET',
      new apigateway.LambdaIntegration(fn.alias, { cacheKeyParameters: api.cacheKeyParameters(['orderId']) }),
      api.cachedMethodOptions(['orderId']),
    );
  api.addPublicMethod(
    api.api.root.addResource('health'),
    'GET',
    new apigateway.LambdaIntegration(fn.alias),
    'health',
  );
  return { template: synthesizedTemplate(app, stack.stackName), stackName: stack.stackName };
}

describe('local API Gateway stage cache', () => {
  let now = Date.UTC(2026, 11, 8, 12);
  const served = testGatewayForEachTest(synthesizeCachedApi, () => ({ clock: () => now }));
  /** The fake function answers with a counter, or with what the test sets. */
  let calls = 0;
  let status = 200;
  beforeEach(() => {
    calls = 0;
    status = 200;
    served.gateway.answer = (_id: string, event: APIGatewayProxyEvent) => {
      calls += 1;
      return Promise.resolve({
        statusCode: status,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId: event.pathParameters?.orderId, call: calls }),
      });
    };
  });
  const keys = () => served.gateway.emulator.apiKeys().map((key) => key.value);
  const get = (orderId: string, key = keys()[0], headers: Record<string, string> = {}) =>
    send(`${served.gateway.stageUrl}/orders/${orderId}`, { headers: { 'x-api-key': key, ...headers } });

  test('serves a repeated read from the cache, without calling the function', async () => {
    const first = await get('o-1');
    const second = await get('o-1');
    expect([first.status, first.headers.get(LOCAL_CACHE_HEADER), first.json]).toEqual([
      200,
      'miss',
      { orderId: 'o-1', call: 1 },
    ]);
    expect([second.status, second.headers.get(LOCAL_CACHE_HEADER), second.json]).toEqual([
      200,
      'hit',
      { orderId: 'o-1', call: 1 },
    ]);
    expect(calls).toBe(1);
  });

  test('keeps owners apart: another API key never gets the first caller’s entry', async () => {
    const [gold, silver] = keys();
    await get('o-1', gold);
    const other = await get('o-1', silver);
    expect([other.headers.get(LOCAL_CACHE_HEADER), other.json]).toEqual([
      'miss',
      { orderId: 'o-1', call: 2 },
    ]);
    // ...and another order is another entry
    expect((await get('o-2', gold)).json).toEqual({ orderId: 'o-2', call: 3 });
  });

  test('an entry lives for the TTL', async () => {
    await get('o-1');
    now += TTL_SECONDS * 1000 - 1;
    expect((await get('o-1')).headers.get(LOCAL_CACHE_HEADER)).toBe('hit');
    now += 1;
    expect((await get('o-1')).headers.get(LOCAL_CACHE_HEADER)).toBe('miss');
    expect(calls).toBe(2);
  });

  test('caches a 404 like any answer; a signed Cache-Control: max-age=0 refreshes it, an unsigned one is ignored', async () => {
    // GIVEN a read before the order exists: 404, cached (AWS caches every answer of the integration)
    status = 404;
    await get('o-9');
    status = 200;
    expect((await get('o-9')).status).toBe(404);
    // WHEN an unsigned caller asks for a fresh answer: ignored (API Gateway's default strategy)
    expect((await get('o-9', undefined, { 'cache-control': 'max-age=0' })).status).toBe(404);
    // WHEN a signed one does (a writer allowed execute-api:InvalidateCache)
    const refreshed = await get('o-9', undefined, { 'cache-control': 'max-age=0', authorization: SIGNED });
    // THEN the entry is the order now, for every later read
    expect([refreshed.status, refreshed.headers.get(LOCAL_CACHE_HEADER)]).toEqual([200, 'miss']);
    expect([(await get('o-9')).status, calls]).toEqual([200, 2]);
  });

  test('does not keep an answer the gateway made itself (a failed function: 502)', async () => {
    served.gateway.answer = () => {
      calls += 1;
      return Promise.resolve({ errorType: 'Error', errorMessage: 'boom' });
    };
    expect((await get('o-1')).status).toBe(502);
    expect((await get('o-1')).status).toBe(502);
    expect(calls).toBe(2);
  });

  test('does not cache the methods the cache does not name (GET /health)', async () => {
    const health = () => send(`${served.gateway.stageUrl}/health`);
    const [first, second] = [await health(), await health()];
    expect([first.headers.get(LOCAL_CACHE_HEADER), second.headers.get(LOCAL_CACHE_HEADER)]).toEqual([
      null,
      null,
    ]);
    expect(calls).toBe(2);
  });

  test('publishes CacheHitCount and CacheMissCount for the cached method only', async () => {
    await get('o-1');
    await get('o-1');
    await send(`${served.gateway.stageUrl}/health`);
    const counts = served.gateway.accessLog.map((entry) =>
      Object.fromEntries(
        apiGatewayDatapoints(entry, now)
          .filter((datum) => datum.metricName.startsWith('Cache') && datum.dimensions?.Stage !== undefined)
          .map((datum) => [datum.metricName, datum.value]),
      ),
    );
    expect(counts).toEqual([
      { CacheHitCount: 0, CacheMissCount: 1 },
      { CacheHitCount: 1, CacheMissCount: 0 },
      {},
    ]);
  });
});
