import { resolveAppConfig } from '../../../lib/config';
import { addVariantStacks } from '../../../lib/stacks';
import { estimateVariantCost, type CostAssumptions } from '../../../load-tests/cost/cost-model';
import { PRICES_US_EAST_1 } from '../../../load-tests/cost/prices-us-east-1';
import { readTemplateInventory } from '../../../load-tests/cost/template-inventory';
import type { StackTemplate } from '../../../local-cloud/assembly/cloud-assembly';
import { testApp } from '../../harness/app';

// GIVEN a small hand-written template: POST /orders → SQS → consumer (1024 MB arm64, traced, batch
// size 10); GET /orders/{orderId} → a 256 MB x86 function (no Architectures, not traced); a stage
// with tracing and an access log; an orders global table in 3 regions and an idempotency table;
// alarms (1 plain, 1 metric math over 2 metrics, 1 at a 10 s period), a composite alarm, a
// dashboard, an HTTPS health check at a 10 s interval, a calculated health check and a KMS key.
const template: StackTemplate = {
  Resources: {
    Api: { Type: 'AWS::ApiGateway::RestApi' },
    Orders: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { PathPart: 'orders', ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] } },
    },
    Order: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { PathPart: '{orderId}', ParentId: { Ref: 'Orders' } },
    },
    PostOrder: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'POST',
        ResourceId: { Ref: 'Orders' },
        Integration: {
          Type: 'AWS',
          Uri: {
            'Fn::Join': [
              '',
              ['arn:aws:apigateway:us-east-1:sqs:path/', { 'Fn::GetAtt': ['Queue', 'QueueName'] }],
            ],
          },
        },
      },
    },
    GetOrder: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { Ref: 'Order' },
        Integration: {
          Type: 'AWS_PROXY',
          Uri: { 'Fn::Join': ['', ['arn:…/', { 'Fn::GetAtt': ['GetOrderFn', 'Arn'] }]] },
        },
      },
    },
    Stage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: { TracingEnabled: true, AccessLogSetting: { Format: '{}' } },
    },
    Queue: { Type: 'AWS::SQS::Queue' },
    Consumer: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 10,
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        FunctionName: { Ref: 'ProcessOrdersFn' },
      },
    },
    ProcessOrdersFn: {
      Type: 'AWS::Lambda::Function',
      Properties: { MemorySize: 1024, Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } },
    },
    GetOrderFn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
    OrdersTableABC: {
      Type: 'AWS::DynamoDB::GlobalTable',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [{ Region: 'us-east-1' }, { Region: 'us-west-2' }, { Region: 'eu-west-1' }],
      },
    },
    IdempotencyTableDEF: { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST' } },
    PlainAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 60 } },
    MathAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Metrics: [
          { Expression: 'm1 + m2' },
          { MetricStat: { Period: 300 } },
          { MetricStat: { Period: 300 } },
        ],
      },
    },
    FastAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Period: 10 } },
    Composite: { Type: 'AWS::CloudWatch::CompositeAlarm' },
    Dashboard: { Type: 'AWS::CloudWatch::Dashboard' },
    HttpsCheck: {
      Type: 'AWS::Route53::HealthCheck',
      Properties: { HealthCheckConfig: { Type: 'HTTPS', RequestInterval: 10 } },
    },
    CalculatedCheck: {
      Type: 'AWS::Route53::HealthCheck',
      Properties: { HealthCheckConfig: { Type: 'CALCULATED' } },
    },
    Key: { Type: 'AWS::KMS::Key' },
  },
};

const assumptions: CostAssumptions = {
  requestMix: { 'POST /orders': 0.8, 'GET /orders/{orderId}': 0.2 },
  functionDurationMs: { ProcessOrders: 200, GetOrder: 50 },
  consumerBatchSize: 4,
  routeUsage: {
    'POST /orders': { writeUnits: { IdempotencyTable: 2, OrdersTable: 1 } },
    'GET /orders/{orderId}': { readUnits: { OrdersTable: 0.5 } },
  },
  functionLogBytesPerInvocation: 2000,
  accessLogBytesPerRequest: 1000,
  replicatedItemBytes: 500,
  tracedShare: 0.1,
  monthlyRequests: 2_000_000,
};

