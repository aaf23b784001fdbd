import { Duration, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SynthesisMessageLevel } from 'aws-cdk-lib/cx-api';
import {
  DEFAULT_CAPACITY,
  resolveAppConfig,
  type AppConfigInputs,
  type CapacityConfig,
} from '../../../lib/config';
import { OrderApiStack, addVariantStacks } from '../../../lib/stacks';
import { parseFilterPattern } from '../../../local-cloud/metrics/filter-pattern';
import { projectFunctions, testApp } from '../../harness/app';
import { TEST_ACCOUNT } from '../../harness/local-aws';

/** Reserved concurrency and environment of each function, by the start of its description. */
function functionsOf(
  template: Template,
): Record<string, { reserved?: number; env: Record<string, unknown> }> {
  return Object.fromEntries(
    Object.values(projectFunctions(template)).map((fn) => [
      (fn.Properties.Description as string).split(':')[0],
      { reserved: fn.Properties.ReservedConcurrentExecutions, env: fn.Properties.Environment.Variables },
    ]),
  );
}

function synthVariant(variant: string, regions?: string) {
  const app = testApp();
  const stacks = addVariantStacks(app, resolveAppConfig({ variant, regions, account: TEST_ACCOUNT }));
  return { app, stacks, templates: stacks.map((stack) => Template.fromStack(stack)) };
}

/** Logical ids of stateful resources are a contract: changing one replaces the resource and loses its data. */
const STATEFUL_LOGICAL_IDS = {
  ordersTable: 'OrdersTable1F8332C7',
  idempotencyTable: 'IdempotencyTable48612DF4',
  queue: 'OrderQueue598C9801',
  deadLetterQueue: 'OrderQueueDeadLetterQueueB70A0DEF',
};

describe('sync variant', () => {
  const { stacks, templates } = synthVariant('sync');
  const [template] = templates;

  test('is one stack named ResilientApi-sync', () => {
    expect(stacks.map((s) => s.stackName)).toEqual(['ResilientApi-sync']);
  });

  test('POST /orders invokes the create-order function through a Lambda proxy integration', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ApiKeyRequired: true,
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    template.resourceCountIs('AWS::SQS::Queue', 0);
    expect(Object.keys(projectFunctions(template))).toHaveLength(3);
  });

  test('GET /health needs no API key (Route 53 health checkers cannot send one)', () => {
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET' } });
    const keyRequired = Object.values(methods).map((m) => m.Properties.ApiKeyRequired);
    expect(keyRequired.sort()).toEqual([false, true]);
  });

  test('outputs ApiUrl, HealthUrl, OrdersTableName and ApiKeyId', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'ApiKeyId',
      'ApiUrl',
      'HealthUrl',
      'OrdersTableName',
    ]);
  });

  test('gives each path its own reserved concurrency from the capacity config (bulkheads)', () => {
    const functions = functionsOf(template);
    expect(functions['POST /orders'].reserved).toBe(DEFAULT_CAPACITY.createOrderReservedConcurrency);
    expect(functions['GET /orders/{orderId}'].reserved).toBe(DEFAULT_CAPACITY.getOrderReservedConcurrency);
    expect(functions['GET /health'].reserved).toBe(DEFAULT_CAPACITY.healthReservedConcurrency);
  });

  test('hands the resilience knobs to the handlers that read them', () => {
    const functions = functionsOf(template);
    expect(functions['POST /orders'].env).toMatchObject({
      CIRCUIT_BREAKER_ERROR_THRESHOLD_PERCENT: '50',
      CIRCUIT_BREAKER_VOLUME_THRESHOLD: '5',
      CIRCUIT_BREAKER_RESET_TIMEOUT_MS: '5000',
      CIRCUIT_BREAKER_ROLLING_WINDOW_MS: '10000',
    });
    expect(functions['POST /orders'].env.STALE_CACHE_MAX_ENTRIES).toBeUndefined();
    expect(functions['GET /orders/{orderId}'].env).toMatchObject({
      CIRCUIT_BREAKER_ERROR_THRESHOLD_PERCENT: '50',
      STALE_CACHE_MAX_ENTRIES: '1000',
      STALE_CACHE_MAX_AGE_SECONDS: '300',
    });
    expect(functions['GET /health'].env).toMatchObject({ HEALTH_DEGRADED_LATENCY_MS: '500' });
  });

  test('keeps the logical ids of its tables', () => {
    template.templateMatches({
      Resources: {
        [STATEFUL_LOGICAL_IDS.ordersTable]: { Type: 'AWS::DynamoDB::GlobalTable', DeletionPolicy: 'Retain' },
        [STATEFUL_LOGICAL_IDS.idempotencyTable]: { Type: 'AWS::DynamoDB::GlobalTable' },
      },
    });
  });
});

