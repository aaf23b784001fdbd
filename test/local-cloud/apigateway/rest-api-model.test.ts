import { cacheTtlSecondsOf, readRestApi } from '../../../local-cloud/apigateway/rest-api-model';
import { MAX_CACHED_BODY_BYTES, StageCacheStore } from '../../../local-cloud/apigateway/stage-cache';
import {
  standaloneResolver,
  findGetAttTarget,
  referencedLogicalId,
} from '../../../local-cloud/apigateway/template-references';
import type { StackTemplate } from '../../../local-cloud/assembly/cloud-assembly';
import { TEST_ACCOUNT } from '../../harness/local-aws';
import { synthesizeVariant } from '../../harness/test-gateway';

const deployment = { stackName: 'Stack', region: 'us-east-1', accountId: TEST_ACCOUNT };

/** The standalone gateway's resolver, as the function `readRestApi` takes. */
function resolverOf(template: StackTemplate, where: typeof deployment): (value: unknown) => unknown {
  const resolver = standaloneResolver(template, where);
  return (value) => resolver.resolve(value);
}

function templateWithIntegration(integration: Record<string, unknown>): StackTemplate {
  return {
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'Api' } },
      Items: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: {
          RestApiId: { Ref: 'Api' },
          ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
          PathPart: 'items',
        },
      },
      ItemsGet: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          RestApiId: { Ref: 'Api' },
          ResourceId: { Ref: 'Items' },
          HttpMethod: 'GET',
          Integration: integration,
        },
      },
    },
  };
}

describe('reading a REST API from the template', () => {
  test('reads the resource tree, integrations, stage throttle, usage plan and key of the sync variant', () => {
    // GIVEN
    const { template, stackName } = synthesizeVariant('sync');

    // WHEN
    const api = readRestApi(template, resolverOf(template, { ...deployment, stackName }));

    // THEN
    expect(api.root.children.map((child) => child.path).sort()).toEqual(['/health', '/orders']);
    const order = api.root.children.find((child) => child.path === '/orders')?.children[0];
    expect(order?.path).toBe('/orders/{orderId}');
    expect(order?.methods.get('GET')?.integration).toMatchObject({
      type: 'AWS_PROXY',
      functionLogicalId: expect.stringMatching(/^GetOrderFunction/),
      timeoutMillis: 29_000,
    });
    expect(api.stages.get('prod')?.defaultThrottle).toEqual({ rateLimit: 100, burstLimit: 200 });
    expect(api.apiKeys[0].usagePlans[0]).toMatchObject({
      stageNames: ['prod'],
      throttle: { rateLimit: 50, burstLimit: 100 },
      quota: { limit: 1_000_000, period: 'DAY' },
    });
    expect(api.gatewayResponses.get('MISSING_AUTHENTICATION_TOKEN')?.statusCode).toBe('404');
  });

  test('fails if an integration type is not emulated, naming the method', () => {
    // GIVEN
    const template = templateWithIntegration({ Type: 'HTTP_PROXY', Uri: 'https://example.com' });

    // WHEN / THEN
    expect(() => readRestApi(template, resolverOf(template, deployment))).toThrow(
      /GET \/items \(ItemsGet\): integration type HTTP_PROXY .* is not emulated/,
    );
  });

  test('lists an authorizer as not emulated instead of dropping it silently', () => {
    // GIVEN
    const template = templateWithIntegration({ Type: 'MOCK' });
    const method = template.Resources?.ItemsGet.Properties as Record<string, unknown>;
    method.AuthorizationType = 'AWS_IAM';

    // WHEN
    const api = readRestApi(template, resolverOf(template, deployment));

    // THEN
    expect(api.notEmulated).toEqual([
      'GET /items: authorization AWS_IAM (requests are not authorized locally)',
    ]);
  });

  test('fails if the template has several REST APIs and none is chosen', () => {
    // GIVEN
    const template = templateWithIntegration({ Type: 'MOCK' });
    const resources = { ...template.Resources, Other: { Type: 'AWS::ApiGateway::RestApi' } };

    // WHEN / THEN
    expect(() =>
      readRestApi({ Resources: resources }, resolverOf({ Resources: resources }, deployment)),
    ).toThrow(/found 2 \(Api, Other\); pass restApiLogicalId/);
  });
});

