import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlarmState } from '../../../local-cloud/alarms/alarm-registry';
import {
  probeUrlOf,
  startLocalRoute53,
  type LocalApiTarget,
  type LocalRoute53,
} from '../../../local-cloud/route53/local-route53';
import { readRoute53Model, type EndpointHealthCheck } from '../../../local-cloud/route53/route53-model';
import { regionStackSource } from './synthetic-templates';

/** A stand-in regional API: `/prod/health` answers 200, anything else echoes its path and region. */
interface FakeRegionApi {
  readonly target: LocalApiTarget;
  readonly paths: string[];
  setDown(down: boolean): Promise<void>;
}

async function startFakeRegionApi(region: string): Promise<FakeRegionApi> {
  const paths: string[] = [];
  const server = http.createServer((request, response) => {
    if (request.url === '/prod/health') {
      response.end('{"status":"ok"}');
      return;
    }
    paths.push(request.url ?? '');
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ region, path: request.url }));
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const restApiId = `api${region.replace(/-/g, '')}`;
  return {
    paths,
    target: {
      stackName: `Api-${region}`,
      region,
      restApiId,
      customDomainNames: [],
      origin: `http://127.0.0.1:${port}`,
      stageUrl: `http://127.0.0.1:${port}/prod/`,
    },
    async setDown(down) {
      if (down) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      } else {
        await listen(port);
      }
    },
  };
}

const INTERVAL_MILLIS = 100;
const FAILURE_THRESHOLD = 3;

describe('local Route 53 stand-in (HTTP front door, health checks on real listeners)', () => {
  let east: FakeRegionApi;
  let west: FakeRegionApi;
  let route53: LocalRoute53;
  const alarmStates = new Map<string, AlarmState>();

  beforeEach(async () => {
    east = await startFakeRegionApi('us-east-1');
    west = await startFakeRegionApi('us-west-2');
    alarmStates.clear();
    route53 = await startLocalRoute53({
      model: readRoute53Model([
        regionStackSource('us-east-1', 'latency', { threshold: FAILURE_THRESHOLD }),
        regionStackSource('us-west-2', 'latency', { threshold: FAILURE_THRESHOLD }),
      ]),
      targets: [east.target, west.target],
      alarmState: (alarm) => alarmStates.get(alarm.alarmName) ?? 'OK',
      healthCheckIntervalMillis: INTERVAL_MILLIS,
    });
  });

  afterEach(async () => {
    await route53.stop();
    await east.setDown(true);
    await west.setDown(true);
  });

  test('forwards a request on the global URL to the nearest healthy region’s stage, path and query kept', async () => {
    // WHEN
    const response = await fetch(`${route53.endpoints[0].url}orders?limit=2`, { method: 'POST', body: '{}' });

    // THEN the primary (first) region answered, below its stage
    expect(response.status).toBe(201);
    expect(response.headers.get('x-local-route53-region')).toBe('us-east-1');
    expect(await response.json()).toEqual({ region: 'us-east-1', path: '/prod/orders?limit=2' });
    expect(route53.endpoints[0].name).toBe('api.example.test');
  });

  test('fails over within interval × threshold once a region stops answering, and fails back after it returns', async () => {
    // GIVEN the name answered with us-east-1
    expect(route53.answerFor('api.example.test')?.region).toBe('us-east-1');

    // WHEN us-east-1 stops answering
    const downAt = Date.now();
    await east.setDown(true);

    // THEN a request that still goes there loses its connection, as the client's would
    await expect(fetch(`${route53.endpoints[0].url}orders`)).rejects.toThrow();
    // AND the name is answered with us-west-2 within interval × threshold (plus scheduling slack)
    await waitFor(() => route53.answerFor('api.example.test')?.region === 'us-west-2', 3_000);
    const failoverMillis = Date.now() - downAt;
    expect(failoverMillis).toBeLessThanOrEqual(INTERVAL_MILLIS * FAILURE_THRESHOLD + 1_000);
    const response = await fetch(`${route53.endpoints[0].url}orders`);
    expect(response.headers.get('x-local-route53-region')).toBe('us-west-2');
    expect(route53.events()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'health', key: 'Api-us-east-1/EndpointCheck', healthy: false }),
        expect.objectContaining({ kind: 'answer', name: 'api.example.test', region: 'us-west-2' }),
      ]),
    );

    // WHEN us-east-1 answers again
    await east.setDown(false);

    // THEN traffic returns to it after threshold consecutive successes
    await waitFor(() => route53.answerFor('api.example.test')?.region === 'us-east-1', 3_000);
    expect(route53.events().at(-1)).toMatchObject({ kind: 'answer', region: 'us-east-1' });
  });

  test('fails over at once when a region’s alarm-based check goes into ALARM', () => {
    // WHEN the alarm that us-east-1's alarm check follows goes into ALARM
    alarmStates.set('Api-us-east-1-5xx', 'ALARM');
    route53.evaluate();

    // THEN the name is answered with us-west-2, with no endpoint check failing
    expect(route53.answerFor('api.example.test')?.region).toBe('us-west-2');
    const status = route53.status();
    expect(status.names[0]).toMatchObject({ answerRegion: 'us-west-2' });
    expect(status.healthChecks.find((check) => check.key === 'Api-us-east-1/AlarmCheck')).toMatchObject({
      healthy: false,
      alarmState: 'ALARM',
    });
    expect(status.healthChecks.find((check) => check.key === 'Api-us-east-1/EndpointCheck')).toMatchObject({
      healthy: true,
    });
  });
});

describe('probeUrlOf', () => {
  const target: LocalApiTarget = {
    stackName: 'Api-us-east-1',
    region: 'us-east-1',
    restApiId: 'AbC123',
    customDomainNames: ['us-east-1.api.example.test'],
    origin: 'http://127.0.0.1:3001',
    stageUrl: 'http://127.0.0.1:3001/prod/',
  };
  const check = (fullyQualifiedDomainName: string, resourcePath: string): EndpointHealthCheck => ({
    kind: 'endpoint',
    key: 'Api-us-east-1/Check',
    stackName: 'Api-us-east-1',
    protocol: 'https',
    fullyQualifiedDomainName,
    port: 443,
    resourcePath,
    requestIntervalSeconds: 10,
    failureThreshold: 3,
    inverted: false,
  });

  test('maps an execute-api host to the local gateway, and a custom domain to the stage it serves', () => {
    expect(probeUrlOf(check('abc123.execute-api.us-east-1.amazonaws.com', '/prod/health'), [target])).toBe(
      'http://127.0.0.1:3001/prod/health',
    );
    expect(probeUrlOf(check('us-east-1.api.example.test', '/health'), [target])).toBe(
      'http://127.0.0.1:3001/prod/health',
    );
  });

  test('fails if the checked host is no local API', () => {
    expect(() => probeUrlOf(check('www.example.test', '/'), [target])).toThrow(
      /checks www\.example\.test, which is not a local API \(local APIs: AbC123 in Api-us-east-1\)/,
    );
  });
});

async function waitFor(condition: () => boolean, timeoutMillis: number): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMillis} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