describe('async variant', () => {
  const { stacks, templates } = synthVariant('async');
  const [template] = templates;

  test('is one stack named ResilientApi-async', () => {
    expect(stacks.map((s) => s.stackName)).toEqual(['ResilientApi-async']);
  });

  test('POST /orders writes straight to SQS; the consumer is mapped to the queue', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({ Type: 'AWS' }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // The consumer's 30 s timeout sets the visibility timeout.
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180 });
  });

  test('the health check knows the queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^GET /health'),
      Environment: { Variables: Match.objectLike({ ORDERS_QUEUE_URL: Match.anyValue() }) },
    });
  });

  test('outputs the queue and dead-letter queue URLs too', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'ApiKeyId',
      'ApiUrl',
      'DlqUrl',
      'HealthUrl',
      'OrdersTableName',
      'QueueUrl',
    ]);
  });

  test('reserves at least the event source maximum concurrency for the consumer', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: DEFAULT_CAPACITY.consumerMaxConcurrency },
    });
    const consumer =
      functionsOf(template)['Writes queued orders in batches, idempotently, reporting partial failures'];
    expect(consumer.reserved).toBe(DEFAULT_CAPACITY.consumerReservedConcurrency);
    expect(consumer.reserved).toBeGreaterThanOrEqual(DEFAULT_CAPACITY.consumerMaxConcurrency);
  });

  test('keeps the logical ids of its tables and queues', () => {
    template.templateMatches({
      Resources: {
        [STATEFUL_LOGICAL_IDS.ordersTable]: { Type: 'AWS::DynamoDB::GlobalTable' },
        [STATEFUL_LOGICAL_IDS.idempotencyTable]: { Type: 'AWS::DynamoDB::GlobalTable' },
        [STATEFUL_LOGICAL_IDS.queue]: { Type: 'AWS::SQS::Queue' },
        [STATEFUL_LOGICAL_IDS.deadLetterQueue]: { Type: 'AWS::SQS::Queue' },
      },
    });
  });
});

describe('multi variant', () => {
  const { app, stacks, templates } = synthVariant('multi', 'us-east-1,us-west-2,eu-west-1');

  test('is one async stack per region; the first owns the global table with replicas in the others', () => {
    expect(stacks.map((s) => [s.stackName, s.region])).toEqual([
      ['ResilientApi-multi-us-east-1', 'us-east-1'],
      ['ResilientApi-multi-us-west-2', 'us-west-2'],
      ['ResilientApi-multi-eu-west-1', 'eu-west-1'],
    ]);
    templates[0].hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'ResilientApi-multi-orders',
      Replicas: Match.arrayWith([
        Match.objectLike({ Region: 'us-west-2' }),
        Match.objectLike({ Region: 'eu-west-1' }),
        Match.objectLike({ Region: 'us-east-1' }),
      ]),
    });
  });

  test('the other regions use their replica and create no orders table of their own', () => {
    for (const template of templates.slice(1)) {
      template.hasOutput('OrdersTableName', { Value: 'ResilientApi-multi-orders' });
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1); // the idempotency table only
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        Integration: Match.objectLike({ Type: 'AWS' }),
      });
    }
    expect(stacks[1].dependencies).toContain(stacks[0]);
  });

  test('without a hosted zone, says so in a synth-time info annotation', () => {
    const assembly = app.synth();
    const messages = assembly.getStackByName('ResilientApi-multi-us-east-1').messages;
    expect(messages.map((m) => m.entry.data)).toContainEqual(
      expect.stringContaining('No hosted zone configured'),
    );
  });

  test('without a hosted zone, has no certificate, custom domain, health check, record or GlobalUrl', () => {
    for (const template of templates) {
      for (const type of [
        'AWS::CertificateManager::Certificate',
        'AWS::ApiGateway::DomainName',
        'AWS::Route53::HealthCheck',
        'AWS::Route53::RecordSet',
      ]) {
        template.resourceCountIs(type, 0);
      }
      expect(template.findOutputs('GlobalUrl')).toEqual({});
      template.hasOutput('ApiUrl', {});
    }
  });
});

