import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { apiGatewayLocalValues } from '../../local-cloud/apigateway';
import { readCloudAssembly } from '../../local-cloud/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../local-cloud/assembly/intrinsic-resolver';
import { startLocalCloud, type LocalCloud } from '../../local-cloud/local-cloud';
import { localEndpoints, TEST_ACCOUNT } from '../harness/local-aws';
import { LOCAL_CREDENTIALS } from '../../local-cloud/region-runtime';
import { readRoute53Model, type HealthCheckDefinition } from '../../local-cloud/route53/route53-model';
import { LOCAL_MULTI_REGION_INPUTS } from '../../local-cloud/synthesize';
import { resolveAppConfig } from '../../lib/config';
import { addVariantStacks } from '../../lib/stacks';
import { eventually, collectingLogSink, synthesizeAssembly, type TestAssembly } from './synthesized-assembly';

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';
const EAST = `ResilientApi-multi-${PRIMARY}`;
const WEST = `ResilientApi-multi-${SECONDARY}`;
const ORDERS_TABLE = 'ResilientApi-multi-orders';

/** The local health check interval (the template's is 10 s); the template's failure threshold (3) applies. */
const HEALTH_CHECK_INTERVAL_MILLIS = 500;

describe('multi variant in the local cloud: replication, Route 53 stand-in, failover drill', () => {
  let assembly: TestAssembly;
  let cloud: LocalCloud;
  const cloudLog: string[] = [];
  const clients = new Map<string, DynamoDBClient>();

  beforeAll(async () => {
    assembly = synthesizeAssembly({
      bundle: true,
      addStacks: (app) =>
        addVariantStacks(
          app,
          resolveAppConfig({ variant: 'multi', account: TEST_ACCOUNT, ...LOCAL_MULTI_REGION_INPUTS }),
        ),
    });
    cloud = await startLocalCloud({
      assemblyDir: assembly.directory,
      emulators: { dynamodbEndpoint: localEndpoints().dynamoDb, sqsEndpoint: localEndpoints().sqs },
      // None: the multi stacks' names leave no room for one in a 64-character function name. No
      // other test file runs these stacks, so their queues and functions cannot clash.
      namePrefix: '',
      functionLogSink: collectingLogSink().sink,
      healthCheckIntervalMillis: HEALTH_CHECK_INTERVAL_MILLIS,
      replicationPollIntervalMillis: 100,
      log: (line) => cloudLog.push(line),
    });
    for (const region of [PRIMARY, SECONDARY]) {
      clients.set(
        region,
        new DynamoDBClient({ endpoint: cloud.dynamodbEndpoint, region, credentials: LOCAL_CREDENTIALS }),
      );
    }
  }, 180_000);

  afterAll(async () => {
    for (const client of clients.values()) client.destroy();
    await cloud?.stop();
    assembly?.remove();
  });

  afterEach(() => cloud?.faults.clear());

  const client = (region: string) => clients.get(region) as DynamoDBClient;

  /** The orders in a region's replica, by id (only the attributes the API writes). */
  async function ordersIn(region: string): Promise<Map<string, string>> {
    const orders = new Map<string, string>();
    let exclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await client(region).send(
        new ScanCommand({
          TableName: ORDERS_TABLE,
          ConsistentRead: true,
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        orders.set(String(item.orderId.S), JSON.stringify([item.customerId?.S, item.createdAt?.S]));
      }
      exclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (exclusiveStartKey);
    return orders;
  }

  function postOrder(baseUrl: string, orderId: string, customerId = 'c-drill'): Promise<Response> {
    return fetch(`${baseUrl}orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': cloud.outputs[EAST].ApiKeyValue,
        'Idempotency-Key': orderId,
      },
      body: JSON.stringify({ customerId, items: [{ sku: 'SKU-1', quantity: 1 }] }),
      signal: AbortSignal.timeout(10_000),
    });
  }

  function getOrder(baseUrl: string, orderId: string): Promise<Response> {
    return fetch(`${baseUrl}orders/${orderId}`, {
      headers: { 'x-api-key': cloud.outputs[EAST].ApiKeyValue },
      signal: AbortSignal.timeout(10_000),
    });
  }

  /**
   * Reads each order back through the API of the region that did not acknowledge it, as its client
   * does after a failover; returns the orders that did not answer 200, with their status.
   */
  async function unreadableThroughOtherRegion(
    orders: ReadonlyArray<{ readonly orderId: string; readonly region?: string }>,
  ): Promise<string[]> {
    const unreadable: string[] = [];
    const pending = [...orders];
    const reader = async (): Promise<void> => {
      for (let order = pending.shift(); order; order = pending.shift()) {
        const other = order.region === PRIMARY ? WEST : EAST;
        const response = await getOrder(cloud.outputs[other].ApiUrl, order.orderId);
        await response.arrayBuffer();
        if (response.status !== 200) unreadable.push(`${order.orderId} via ${other}: ${response.status}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    return unreadable;
  }

  test('reads the synthesized templates: one latency record per region over a deep HTTPS check and alarm checks', () => {
    // GIVEN the multi variant's templates with the local stacks' API ids
    const sources = readCloudAssembly(assembly.directory).stacks.map((stack) => {
      const region = stack.region as string;
      const resolver = new IntrinsicResolver({
        stackName: stack.stackName,
        template: stack.template,
        region,
        accountId: TEST_ACCOUNT,
      });
      const deployment = { stackName: stack.stackName, region, accountId: TEST_ACCOUNT };
      for (const [logicalId, values] of apiGatewayLocalValues(stack.template, deployment)) {
        resolver.register(logicalId, values);
      }
      return { stack, region, resolver };
    });

    // WHEN
    const model = readRoute53Model(sources);

    // THEN each region's record is guarded by a calculated check that needs every child healthy
    expect(model.names).toEqual(['api.resilient-api.test']);
    expect(model.records.map((record) => record.routing)).toEqual([
      { policy: 'latency', region: PRIMARY },
      { policy: 'latency', region: SECONDARY },
    ]);
    for (const record of model.records) {
      const regionCheck = model.healthChecks.get(record.healthCheck as string) as HealthCheckDefinition;
      const children = (regionCheck.kind === 'calculated' ? regionCheck.children : []).map(
        (key) => model.healthChecks.get(key) as HealthCheckDefinition,
      );
      expect(regionCheck).toMatchObject({ kind: 'calculated', healthThreshold: children.length });
      expect(children.filter((child) => child.kind === 'endpoint')).toEqual([
        expect.objectContaining({
          fullyQualifiedDomainName: expect.stringMatching(
            new RegExp(`^[a-z0-9]+\\.execute-api\\.${record.region}\\.amazonaws\\.com$`),
          ) as string,
          resourcePath: '/prod/health',
          requestIntervalSeconds: 10,
          failureThreshold: 3,
        }),
      ]);
      // …and one alarm check per CLOUDWATCH_METRIC check of the template, naming the alarm it refers to
      const { template } = sources.find((source) => source.stack.stackName === record.stackName)!.stack;
      const alarmRefs = Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::Route53::HealthCheck')
        .map(
          (resource) =>
            resource.Properties?.HealthCheckConfig as {
              Type: string;
              AlarmIdentifier?: { Name: { Ref: string } };
            },
        )
        .filter((config) => config.Type === 'CLOUDWATCH_METRIC')
        .map((config) => config.AlarmIdentifier?.Name.Ref as string);
      expect(alarmRefs).not.toEqual([]);
      const alarmChecks = children.filter((child) => child.kind === 'alarm');
      expect(alarmChecks).toEqual(
        alarmRefs.map((logicalId) =>
          expect.objectContaining({
            stackName: record.stackName,
            alarm: {
              stackName: record.stackName,
              logicalId,
              alarmName: template.Resources[logicalId].Properties?.AlarmName,
              region: record.region,
            },
          }),
        ),
      );
    }
  });

  test('runs each region with its own replica of the global table and one global URL with the same API key', async () => {
    // THEN the replica exists with a stream in both regions (the us-west-2 stack only imports it by name)
    for (const region of [PRIMARY, SECONDARY]) {
      const { Table } = await client(region).send(new DescribeTableCommand({ TableName: ORDERS_TABLE }));
      expect(Table?.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      });
    }
    // AND both stacks' GlobalUrl is the front door, and a key works in every region
    expect(cloud.globalEndpoints).toEqual([
      { name: 'api.resilient-api.test', url: cloud.outputs[EAST].GlobalUrl },
    ]);
    expect(cloud.outputs[WEST].GlobalUrl).toBe(cloud.outputs[EAST].GlobalUrl);
    expect(cloud.outputs[WEST].ApiKeyValue).toBe(cloud.outputs[EAST].ApiKeyValue);
    expect(cloud.multiRegion.route53Status()?.names[0].answerRegion).toBe(PRIMARY);
  });

  test("a client reads its order through the other region: the owner is the key's value, not its regional id", async () => {
    // GIVEN one API key value, with a different key id in each region
    const orderId = randomUUID();

    // WHEN the client's order is accepted by us-east-1 and replicated
    expect((await postOrder(cloud.outputs[EAST].ApiUrl, orderId)).status).toBe(202);
    await eventually(
      async () => ((await ordersIn(SECONDARY)).has(orderId) ? true : undefined),
      15_000,
      'the order in us-west-2',
    );

    // THEN the same client reads it through us-west-2, with the body it reads through us-east-1
    const [east, west] = await Promise.all([
      getOrder(cloud.outputs[EAST].ApiUrl, orderId),
      getOrder(cloud.outputs[WEST].ApiUrl, orderId),
    ]);
    expect([east.status, west.status]).toEqual([200, 200]);
    const eastOrder: unknown = await east.json();
    expect(eastOrder).toMatchObject({ orderId, customerId: 'c-drill' });
    expect(await west.json()).toEqual(eastOrder);
  });

  test('drill: the primary region goes down under steady traffic; the global URL fails over within interval × threshold + 1 s, no acknowledged order is lost or unreadable, traffic and data return', async () => {
    const boundMillis = HEALTH_CHECK_INTERVAL_MILLIS * 3 + 1_000;
    const globalUrl = cloud.globalEndpoints[0].url;
    const ratePerSecond = 20;
    const faultAfterMillis = 3_000;
    const outageMillis = 6_000;
    const trafficMillis = 14_000;
    interface Sent {
      readonly orderId: string;
      readonly sentAt: number;
      status?: number;
      region?: string;
      /** When the request failed (its connection dropped or refused). */
      failedAt?: number;
    }
    const sent: Sent[] = [];
    const inFlight: Array<Promise<void>> = [];

    // GIVEN a steady stream of orders through the global URL
    const startedAt = Date.now();
    let downAt = 0;
    let upAt = 0;
    const faults = (async () => {
      await sleep(faultAfterMillis);
      downAt = Date.now();
      // WHEN the primary region's API stops answering, and later answers again
      await cloud.faults.setRegionDown(PRIMARY, true);
      await sleep(outageMillis);
      upAt = Date.now();
      await cloud.faults.setRegionDown(PRIMARY, false);
    })();
    while (Date.now() - startedAt < trafficMillis) {
      const request: Sent = { orderId: randomUUID(), sentAt: Date.now() };
      sent.push(request);
      inFlight.push(
        postOrder(globalUrl, request.orderId).then(
          async (response) => {
            request.status = response.status;
            request.region = response.headers.get('x-local-route53-region') ?? undefined;
            await response.arrayBuffer();
          },
          () => {
            request.failedAt = Date.now();
          },
        ),
      );
      await sleep(1_000 / ratePerSecond);
    }
    await faults;
    await Promise.all(inFlight);

    // THEN requests failed only from the fault on (those in flight then, and those sent to the region
    // until the health checks noticed), and requests succeeded again within the bound
    const acknowledged = sent.filter((request) => request.status === 202);
    const failed = sent.filter((request) => request.status !== 202);
    const lastFailure = Math.max(...failed.map((request) => request.sentAt));
    const firstSuccessAfter = acknowledged.find((request) => request.sentAt > lastFailure) as Sent;
    const recoveryMillis = firstSuccessAfter.sentAt - downAt;
    process.stdout.write(
      `failover drill: ${sent.length} sent, ${acknowledged.length} acknowledged, ${failed.length} failed; requests succeeded again ${recoveryMillis} ms after the fault (bound ${boundMillis} ms)\n`,
    );
    expect(failed.length).toBeGreaterThan(0);
    expect(
      failed.every((request) => (request.failedAt ?? 0) >= downAt && request.sentAt <= downAt + boundMillis),
    ).toBe(true);
    expect(recoveryMillis).toBeLessThanOrEqual(boundMillis);
    expect(firstSuccessAfter.region).toBe(SECONDARY);
    // AND traffic returned to the primary once it was healthy again
    const back = cloud.multiRegion
      .route53Events()
      .find((event) => event.kind === 'answer' && event.at >= upAt && event.region === PRIMARY);
    expect(back).toBeDefined();
    expect((back?.at ?? Infinity) - upAt).toBeLessThanOrEqual(boundMillis);
    expect(sent.at(-1)?.region).toBe(PRIMARY);

    // AND every acknowledged order is in the surviving region once queues and replication drain
    await eventually(
      async () => {
        const west = await ordersIn(SECONDARY);
        return acknowledged.every((request) => west.has(request.orderId)) ? true : undefined;
      },
      30_000,
      'every acknowledged order in us-west-2',
    );
    // AND the regions converge
    const converged = await eventually(
      async () => {
        const [east, west] = await Promise.all([ordersIn(PRIMARY), ordersIn(SECONDARY)]);
        return east.size === west.size && [...east].every(([id, value]) => west.get(id) === value)
          ? east
          : undefined;
      },
      30_000,
      'both replicas to hold the same orders',
    );
    expect(acknowledged.filter((request) => !converged.has(request.orderId))).toEqual([]);
    // AND its client reads every acknowledged order through the region that did not acknowledge it
    expect(await unreadableThroughOtherRegion(acknowledged)).toEqual([]);
    const lag = cloud.multiRegion
      .replicationStatus()[0]
      .replicas.map(
        (replica) => `${replica.region} p50 ${replica.lagMillis.p50} ms p95 ${replica.lagMillis.p95} ms`,
      );
    process.stdout.write(`replication lag: ${lag.join('; ')}\n`);
  }, 90_000);

  test('replication pause: orders written in both regions converge after resume, last writer wins', async () => {
    // GIVEN replication paused
    cloud.faults.setReplicationPaused(true);
    const shared = randomUUID();
    const eastOnly = randomUUID();
    const westOnly = randomUUID();

    // WHEN us-east-1 takes an order, then us-west-2 takes an order with the same key and another body
    expect((await postOrder(cloud.outputs[EAST].ApiUrl, shared, 'first-writer')).status).toBe(202);
    expect((await postOrder(cloud.outputs[EAST].ApiUrl, eastOnly)).status).toBe(202);
    await eventually(
      async () => ((await ordersIn(PRIMARY)).has(shared) ? true : undefined),
      15_000,
      'the first write',
    );
    expect((await postOrder(cloud.outputs[WEST].ApiUrl, shared, 'last-writer')).status).toBe(202);
    expect((await postOrder(cloud.outputs[WEST].ApiUrl, westOnly)).status).toBe(202);
    await eventually(
      async () => {
        const west = await ordersIn(SECONDARY);
        return west.has(shared) && west.has(westOnly) ? true : undefined;
      },
      15_000,
      'the second writes',
    );
    await eventually(
      async () => ((await ordersIn(PRIMARY)).has(eastOnly) ? true : undefined),
      15_000,
      'us-east-1 only',
    );
    expect((await ordersIn(SECONDARY)).has(eastOnly)).toBe(false);
    expect(cloud.faults.describe()).toMatchObject({ replicationPaused: true });

    // AND replication resumes
    cloud.faults.setReplicationPaused(false);
    await cloud.multiRegion.whenReplicationCaughtUp(15_000);

    // THEN both regions hold all three orders, the shared one as its last writer wrote it
    const [east, west] = await Promise.all([ordersIn(PRIMARY), ordersIn(SECONDARY)]);
    for (const orderId of [shared, eastOnly, westOnly]) expect(east.get(orderId)).toBe(west.get(orderId));
    expect(JSON.parse(east.get(shared) as string)[0]).toBe('last-writer');
  });
});

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