describe('template references', () => {
  test('finds the logical id behind Ref and Fn::GetAtt, and a GetAtt inside Fn::Join', () => {
    // GIVEN
    const uri = {
      'Fn::Join': ['', ['arn:aws:apigateway:', { 'Fn::GetAtt': ['Fn1', 'Arn'] }, '/invocations']],
    };

    // WHEN / THEN
    expect(referencedLogicalId({ Ref: 'A' })).toBe('A');
    expect(referencedLogicalId({ Ref: 'AWS::Region' })).toBeUndefined();
    expect(referencedLogicalId({ 'Fn::GetAtt': 'B.Arn' })).toBe('B');
    expect(findGetAttTarget(uri, 'Arn')).toBe('Fn1');
    expect(findGetAttTarget(uri, 'QueueName')).toBeUndefined();
  });

  test('resolves pseudo parameters and joins', () => {
    // GIVEN
    const resolve = resolverOf({ Resources: {} }, deployment);

    // WHEN / THEN
    expect(resolve({ 'Fn::Join': ['/', [{ Ref: 'AWS::AccountId' }, { Ref: 'AWS::Region' }, 'x']] })).toBe(
      '111111111111/us-east-1/x',
    );
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:${AWS::Region}' })).toBe('arn:aws:us-east-1');
  });
});

describe('the stage cache as read from the template', () => {
  /** The items template with a POST too, a stage with a cache cluster and the given method settings. */
  function cachedStage(methodSettings: unknown[], integration: Record<string, unknown> = { Type: 'MOCK' }) {
    const base = templateWithIntegration(integration);
    const template: StackTemplate = {
      Resources: {
        ...base.Resources,
        ItemsPost: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResourceId: { Ref: 'Items' },
            HttpMethod: 'POST',
            Integration: { Type: 'MOCK' },
          },
        },
        Stage: {
          Type: 'AWS::ApiGateway::Stage',
          Properties: {
            RestApiId: { Ref: 'Api' },
            StageName: 'prod',
            CacheClusterEnabled: true,
            MethodSettings: methodSettings,
          },
        },
      },
    };
    const api = readRestApi(template, resolverOf(template, deployment));
    const stage = api.stages.get('prod')!;
    const method = (httpMethod: string) => api.root.children[0].methods.get(httpMethod)!;
    return { ttlOf: (httpMethod: string) => cacheTtlSecondsOf(stage, method(httpMethod)), method };
  }

  test('a /*/* setting caches the GET methods only (AWS: other methods by their own setting)', () => {
    const { ttlOf } = cachedStage([
      { ResourcePath: '/*', HttpMethod: '*', CachingEnabled: true, CacheTtlInSeconds: 120 },
    ]);
    expect([ttlOf('GET'), ttlOf('POST')]).toEqual([120, undefined]);
    const own = cachedStage([
      { ResourcePath: '/*', HttpMethod: '*', CachingEnabled: true },
      { ResourcePath: '/~1items', HttpMethod: 'POST', CachingEnabled: true, CacheTtlInSeconds: 10 },
    ]);
    expect([own.ttlOf('GET'), own.ttlOf('POST')]).toEqual([300, 10]);
  });

  test('without a setting that turns caching on, nothing is cached; a TTL of 0 turns it off', () => {
    expect(cachedStage([]).ttlOf('GET')).toBeUndefined();
    expect(
      cachedStage([
        { ResourcePath: '/~1items', HttpMethod: 'GET', CachingEnabled: true, CacheTtlInSeconds: 0 },
      ]).ttlOf('GET'),
    ).toBeUndefined();
  });

  test('a cache key parameter the emulator cannot read is an error, not a key every request shares', () => {
    expect(() =>
      cachedStage([], { Type: 'MOCK', CacheKeyParameters: ['method.request.path.itemId'] }),
    ).toThrow(
      'GET /items: the cache key parameter method.request.path.itemId is not one the local API Gateway can read',
    );
    expect(() =>
      cachedStage([], { Type: 'MOCK', CacheKeyParameters: ['method.request.multivalueheader.x'] }),
    ).toThrow('the cache key parameter method.request.multivalueheader.x');
    // a readable key, with the resource id as the namespace by default
    const { method } = cachedStage([], {
      Type: 'MOCK',
      CacheKeyParameters: ['method.request.querystring.page'],
    });
    expect(method('GET').cacheKey).toEqual({
      namespace: method('GET').resource.id,
      parameters: ['method.request.querystring.page'],
    });
  });
});

describe('StageCacheStore', () => {
  const answer = (bytes: number) => ({ statusCode: 200, headers: {}, body: Buffer.alloc(bytes) });

  test('does not keep an answer over 1 MB, as API Gateway does not', () => {
    const store = new StageCacheStore(() => 0);
    store.put('small', answer(MAX_CACHED_BODY_BYTES), 60);
    store.put('large', answer(MAX_CACHED_BODY_BYTES + 1), 60);
    expect([store.get('small') !== undefined, store.get('large')]).toEqual([true, undefined]);
  });

  test('sweeps expired entries, so ever new keys do not grow it without bound', () => {
    let now = 0;
    const store = new StageCacheStore(() => now);
    for (let i = 0; i < 999; i++) store.put(`k${i}`, answer(1), 1);
    now = 2_000;
    store.put('fresh', answer(1), 1); // the 1,000th put sweeps the 999 expired ones
    expect(store.size).toBe(1);
  });
});