describe('multi variant with a hosted zone', () => {
  /** The inputs the local cloud synthesizes with (plain strings, as from context). */
  const zone = {
    hostedZoneId: 'Z0LOCAL',
    zoneName: 'resilient-api.test',
    domainName: 'api.resilient-api.test',
  };

  function synthMulti(inputs: Partial<AppConfigInputs> = {}) {
    const app = testApp();
    const stacks = addVariantStacks(app, resolveAppConfig({ variant: 'multi', ...zone, ...inputs }));
    return { app, stacks, templates: stacks.map((stack) => Template.fromStack(stack)) };
  }

  /** The one record of a region's template and the calculated check it points to, with its children. */
  function routingOf(template: Template) {
    const records = Object.values(template.findResources('AWS::Route53::RecordSet'));
    expect(records).toHaveLength(1);
    const record = records[0].Properties;
    const checks = template.findResources('AWS::Route53::HealthCheck');
    const calculated = checks[record.HealthCheckId.Ref].Properties.HealthCheckConfig;
    const children = (calculated.ChildHealthChecks as Array<{ Ref: string }>).map(
      (child) => checks[child.Ref].Properties.HealthCheckConfig,
    );
    return { record, calculated, children, checkCount: Object.keys(checks).length };
  }

  describe('latency routing (default)', () => {
    const { app, stacks, templates } = synthMulti({ regions: 'us-east-1,us-west-2,eu-west-1' });

    test('each region has one latency record of the global name, named after its region', () => {
      templates.forEach((template, index) => {
        const { record } = routingOf(template);
        expect(record).toMatchObject({
          Name: 'api.resilient-api.test.',
          Type: 'A',
          HostedZoneId: 'Z0LOCAL',
          SetIdentifier: stacks[index].region,
          Region: stacks[index].region,
        });
        expect(record.Failover).toBeUndefined();
        // The alias points at this region's own custom domain.
        const [domainId] = Object.keys(template.findResources('AWS::ApiGateway::DomainName'));
        expect(record.AliasTarget.DNSName).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
      });
    });

    test('the record is guarded by a calculated check needing all of: deep /health over HTTPS and every region alarm', () => {
      templates.forEach((template, index) => {
        const { calculated, children, checkCount } = routingOf(template);
        expect(calculated.Type).toBe('CALCULATED');
        expect(calculated.HealthThreshold).toBe(children.length);
        expect(checkCount).toBe(children.length + 1);
        const https = children.filter((child) => child.Type === 'HTTPS');
        expect(https).toEqual([
          expect.objectContaining({
            ResourcePath: '/prod/health',
            RequestInterval: 10,
            FailureThreshold: 3,
            FullyQualifiedDomainName: expect.anything(),
          }),
        ]);
        const alarmChecks = children.filter((child) => child.Type === 'CLOUDWATCH_METRIC');
        // The 5XX rate, the dead-letter queue and every function's errors feed region health.
        expect(alarmChecks.length).toBeGreaterThanOrEqual(3);
        expect(https.length + alarmChecks.length).toBe(children.length);
        // One check per region health alarm of the stack's monitoring, in its order, each on an alarm of the template
        const stack = stacks[index] as OrderApiStack;
        const healthAlarmIds = stack.monitoring.regionHealthAlarms.map((alarm) =>
          stack.getLogicalId(alarm.node.defaultChild as CfnElement),
        );
        expect(alarmChecks.map((check) => check.AlarmIdentifier.Name.Ref)).toEqual(healthAlarmIds);
        const alarms = template.findResources('AWS::CloudWatch::Alarm');
        expect(healthAlarmIds.filter((id) => alarms[id] === undefined)).toEqual([]);
      });
    });

    test('each region has a DNS-validated certificate and a regional custom domain of the global name', () => {
      for (const template of templates) {
        template.resourceCountIs('AWS::CertificateManager::Certificate', 1);
        template.hasResourceProperties('AWS::CertificateManager::Certificate', {
          DomainName: 'api.resilient-api.test',
          ValidationMethod: 'DNS',
        });
        template.hasResourceProperties('AWS::ApiGateway::DomainName', {
          DomainName: 'api.resilient-api.test',
          EndpointConfiguration: { Types: ['REGIONAL'] },
        });
      }
    });

    test('every region outputs GlobalUrl next to its own ApiUrl, and no longer says a zone is missing', () => {
      for (const template of templates) {
        template.hasOutput('GlobalUrl', { Value: 'https://api.resilient-api.test/' });
        template.hasOutput('ApiUrl', {});
      }
      const messages = app.synth().getStackByName('ResilientApi-multi-us-east-1').messages;
      expect(messages.map((m) => m.entry.data)).not.toContainEqual(
        expect.stringContaining('No hosted zone configured'),
      );
    });

    test('the replicas and the global table stay as they are without a zone', () => {
      const [firstRegion] = templates;
      firstRegion.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: 'ResilientApi-multi-orders',
        Replicas: Match.arrayWith([
          Match.objectLike({ Region: 'us-west-2' }),
          Match.objectLike({ Region: 'eu-west-1' }),
        ]),
      });
    });
  });

  test('failover routing: the first region is PRIMARY, the second SECONDARY, both health-checked', () => {
    const { templates } = synthMulti({ routing: 'failover' });
    expect(templates.map((template) => routingOf(template).record)).toEqual([
      expect.objectContaining({
        SetIdentifier: 'us-east-1',
        Failover: 'PRIMARY',
        HealthCheckId: expect.anything(),
      }),
      expect.objectContaining({
        SetIdentifier: 'us-west-2',
        Failover: 'SECONDARY',
        HealthCheckId: expect.anything(),
      }),
    ]);
    for (const template of templates) expect(routingOf(template).record.Region).toBeUndefined();
  });

  test('health check interval and threshold come from the config', () => {
    const { templates } = synthMulti({ healthCheckIntervalSeconds: '30', healthCheckFailureThreshold: '5' });
    for (const template of templates) {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', RequestInterval: 30, FailureThreshold: 5 }),
      });
    }
  });

  test('with a key secret, every region takes the same key values from it', () => {
    const { templates } = synthMulti({ apiKeyValuesSecretName: 'resilient-api/api-keys' });
    const values = templates.map((template) =>
      Object.values(template.findResources('AWS::ApiGateway::ApiKey')).map((key) => key.Properties.Value),
    );
    expect(values).toEqual([
      ['{{resolve:secretsmanager:resilient-api/api-keys:SecretString:standard::}}'],
      ['{{resolve:secretsmanager:resilient-api/api-keys:SecretString:standard::}}'],
    ]);
  });
});