describe('estimateVariantCost', () => {
  test('matches a hand calculation with the us-east-1 price table', () => {
    // WHEN
    const cost = estimateVariantCost({
      variant: 'test',
      templates: [template],
      prices: PRICES_US_EAST_1,
      assumptions,
    });

    // THEN POST /orders, per million requests (prices per million units unless said otherwise):
    //   API Gateway            1 × 3.50                                        = 3.50
    //   access log             1000 B = 1e-6 GB × $0.50/GB × 1e6               = 0.50
    //   SQS SendMessage        1 × 0.40                                        = 0.40
    //   receive + delete       2 / 4 (measured batch) × 0.40                   = 0.20
    //   Lambda invocations     1/4 × 0.20                                      = 0.05
    //   Lambda compute         1/4 × 0.2 s × 1 GB = 0.05 GB-s × $0.0000133334  = 0.66667
    //   consumer logs          1/4 × 2000 B = 5e-7 GB × $0.50 × 1e6            = 0.25
    //   X-Ray                  (1 gateway trace + 1/4 consumer) × 0.1 × 5.00   = 0.625
    //   idempotency writes     2 WRU × 0.625                                   = 1.25
    //   order writes           1 WRU × 0.625                                   = 0.625
    //   replicated writes      1 × 2 other regions × 0.625                     = 1.25
    //   replication transfer   2 × 500 B = 1e-6 GB × $0.02 × 1e6               = 0.02
    //   total                                                                  = 9.33667
    const post = cost.perRoute['POST /orders'];
    expect(post.perMillionRequestsUsd).toBeCloseTo(9.33667, 5);
    expect(post.items.find((i) => i.item.startsWith('Lambda compute'))?.quantityPerRequest).toBeCloseTo(
      0.05,
      12,
    );
    // GET /orders/{orderId}:
    //   API Gateway 3.50 + access log 0.50 + Lambda invocation 0.20
    //   + compute 0.05 s × 0.25 GB = 0.0125 GB-s × $0.0000166667 (x86) × 1e6     = 0.20833375
    //   + logs 2000 B = 2e-6 GB × $0.50 × 1e6 = 1.00 + X-Ray 1 × 0.1 × 5.00 = 0.50
    //   + reads 0.5 RRU × 0.125 = 0.0625                                       = 5.97083375
    expect(cost.perRoute['GET /orders/{orderId}'].perMillionRequestsUsd).toBeCloseTo(5.97083375, 8);
    // mix: 0.8 × 9.33667 + 0.2 × 5.97083375 = 7.469336 + 1.19416675 = 8.66350275
    expect(cost.perMillionRequestsUsd).toBeCloseTo(8.66350275, 8);

    // monthly: alarm metrics 1 + 2 = 3 × 0.10 = 0.30; high resolution 1 × 0.30 = 0.30; composite 0.50;
    // dashboard 3.00; health checks 2 × 0.50 = 1.00; optional features (HTTPS, fast interval)
    // 2 × 1.00 = 2.00; KMS key 1.00 → 8.10 a month
    expect(cost.fixedMonthlyUsd).toBeCloseTo(8.1, 10);
    expect(cost.fixedItems.map((item) => [item.item, item.count])).toEqual([
      ['CloudWatch alarm metrics (standard resolution)', 3],
      ['CloudWatch alarm metrics (high resolution)', 1],
      ['CloudWatch composite alarms', 1],
      ['CloudWatch dashboards', 1],
      ['Route 53 health checks', 2],
      ['Route 53 health check optional features', 2],
      ['KMS customer managed keys', 1],
    ]);
    // spread over 2 million requests a month: 8.10 / 2 = 4.05 per million → 12.71350275
    expect(cost.perMillionIncludingFixedUsd).toBeCloseTo(12.71350275, 8);
    expect(cost.prices).toMatchObject({ region: 'us-east-1', retrievedOn: PRICES_US_EAST_1.retrievedOn });
    expect(cost.prices.source).toContain('https://aws.amazon.com/lambda/pricing/');
  });

  test('sums the monthly resources of every stack but prices a request once', () => {
    const one = estimateVariantCost({
      variant: 'one',
      templates: [template],
      prices: PRICES_US_EAST_1,
      assumptions,
    });
    const two = estimateVariantCost({
      variant: 'two',
      templates: [template, template],
      prices: PRICES_US_EAST_1,
      assumptions,
    });
    expect(two.perMillionRequestsUsd).toBeCloseTo(one.perMillionRequestsUsd, 12);
    expect(two.fixedMonthlyUsd).toBeCloseTo(16.2, 10);
  });

  test('prices provisioned concurrency per second configured, and invocations on it at its duration price', () => {
    // GIVEN the get-order function invoked through a live alias with 3 provisioned environments
    const provisioned: StackTemplate = {
      Resources: {
        ...template.Resources,
        GetOrder: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            HttpMethod: 'GET',
            ResourceId: { Ref: 'Order' },
            Integration: {
              Type: 'AWS_PROXY',
              Uri: { 'Fn::Join': ['', ['arn:…/', { Ref: 'GetOrderLive' }, '/invocations']] },
            },
          },
        },
        GetOrderVersion: {
          Type: 'AWS::Lambda::Version',
          Properties: { FunctionName: { Ref: 'GetOrderFn' } },
        },
        GetOrderLive: {
          Type: 'AWS::Lambda::Alias',
          Properties: {
            Name: 'live',
            FunctionName: { Ref: 'GetOrderFn' },
            FunctionVersion: { 'Fn::GetAtt': ['GetOrderVersion', 'Version'] },
            ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
          },
        },
      },
    };
    // WHEN
    const cost = estimateVariantCost({
      variant: 'test',
      templates: [provisioned],
      prices: PRICES_US_EAST_1,
      assumptions,
    });
    // THEN a monthly item: 3 × 0.25 GB × 730 h × 3600 s × $0.0000041667 (x86) = 8.2125657… a month
    const item = cost.fixedItems.find((fixed) => fixed.item.startsWith('Lambda provisioned concurrency'));
    expect(item).toEqual({
      item: 'Lambda provisioned concurrency (GetOrderFn, 256 MB x86_64 each)',
      count: 3,
      monthlyUsd: expect.closeTo(3 * 0.25 * 2_628_000 * 0.0000041667, 8),
    });
    expect(cost.fixedMonthlyUsd).toBeCloseTo(8.1 + 3 * 0.25 * 2_628_000 * 0.0000041667, 8);
    // ...and GET's compute at the provisioned duration price: 0.0125 GB-s × $0.0000097222 × 1e6
    const compute = cost.perRoute['GET /orders/{orderId}'].items.find((i) =>
      i.item.startsWith('Lambda compute'),
    );
    expect(compute).toMatchObject({
      item: 'Lambda compute (GetOrder, 256 MB x86_64, on provisioned concurrency)',
      perMillionRequestsUsd: expect.closeTo(0.0125 * 0.0000097222 * 1e6, 10),
    });
  });

  test('prices a stage cache cluster per hour by its size, all month', () => {
    // GIVEN the stage with a 1.6 GB cache cluster
    const cached: StackTemplate = {
      Resources: {
        ...template.Resources,
        Stage: {
          Type: 'AWS::ApiGateway::Stage',
          Properties: {
            ...template.Resources.Stage.Properties,
            CacheClusterEnabled: true,
            CacheClusterSize: '1.6',
          },
        },
      },
    };
    // WHEN
    const cost = estimateVariantCost({
      variant: 'test',
      templates: [cached],
      prices: PRICES_US_EAST_1,
      assumptions,
    });
    // THEN $0.038 an hour × 730 hours = $27.74 a month
    expect(cost.fixedItems.find((fixed) => fixed.item.startsWith('API Gateway cache'))).toEqual({
      item: 'API Gateway cache cluster (1.6 GB)',
      count: 1,
      monthlyUsd: expect.closeTo(27.74, 8),
    });
    expect(cost.fixedMonthlyUsd).toBeCloseTo(8.1 + 27.74, 8);
    // ...and a size the price table does not know is an error, not a free cache
    expect(() =>
      estimateVariantCost({
        variant: 'test',
        templates: [cached],
        prices: { ...PRICES_US_EAST_1, apiGatewayCachePerHourBySize: { '0.5': 0.02 } },
        assumptions,
      }),
    ).toThrow('The price table has no API Gateway cache price for 1.6 GB (it has 0.5)');
  });

  test('uses the event source mapping batch size when no measured batch size is given', () => {
    const cost = estimateVariantCost({
      variant: 'test',
      templates: [template],
      prices: PRICES_US_EAST_1,
      assumptions: { ...assumptions, consumerBatchSize: undefined, requestMix: { 'POST /orders': 1 } },
    });
    // receive + delete: 2 / 10 × 0.40 = 0.08
    const sqs = cost.items.find((item) => item.item === 'SQS ReceiveMessage + DeleteMessageBatch');
    expect(sqs?.perMillionRequestsUsd).toBeCloseTo(0.08, 12);
  });

  test('fails if the mix names a route the template does not have, or does not sum to 1', () => {
    const estimate = (requestMix: Record<string, number>) => () =>
      estimateVariantCost({
        variant: 'test',
        templates: [template],
        prices: PRICES_US_EAST_1,
        assumptions: { ...assumptions, requestMix },
      });
    expect(estimate({ 'DELETE /orders': 1 })).toThrow(
      'names DELETE /orders, which the template does not have (it has POST /orders, GET /orders/{orderId})',
    );
    expect(estimate({ 'POST /orders': 0.5 })).toThrow('must sum to 1 (given 0.5)');
  });

  test('fails if a function on the path has no duration', () => {
    expect(() =>
      estimateVariantCost({
        variant: 'test',
        templates: [template],
        prices: PRICES_US_EAST_1,
        assumptions: { ...assumptions, functionDurationMs: { GetOrder: 50 } },
      }),
    ).toThrow('No duration is given for function ProcessOrdersFn');
  });
});

