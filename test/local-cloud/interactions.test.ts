/**
 * The resilience mechanisms together, driven by load and faults rather than forced alarm states:
 * the alarms read the metrics the local cloud computes from the requests, invocations and queues
 * (CloudWatch's clock 60 times faster: a 5-minute period lasts 5 s, a 1-minute one 1 s).
 */
import { randomUUID } from 'node:crypto';
import { Duration } from 'aws-cdk-lib';
import type { LocalAlarm } from '../../local-cloud/alarms/alarm-registry';
import { startLocalCloud, type LocalCloud } from '../../local-cloud/local-cloud';
import { LOCAL_MULTI_REGION_INPUTS } from '../../local-cloud/synthesize';
import { resolveAppConfig, type AppConfigInputs } from '../../lib/config';
import { addVariantStacks } from '../../lib/stacks';
import { localEndpoints, TEST_ACCOUNT } from '../harness/local-aws';
import { collectingLogSink, eventually, synthesizeAssembly, type TestAssembly } from './synthesized-assembly';

const TIME_SCALE = 60;
/** The monitoring construct's period (300 s) and CloudWatch's evaluation interval (60 s), scaled. */
const PERIOD_MILLIS = 300_000 / TIME_SCALE;
const EVALUATION_INTERVAL_MILLIS = 60_000 / TIME_SCALE;
/**
 * The README's bound on how long an alarm takes to fire once errors start ("one period plus one
 * evaluation interval"), scaled, plus a second for the rule deliveries and Route 53's evaluation.
 */
const ALARM_BOUND_MILLIS = PERIOD_MILLIS + EVALUATION_INTERVAL_MILLIS + 1_000;
const HEALTH_CHECK_INTERVAL_MILLIS = 500;

const SYNC = 'ResilientApi-sync';
const ASYNC = 'ResilientApi-async';
const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';
const EAST = `ResilientApi-multi-${PRIMARY}`;

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