describe('throttle above capacity', () => {
  function warningsOf(capacity: CapacityConfig, orderPath: 'sync' | 'async' = 'sync'): string[] {
    const app = testApp();
    new OrderApiStack(app, 'Orders', {
      env: { account: TEST_ACCOUNT, region: 'us-east-1' },
      orderPath,
      capacity,
    });
    return app
      .synth()
      .getStackByName('Orders')
      .messages.filter((m) => m.level === SynthesisMessageLevel.WARNING)
      .map((m) => m.entry.data as string);
  }

  test('no warning with the default capacity: the stage throttles before any function', () => {
    expect(warningsOf(DEFAULT_CAPACITY)).toEqual([]);
  });

  test('warns when the stage rate is above what a function path can serve', () => {
    // GIVEN get-order serves 15 ÷ 0.1 s = 150 requests/s and the stage allows 200
    const warnings = warningsOf({ ...DEFAULT_CAPACITY, apiRateLimit: 200, apiBurstLimit: 400 });
    // THEN one warning names every path the stage outruns, and how to acknowledge it
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('get-order (GET /orders/{orderId}) serves at most 150 requests/s');
    expect(warnings[0]).toContain('create-order (POST /orders) serves at most 125 requests/s');
    expect(warnings[0]).toContain('[ack: cdk-resilient-api:throttleAboveCapacity]');
  });

  test('a path opted out of reservation is not checked', () => {
    expect(
      warningsOf({
        ...DEFAULT_CAPACITY,
        createOrderReservedConcurrency: undefined,
        createOrderExpectedP99Latency: Duration.seconds(10),
      }),
    ).toEqual([]);
  });

  test('the async variant does not check create-order, which it does not have', () => {
    expect(warningsOf({ ...DEFAULT_CAPACITY, createOrderReservedConcurrency: 1 }, 'async')).toEqual([]);
  });
});