describe('readTemplateInventory on the synthesized variants', () => {
  function templatesOf(variant: string): StackTemplate[] {
    const app = testApp();
    addVariantStacks(app, resolveAppConfig({ variant }));
    return app.synth().stacks.map((stack) => stack.template as StackTemplate);
  }

  test('sync: POST /orders runs the create-order function', () => {
    const inventory = readTemplateInventory(templatesOf('sync'));
    const post = inventory.routes.find((route) => route.route === 'POST /orders');
    expect(post?.function?.logicalId).toMatch(/^CreateOrder/);
    expect(post?.function).toMatchObject({ memoryMb: 512, architecture: 'arm64', tracing: true });
    expect(post?.queue).toBeUndefined();
    expect(inventory.routes.map((route) => route.route).sort()).toEqual([
      'GET /health',
      'GET /orders/{orderId}',
      'POST /orders',
    ]);
  });

  test('async: POST /orders goes to the queue, whose consumer is process-orders', () => {
    const inventory = readTemplateInventory(templatesOf('async'));
    const post = inventory.routes.find((route) => route.route === 'POST /orders');
    expect(post?.function).toBeUndefined();
    expect(post?.queue?.consumer?.function.logicalId).toMatch(/^ProcessOrders/);
    // The stack leaves OrderQueue's batch size at its default of 10.
    expect(post?.queue?.consumer?.batchSize).toBe(10);
  });

  test('async: every alarm bills at least one standard-resolution metric; one composite alarm, one dashboard, no health check', () => {
    const templates = templatesOf('async');
    const inventory = readTemplateInventory(templates);
    const alarms = templates.flatMap((template) =>
      Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm'),
    );
    expect(alarms).not.toEqual([]);
    expect(inventory.monthly.alarmMetrics).toBeGreaterThanOrEqual(alarms.length);
    // The monitoring's 5-minute period and the load shedder's 1-minute one: nothing below a minute.
    expect(inventory.monthly).toMatchObject({
      highResolutionAlarmMetrics: 0,
      // ResilienceMonitoring's region-unhealthy alarm and its dashboard; Route 53 is the multi variant's.
      compositeAlarms: 1,
      dashboards: 1,
      healthChecks: 0,
    });
  });
});