describe('resilience mechanisms together, on computed metrics and alarms', () => {
  let assembly: TestAssembly;
  let cloud: LocalCloud;
  const cloudLog: string[] = [];

  beforeAll(async () => {
    assembly = synthesizeAssembly({
      bundle: true,
      addStacks: (app) => {
        for (const inputs of [
          { variant: 'sync' },
          { variant: 'async' },
          { variant: 'multi', ...LOCAL_MULTI_REGION_INPUTS },
        ] as AppConfigInputs[]) {
          const config = resolveAppConfig({ account: TEST_ACCOUNT, ...inputs });
          // The shortest queue age the construct allows, so that a test sheds within a minute.
          addVariantStacks(app, { ...config, resilience: { loadSheddingMaxQueueAge: Duration.minutes(1) } });
        }
      },
    });
    cloud = await startLocalCloud({
      assemblyDir: assembly.directory,
      emulators: { dynamodbEndpoint: localEndpoints().dynamoDb, sqsEndpoint: localEndpoints().sqs },
      // Short: the multi stacks' function names leave two characters. Own credentials: the global
      // table's fixed name must not meet the multi-region test's table in DynamoDB Local.
      namePrefix: 'i-',
      credentials: { accessKeyId: 'interactions', secretAccessKey: 'local' },
      functionLogSink: collectingLogSink().sink,
      healthCheckIntervalMillis: HEALTH_CHECK_INTERVAL_MILLIS,
      alarms: { timeScale: TIME_SCALE },
      log: (line) => cloudLog.push(line),
    });
  }, 240_000);

  afterAll(async () => {
    await cloud?.stop();
    assembly?.remove();
  });

  afterEach(async () => {
    await cloud.faults.clear();
    for (const region of cloud.regions) await region.setEventSourcesEnabled(true);
    // The next test starts with every alarm out of ALARM (errors leave the window after a period).
    await eventually(
      () => Promise.resolve(cloud.alarms.list().some((alarm) => alarm.state === 'ALARM') ? undefined : true),
      3 * ALARM_BOUND_MILLIS,
      `every alarm out of ALARM (in ALARM: ${inAlarm().join(', ')})`,
    );
  }, 60_000);

  const inAlarm = () =>
    cloud.alarms
      .list()
      .filter((alarm) => alarm.state === 'ALARM')
      .map((alarm) => `${alarm.stackName}/${alarm.logicalId}`);

  /** The one alarm of a stack whose logical id contains `part`. */
  function alarmOf(stackName: string, part: string): LocalAlarm {
    const matches = cloud.alarms
      .list()
      .filter((alarm) => alarm.stackName === stackName && alarm.logicalId.includes(part));
    if (matches.length !== 1) throw new Error(`${matches.length} alarms of ${stackName} match ${part}`);
    return matches[0];
  }

  function postOrder(stackName: string, orderId = randomUUID()): Promise<Response> {
    return fetch(`${cloud.outputs[stackName].ApiUrl}orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': cloud.outputs[stackName].ApiKeyValue,
        'Idempotency-Key': orderId,
      },
      body: JSON.stringify({ customerId: 'c-interactions', items: [{ sku: 'SKU-1', quantity: 1 }] }),
      signal: AbortSignal.timeout(10_000),
    });
  }

  function getOrder(stackName: string, orderId: string): Promise<Response> {
    return fetch(`${cloud.outputs[stackName].ApiUrl}orders/${orderId}`, {
      headers: { 'x-api-key': cloud.outputs[stackName].ApiKeyValue },
      signal: AbortSignal.timeout(10_000),
    });
  }

  /** The orders that do not answer 200 through a stack's API, read by 8 clients at a time. */
  async function notReadable(stackName: string, orderIds: readonly string[]): Promise<string[]> {
    const pending = [...orderIds];
    const missing: string[] = [];
    const reader = async (): Promise<void> => {
      for (let orderId = pending.shift(); orderId; orderId = pending.shift()) {
        const response = await getOrder(stackName, orderId);
        await response.arrayBuffer();
        if (response.status !== 200) missing.push(orderId);
      }
    };
    await Promise.all(Array.from({ length: 8 }, reader));
    return missing;
  }

  async function healthStatus(stackName: string): Promise<number> {
    const response = await fetch(cloud.outputs[stackName].HealthUrl, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  }

  /** Whether us-east-1's record is healthy, and the region the global name is answered with. */
  function dns(): { readonly eastInDns: boolean; readonly answer: string | undefined } {
    const name = cloud.multiRegion.route53Status()?.names[0];
    return {
      eastInDns: name?.records.find((record) => record.region === PRIMARY)?.healthy ?? false,
      answer: name?.answerRegion,
    };
  }

  /**
   * Samples, every 100 ms until stopped, what the region's health looks like from outside: its DNS
   * record, its `/health` answer and its region-health alarms.
   */
  function watch(stackName: string) {
    const samples: Array<{
      eastInDns: boolean;
      answer?: string;
      health?: number;
      unhealthyAlarms: string[];
    }> = [];
    let running = true;
    const done = (async () => {
      while (running) {
        const health = await healthStatus(stackName).catch(() => 0);
        samples.push({
          ...dns(),
          health,
          unhealthyAlarms: ['ApiServerErrors', 'RegionUnhealthy']
            .map((part) => alarmOf(stackName, part))
            .filter((alarm) => alarm.state === 'ALARM')
            .map((alarm) => alarm.logicalId),
        });
        await sleep(100);
      }
    })();
    return {
      samples,
      stop: async () => {
        running = false;
        await done;
        return samples;
      },
    };
  }

  /** Sends orders at a steady rate until `until` says stop; returns every answer's status by order id. */
  async function sendOrders(
    stackName: string,
    perSecond: number,
    until: (answers: ReadonlyMap<string, { status: number; code?: string }>) => boolean,
    maxMillis: number,
  ): Promise<Map<string, { status: number; code?: string }>> {
    const answers = new Map<string, { status: number; code?: string }>();
    const inFlight: Array<Promise<void>> = [];
    const startedAt = Date.now();
    for (let sent = 0; Date.now() - startedAt < maxMillis && !until(answers); sent += 1) {
      const orderId = randomUUID();
      inFlight.push(
        postOrder(stackName, orderId).then(async (response) => {
          const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
          answers.set(orderId, { status: response.status, code: body.error?.code });
        }),
      );
      await sleep(Math.max(0, startedAt + ((sent + 1) * 1000) / perSecond - Date.now()));
    }
    await Promise.all(inFlight);
    return answers;
  }

  test('multi: a region whose queue falls behind sheds new orders, keeps /health 200 and stays in DNS; every acknowledged order is kept', async () => {
    // GIVEN us-east-1's consumer falls behind completely (paused), while orders keep coming
    const east = cloud.regions.find((region) => region.region === PRIMARY);
    await east?.setEventSourcesEnabled(false);
    const watcher = watch(EAST);

    // WHEN the oldest queued order passes the shedding bound (1 minute), and shed answers go on for
    // longer than the 5XX alarm's period
    let shedAt: number | undefined;
    const answers = await sendOrders(
      EAST,
      4,
      (sofar) => {
        if (shedAt === undefined && [...sofar.values()].some((answer) => answer.code === 'OVERLOADED')) {
          shedAt = Date.now();
        }
        return shedAt !== undefined && Date.now() - shedAt > PERIOD_MILLIS + 2 * EVALUATION_INTERVAL_MILLIS;
      },
      100_000,
    );
    const samples = await watcher.stop();

    // THEN the region shed (503 OVERLOADED), which the plain 5XXError rate counts as server errors …
    const shed = [...answers.values()].filter((answer) => answer.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    expect(shed.filter((answer) => answer.code !== 'OVERLOADED')).toEqual([]);
    const now = Date.now();
    const plain5xxRate = cloud.metrics.statistic(
      { namespace: 'AWS/ApiGateway', metricName: '5XXError', dimensions: { ApiName: EAST, Stage: 'prod' } },
      'Average',
      now - PERIOD_MILLIS,
      now,
    );
    // (the health probes below count in it too) far above the server-error alarm's threshold of 1 %
    expect(plain5xxRate).toBeGreaterThan(0.1);
    // … but the region-health alarms stayed out of ALARM, /health answered 200 and the region stayed in DNS
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.filter((sample) => sample.unhealthyAlarms.length > 0)).toEqual([]);
    expect(samples.filter((sample) => sample.health !== 200)).toEqual([]);
    expect(samples.filter((sample) => !sample.eastInDns || sample.answer !== PRIMARY)).toEqual([]);
    expect(alarmOf(EAST, 'ApiServerErrors').stateReason).toMatch(/^Computed locally: \[0\]/);
    expect(cloud.multiRegion.route53Events().filter((event) => event.kind === 'answer')).toEqual([
      expect.objectContaining({ region: PRIMARY }),
    ]);

    // AND once the consumer catches up, shedding stops and every acknowledged order is readable
    await east?.setEventSourcesEnabled(true);
    const acknowledged = [...answers]
      .filter(([, answer]) => answer.status === 202)
      .map(([orderId]) => orderId);
    expect(acknowledged.length).toBeGreaterThan(100);
    await eventually(
      async () => ((await postOrder(EAST)).status === 202 ? true : undefined),
      30_000,
      'shedding to stop',
    );
    let unreadable = acknowledged;
    await eventually(
      async () => {
        unreadable = await notReadable(EAST, unreadable);
        return unreadable.length === 0 ? true : undefined;
      },
      60_000,
      `every acknowledged order readable (not yet: ${unreadable.length})`,
    );
  }, 180_000);

  test('multi: a flood above the stage rate is answered 429 while /health stays 200 and the region stays in DNS', async () => {
    // GIVEN us-east-1 under watch
    const watcher = watch(EAST);

    // WHEN 40 clients send orders as fast as they can for 3 s (the stage allows 100/s, bursts of 200)
    const statuses: number[] = [];
    const startedAt = Date.now();
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (Date.now() - startedAt < 3_000) {
          const response = await postOrder(EAST);
          await response.arrayBuffer();
          statuses.push(response.status);
        }
      }),
    );
    // … and the 429 count reaches its alarm, computed from the access log's metric filter
    const throttledAlarm = await eventually(
      () => {
        const alarm = alarmOf(EAST, 'ApiThrottled');
        return Promise.resolve(alarm.state === 'ALARM' ? alarm : undefined);
      },
      ALARM_BOUND_MILLIS,
      'the throttled-requests alarm',
    );
    await sleep(PERIOD_MILLIS);
    const samples = await watcher.stop();

    // THEN orders over the limit got 429 and the others were accepted
    const throttled = statuses.filter((status) => status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    expect(statuses.filter((status) => status !== 429 && status !== 202)).toEqual([]);
    expect(throttledAlarm.stateReason).toMatch(/^Computed locally/);
    // AND the health checks kept their own tokens: /health 200, no region-health alarm, no failover
    expect(samples.filter((sample) => sample.health !== 200)).toEqual([]);
    expect(samples.filter((sample) => sample.unhealthyAlarms.length > 0)).toEqual([]);
    expect(samples.filter((sample) => !sample.eastInDns || sample.answer !== PRIMARY)).toEqual([]);
  }, 60_000);

  test.each([
    {
      stackName: SYNC,
      fault: 'DynamoDB',
      breaks: () => cloud.faults.setDynamoDbFault({ down: true }, PRIMARY),
    },
    { stackName: ASYNC, fault: 'SQS', breaks: () => cloud.faults.setQueueFault({ down: true }, PRIMARY) },
  ])(
    '$stackName: $fault down → orders fail → the 5XX alarm and the region-health alarm fire from computed metrics within the bound',
    async ({ stackName, breaks }) => {
      // GIVEN the data store the variant cannot take orders without goes down
      await breaks();
      const startedAt = Date.now();

      // WHEN clients keep ordering (5 per second)
      const traffic = sendOrders(stackName, 5, () => false, ALARM_BOUND_MILLIS + 1_000);

      // THEN the server-error share and the region-health composite alarm fire within the bound
      const regionUnhealthy = await eventually(
        () => {
          const alarm = alarmOf(stackName, 'RegionUnhealthy');
          return Promise.resolve(alarm.state === 'ALARM' ? alarm : undefined);
        },
        ALARM_BOUND_MILLIS,
        `${stackName}'s region-health alarm`,
      );
      const firedAfter = Date.now() - startedAt;
      const answers = await traffic;
      expect([...answers.values()].filter((answer) => answer.status < 500)).toEqual([]);
      expect(alarmOf(stackName, 'ApiServerErrors')).toMatchObject({
        state: 'ALARM',
        stateReason: expect.stringMatching(/^Computed locally: \[(1|0\.\d+)\]/) as string,
      });
      expect(regionUnhealthy.stateReason).toContain('ApiServerErrors');
      expect(firedAfter).toBeLessThanOrEqual(ALARM_BOUND_MILLIS);
    },
    60_000,
  );

  test('multi: DynamoDB down in us-east-1 → /health stays 200 (degraded) but reads fail → the alarm checks take the region out of DNS within the bound, and it returns', async () => {
    // WHEN us-east-1's DynamoDB goes down while clients keep reading orders there (5 per second; new
    // ones each time, which no container holds a stale copy of)
    await cloud.faults.setDynamoDbFault({ down: true }, PRIMARY);
    const startedAt = Date.now();
    let reading = true;
    const reads = (async () => {
      const statuses: number[] = [];
      while (reading) {
        const response = await getOrder(EAST, randomUUID());
        await response.arrayBuffer();
        statuses.push(response.status);
        await sleep(200);
      }
      return statuses;
    })();

    // THEN the region leaves DNS within one period plus one evaluation interval …
    await eventually(
      () => Promise.resolve(dns().answer === SECONDARY ? true : undefined),
      ALARM_BOUND_MILLIS,
      'the global name answered with us-west-2',
    );
    const leftAfter = Date.now() - startedAt;
    // … through its alarm checks: /health answers 200, so its endpoint check never failed
    expect(await healthStatus(EAST)).toBe(200);
    const endpointChecks = cloud.multiRegion
      .route53Status()
      ?.healthChecks.filter((check) => check.kind === 'endpoint');
    // (one deep /health check per region of the multi variant)
    expect(endpointChecks?.map((check) => check.key.split('/')[0]).sort()).toEqual([
      EAST,
      `ResilientApi-multi-${SECONDARY}`,
    ]);
    expect(endpointChecks?.filter((check) => !check.healthy)).toEqual([]);
    expect(inAlarm()).toEqual(expect.arrayContaining([expect.stringContaining(`${EAST}/`)]));
    expect(leftAfter).toBeLessThanOrEqual(ALARM_BOUND_MILLIS);

    // AND once DynamoDB is back and the errors leave the alarm's period, the region returns
    await cloud.faults.setDynamoDbFault({}, PRIMARY);
    reading = false;
    const statuses = await reads;
    expect(statuses.some((status) => status >= 500)).toBe(true);
    await eventually(
      () => Promise.resolve(dns().answer === PRIMARY ? true : undefined),
      2 * ALARM_BOUND_MILLIS,
      'the global name answered with us-east-1 again',
    );
  }, 60_000);

  describe('the load-shedding switch converges on the alarm state', () => {
    const stageVariables = () =>
      cloud.stacks.find((stack) => stack.stackName === ASYNC)?.gateway.stageVariables('prod') ?? {};
    const switchFunction = () =>
      [...(cloud.stacks.find((stack) => stack.stackName === ASYNC)?.runtime.functions.values() ?? [])].find(
        (fn) => fn.definition.logicalId.startsWith('LoadShedderSwitch'),
      );

    /**
     * Invokes the switch as EventBridge does (asynchronously): a throttled invocation (the schedule's
     * may be running; the switch runs one at a time) is tried again.
     */
    async function invokeAsEventBridge(event: unknown) {
      return eventually(
        async () => {
          const result = await switchFunction()?.invoke(event);
          return result?.status === 'throttled' ? undefined : result;
        },
        5_000,
        'the switch to take the event',
      );
    }

    test('a late ALARM event delivered after the alarm returned to OK does not switch shedding on', async () => {
      // GIVEN the queue-age alarm is OK (computed: the queue is empty)
      expect(alarmOf(ASYNC, 'LoadShedderQueueAge').state).toBe('OK');
      // WHEN EventBridge delivers an older ALARM state change now (out of order)
      const result = await invokeAsEventBridge({
        version: '0',
        id: 'late-event',
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: TEST_ACCOUNT,
        time: new Date(Date.now() - 60_000).toISOString(),
        region: PRIMARY,
        resources: [alarmOf(ASYNC, 'LoadShedderQueueAge').alarmArn],
        detail: {
          alarmName: alarmOf(ASYNC, 'LoadShedderQueueAge').alarmName,
          state: { value: 'ALARM', reason: 'late', timestamp: new Date(Date.now() - 60_000).toISOString() },
          previousState: { value: 'OK', timestamp: new Date(Date.now() - 120_000).toISOString() },
        },
      });
      // THEN the switch read the alarm's current state and left shedding off: orders are accepted
      expect(result).toMatchObject({ status: 'succeeded', payload: { alarmState: 'OK', shedding: 'false' } });
      expect(stageVariables().shedding ?? 'false').toBe('false');
      expect((await postOrder(ASYNC)).status).toBe(202);
    });

    test('a variable reset out of band (as a stack update would) is corrected within one schedule interval', async () => {
      // GIVEN the stage says "shedding" while the alarm is OK (e.g. a template that still set it)
      cloud.stacks
        .find((stack) => stack.stackName === ASYNC)
        ?.gateway.updateStageVariables('prod', { shedding: 'true' });
      expect((await postOrder(ASYNC)).status).toBe(503);
      const changedAt = Date.now();
      // WHEN the schedule runs the switch (rate(1 minute), scaled: every second)
      await eventually(
        () => Promise.resolve(stageVariables().shedding === 'false' ? true : undefined),
        3 * EVALUATION_INTERVAL_MILLIS,
        'the switch to reset shedding',
      );
      // THEN orders are accepted again within about one interval
      expect(Date.now() - changedAt).toBeLessThanOrEqual(3 * EVALUATION_INTERVAL_MILLIS);
      expect((await postOrder(ASYNC)).status).toBe(202);
    });
  });
});