describe('API names (CloudWatch keys API Gateway metrics by ApiName and Stage)', () => {
  test('every stack of every variant names its REST API after itself, and its alarms read that API', () => {
    // GIVEN all three variants, as they could be deployed in one account and region
    const stacks = ['sync', 'async', 'multi'].flatMap((variant) => synthVariant(variant).stacks);

    // THEN each stack's REST API has the stack's name
    const apiNames = stacks.map((stack) => {
      const apis = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::RestApi'));
      expect(apis).toHaveLength(1);
      return apis[0].Properties.Name as string;
    });
    expect(apiNames).toEqual(stacks.map((stack) => stack.stackName));
    expect(new Set(apiNames).size).toBe(apiNames.length);

    // AND every alarm on an API Gateway metric reads its own stack's API
    for (const stack of stacks) {
      const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
      const apiDimensions = alarms.flatMap((alarm) => {
        const metrics = [
          alarm.Properties,
          ...((alarm.Properties.Metrics ?? []) as Array<{ MetricStat?: { Metric: unknown } }>).map(
            (m) => m.MetricStat?.Metric,
          ),
        ];
        return metrics.flatMap((metric) =>
          (
            (metric as { Dimensions?: Array<{ Name: string; Value: unknown }> } | undefined)?.Dimensions ?? []
          ).filter((dimension) => dimension.Name === 'ApiName'),
        );
      });
      expect(apiDimensions.length).toBeGreaterThan(0);
      expect(apiDimensions.filter((dimension) => dimension.Value !== stack.stackName)).toEqual([]);
    }
  });
});

describe('the 429 metric reads the access log', () => {
  test.each(['sync', 'async'])(
    "%s: the metric filter matches the access log format's status field, on the same log group",
    (variant) => {
      // GIVEN the variant's stage and its throttled-requests metric filter
      const template = synthVariant(variant).templates[0];
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
      const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
        (filter) =>
          (filter.Properties.MetricTransformations as Array<{ MetricName: string }>)[0].MetricName ===
          'ThrottledRequests',
      );

      // THEN the access log writes the status as a JSON string under "status"…
      const format = JSON.parse(stage.Properties.AccessLogSetting.Format as string) as Record<string, string>;
      expect(format.status).toBe('$context.status');
      // …and the filter counts the lines whose status is the string "429", in that log group
      expect(filters).toHaveLength(1);
      expect(filters[0].Properties.FilterPattern).toBe('{ $.status = "429" }');
      const logGroup = filters[0].Properties.LogGroupName as { Ref: string };
      expect(JSON.stringify(stage.Properties.AccessLogSetting.DestinationArn)).toContain(
        JSON.stringify(logGroup),
      );
    },
  );
});

describe('region health leaves out the load shedder', () => {
  test("async: the shedder switch's errors alarm exists but is not an input of region health", () => {
    // GIVEN the async stack: its region health alarms feed the composite and Route 53's alarm checks
    const stack = synthVariant('async').stacks[0] as OrderApiStack;
    const switchFunction = stack.loadShedder?.switchFunction.function;
    expect(switchFunction).toBeDefined();
    const template = Template.fromStack(stack);
    const readsSwitch = (alarm: Record<string, unknown>) =>
      JSON.stringify(alarm.Properties).includes(stack.resolve(switchFunction?.functionName).Ref as string);

    // THEN the switch has an errors alarm of its own…
    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
    const switchAlarms = alarms.filter(([, alarm]) => readsSwitch(alarm));
    const readsErrors = (alarm: Record<string, unknown>) =>
      JSON.stringify(alarm.Properties).includes('"MetricName":"Errors"');
    expect(switchAlarms.filter(([, alarm]) => readsErrors(alarm))).toHaveLength(1);
    // …which neither the composite nor the region health list names
    const composite = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')),
    );
    for (const [logicalId] of switchAlarms) expect(composite).not.toContain(logicalId);
    const healthIds = stack.monitoring.regionHealthAlarms.map((alarm) =>
      stack.getLogicalId(alarm.node.defaultChild as never),
    );
    expect(healthIds.filter((id) => switchAlarms.some(([logicalId]) => logicalId === id))).toEqual([]);
    // The region health inputs: the 5XX rate, the dead-letter queue and every other function's errors
    const functionCount = Object.keys(projectFunctions(template)).length;
    expect(healthIds).toHaveLength(2 + functionCount - 1);
  });
});

describe('load shedding across stack updates', () => {
  test('async: the stage template does not set the shedding variable, so an update leaves the switch value alone', () => {
    const template = synthVariant('async').templates[0];
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(1);
    expect(stages[0].Properties.Variables?.shedding).toBeUndefined();
  });
});

describe('region health leaves out load shedding', () => {
  /** Whether a CloudWatch Logs filter pattern matches an access log line (the local cloud's evaluator). */
  function matches(pattern: string, line: Record<string, string>): boolean {
    return parseFilterPattern(pattern).matches(JSON.stringify(line));
  }

  test.each(['sync', 'async'])(
    "%s: the server error share counts 5XX answers but not a shed order (503 over the queue's 400), and every line once",
    (variant) => {
      // GIVEN the two filters that publish 1 and 0 into the share metric
      const template = synthVariant(variant).templates[0];
      const share = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
        (filter) =>
          (filter.Properties.MetricTransformations as Array<{ MetricName: string }>)[0].MetricName ===
          'ServerErrorShare',
      );
      const byValue = Object.fromEntries(
        share.map((filter) => [
          (filter.Properties.MetricTransformations as Array<{ MetricValue: string }>)[0].MetricValue,
          filter.Properties.FilterPattern as string,
        ]),
      );
      expect(Object.keys(byValue).sort()).toEqual(['0', '1']);

      // THEN each kind of access log line is counted by exactly one filter, with the right value
      const lines: Array<[Record<string, string>, '0' | '1']> = [
        [{ status: '201', integrationStatus: '201' }, '0'],
        [{ status: '202', integrationStatus: '200' }, '0'],
        [{ status: '429', integrationStatus: '-' }, '0'],
        [{ status: '400', integrationStatus: '400' }, '0'],
        [{ status: '503', integrationStatus: '400' }, '0'], // shed
        [{ status: '503', integrationStatus: '500' }, '1'], // the queue failing
        [{ status: '503', integrationStatus: '-' }, '1'],
        [{ status: '500', integrationStatus: '400' }, '1'], // a KMS fault
        [{ status: '502', integrationStatus: '200' }, '1'],
        [{ status: '504', integrationStatus: '-' }, '1'],
      ];
      for (const [line, value] of lines) {
        const counted = Object.entries(byValue).filter(([, pattern]) => matches(pattern, line));
        expect({ line, counted: counted.map(([v]) => v) }).toEqual({ line, counted: [value] });
      }
    },
  );

  test('the server error alarm is a region health input on one metric (Route 53 takes no metric math), and 5XXError is not', () => {
    // GIVEN the async stack
    const stack = synthVariant('async').stacks[0] as OrderApiStack;
    const template = Template.fromStack(stack);
    const healthIds = new Set(
      stack.monitoring.regionHealthAlarms.map((alarm) =>
        stack.getLogicalId(alarm.node.defaultChild as never),
      ),
    );
    const alarms = template.findResources('AWS::CloudWatch::Alarm');

    // THEN the share alarm is in region health, on the ServerErrorShare metric's Average
    const shareAlarms = Object.entries(alarms).filter(
      ([, alarm]) => alarm.Properties.MetricName === 'ServerErrorShare',
    );
    expect(shareAlarms).toHaveLength(1);
    expect(shareAlarms[0][1].Properties).toMatchObject({ Statistic: 'Average', Threshold: 0.01 });
    expect(healthIds.has(shareAlarms[0][0])).toBe(true);
    // AND no region health alarm reads API Gateway's 5XXError, which counts shed orders
    const on5xx = Object.entries(alarms).filter(([, alarm]) => alarm.Properties.MetricName === '5XXError');
    expect(on5xx.filter(([id]) => healthIds.has(id))).toEqual([]);
  });
});

describe('every invoker calls the live alias', () => {
  /** The logical id a value refers to with Ref or Fn::GetAtt, anywhere inside it. */
  function referencedIds(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(referencedIds);
    if (value === null || typeof value !== 'object') return [];
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return [record.Ref];
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
    return Object.values(record).flatMap(referencedIds);
  }

  test.each(['sync', 'async'])(
    '%s: integrations, event sources, rule targets and permissions name an alias',
    (variant) => {
      // GIVEN the variant's template
      const [template] = synthVariant(variant).templates;
      const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;
      const typeOf = (id: string) => resources[id]?.Type;
      const invoked: string[] = [];
      // WHEN we collect what each invoker names
      for (const resource of Object.values(resources)) {
        const properties = resource.Properties ?? {};
        if (resource.Type === 'AWS::ApiGateway::Method' && properties.Integration?.Type === 'AWS_PROXY') {
          invoked.push(
            ...referencedIds(properties.Integration.Uri).filter((id) =>
              typeOf(id)?.startsWith('AWS::Lambda::'),
            ),
          );
        }
        if (resource.Type === 'AWS::Lambda::EventSourceMapping')
          invoked.push(...referencedIds(properties.FunctionName));
        if (resource.Type === 'AWS::Lambda::Permission')
          invoked.push(...referencedIds(properties.FunctionName));
        if (resource.Type === 'AWS::Events::Rule') {
          for (const target of properties.Targets ?? []) invoked.push(...referencedIds(target.Arn));
        }
      }
      // THEN each one is an alias named live, and every order handler is reached through one
      expect(invoked.length).toBeGreaterThanOrEqual(variant === 'sync' ? 6 : 7);
      for (const id of invoked) {
        expect({ id, type: typeOf(id), name: resources[id].Properties.Name }).toEqual({
          id,
          type: 'AWS::Lambda::Alias',
          name: 'live',
        });
      }
      const aliasedFunctions = new Set(invoked.map((id) => resources[id].Properties.FunctionName.Ref));
      const handlers = Object.entries(projectFunctions(template))
        .filter(
          ([, fn]) =>
            /^(POST|GET) /.test(fn.Properties.Description) || /queued orders/.test(fn.Properties.Description),
        )
        .map(([id]) => id);
      expect(handlers.length).toBe(3);
      for (const handler of handlers) expect(aliasedFunctions).toContain(handler);
    },
  );
});
