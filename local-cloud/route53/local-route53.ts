/**
 * The local stand-in for Route 53: it runs the templates' endpoint health checks against the local
 * APIs, reads alarm checks from the local alarm states, and serves one HTTP front door per record
 * name that forwards each request to the API of the record Route 53 would answer with. On AWS a
 * client resolves the name and then connects to the region; here the front door does both, so a
 * request that reaches a region that stopped answering fails the way the client's connection would.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { forward } from '../faults/fault-proxy';
import { HealthCheckEvaluator, type AlarmStateReader, type HealthCheckStatus } from './health-checks';
import { chooseRecord } from './record-routing';
import type { DnsRecord, EndpointHealthCheck, Route53Model } from './route53-model';

/** The local API a record or an endpoint check points at. */
export interface LocalApiTarget {
  readonly stackName: string;
  readonly region: string;
  /** The REST API's id: an endpoint check of `<id>.execute-api.<region>.<suffix>` checks this API. */
  readonly restApiId: string;
  /** Custom domain names of the API (served at the stage's root, as the base path mapping says). */
  readonly customDomainNames: readonly string[];
  /** The local gateway's origin, e.g. `http://127.0.0.1:3001`. */
  readonly origin: string;
  /** Base URL of the stage, ending in `/`, e.g. `http://127.0.0.1:3001/prod/`. */
  readonly stageUrl: string;
}

/** Options of {@link startLocalRoute53}. */
export interface LocalRoute53Options {
  readonly model: Route53Model;
  /** The local APIs; a record points at the API of the stack that declares it. */
  readonly targets: readonly LocalApiTarget[];
  /** Reads the state of the alarms that CLOUDWATCH_METRIC checks follow. */
  readonly alarmState: AlarmStateReader;
  /**
   * Regions from nearest to farthest from the caller, for latency records.
   * @default - the regions of the targets, in their order (the primary first)
   */
  readonly callerRegions?: readonly string[];
  /**
   * Interval of every endpoint check instead of the template's `RequestInterval` (10 or 30 s on AWS),
   * to watch a failover in a test or a demo without waiting for real intervals. The template's
   * `FailureThreshold` still applies.
   * @default - each check's `RequestInterval`
   */
  readonly healthCheckIntervalMillis?: number;
  /**
   * Port of the first name's front door; each further name takes the next port.
   * @default 0 (free ports)
   */
  readonly port?: number;
  /**
   * Where status changes are logged.
   * @default - nowhere
   */
  readonly log?: (line: string) => void;
}

/** The front door of one record name. */
export interface GlobalEndpoint {
  /** The record name, e.g. `api.example.com`. */
  readonly name: string;
  /** The local URL that stands for `https://<name>/`, ending in `/`. */
  readonly url: string;
}

/** A change the stand-in saw: a health check's status, or the record a name is answered with. */
export type Route53Event =
  | { readonly at: number; readonly kind: 'health'; readonly key: string; readonly healthy: boolean }
  | {
      readonly at: number;
      readonly kind: 'answer';
      readonly name: string;
      readonly record: string;
      readonly region: string;
    };

/** What the stand-in knows now. */
export interface Route53Status {
  readonly names: ReadonlyArray<{
    readonly name: string;
    readonly url: string;
    /** The region the name is answered with now. */
    readonly answerRegion: string | undefined;
    readonly records: ReadonlyArray<{
      readonly key: string;
      readonly region: string;
      readonly routing: DnsRecord['routing'];
      readonly healthy: boolean;
    }>;
  }>;
  readonly healthChecks: readonly HealthCheckStatus[];
}

/** A running stand-in. */
export interface LocalRoute53 {
  readonly endpoints: readonly GlobalEndpoint[];
  /** The region a name is answered with now. */
  answerFor(name: string): DnsRecord | undefined;
  status(): Route53Status;
  /** Every change since the start, oldest first (a failover timeline). */
  events(): readonly Route53Event[];
  /** Re-evaluates the checks now (e.g. after an alarm changed) and records what changed. */
  evaluate(): void;
  /** Stops the checks and the front doors; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Route 53 waits 4 s for a connection and 2 s for the answer; one local timeout covers both. It does
 * not shrink with a shorter local interval: a cold start of the health function takes about a second.
 */
const PROBE_TIMEOUT_MILLIS = 4_000;
/** Route 53 searches the first 5,120 bytes of the body for a *_STR_MATCH check's string. */
const SEARCH_STRING_WINDOW_BYTES = 5_120;
/** Route 53 counts 2xx and 3xx answers as healthy. */
const HEALTHY_STATUS = { min: 200, max: 399 };

/** Starts the endpoint checks and one front door per record name. */
export async function startLocalRoute53(options: LocalRoute53Options): Promise<LocalRoute53> {
  const { model } = options;
  const log = options.log ?? (() => undefined);
  const targetsByStack = new Map(options.targets.map((target) => [target.stackName, target]));
  for (const record of model.records) {
    if (!targetsByStack.has(record.stackName)) {
      throw new Error(`Record ${record.key} points at stack ${record.stackName}, which has no local API`);
    }
  }
  const callerRegions = options.callerRegions ?? [...new Set(options.targets.map((target) => target.region))];
  const evaluator = new HealthCheckEvaluator(model, options.alarmState);
  const events: Route53Event[] = [];
  const lastHealth = new Map<string, boolean>();
  const lastAnswer = new Map<string, string>();

  const answerFor = (name: string): DnsRecord | undefined =>
    chooseRecord(
      model.records.filter((record) => record.name === name),
      (record) => record.healthCheck === undefined || evaluator.isHealthy(record.healthCheck),
      callerRegions,
    );

  const evaluate = (): void => {
    const at = Date.now();
    for (const check of model.healthChecks.values()) {
      const healthy = evaluator.isHealthy(check.key);
      if (lastHealth.get(check.key) === healthy) continue;
      if (lastHealth.has(check.key))
        log(`${new Date(at).toISOString()} route53 health ${check.key} ${healthy ? 'healthy' : 'unhealthy'}`);
      lastHealth.set(check.key, healthy);
      events.push({ at, kind: 'health', key: check.key, healthy });
    }
    for (const name of model.names) {
      const record = answerFor(name);
      if (record === undefined || lastAnswer.get(name) === record.key) continue;
      if (lastAnswer.has(name))
        log(`${new Date(at).toISOString()} route53 ${name} → ${record.region} (${record.key})`);
      lastAnswer.set(name, record.key);
      events.push({ at, kind: 'answer', name, record: record.key, region: record.region });
    }
  };
  evaluate();

  const checkers = [...model.healthChecks.values()]
    .filter((check): check is EndpointHealthCheck => check.kind === 'endpoint')
    .map((check) => {
      const url = probeUrlOf(check, options.targets);
      const intervalMillis = options.healthCheckIntervalMillis ?? check.requestIntervalSeconds * 1_000;
      return startChecker(url, intervalMillis, check.searchString, (success, detail) => {
        evaluator.recordEndpointResult(check.key, success, detail);
        evaluate();
      });
    });

  const agent = new http.Agent({ keepAlive: true });
  const servers: Array<{ server: http.Server; sockets: Set<Socket> }> = [];
  const endpoints: GlobalEndpoint[] = [];
  const stopAll = async (): Promise<void> => {
    for (const checker of checkers) checker.stop();
    await Promise.all(servers.map(({ server, sockets }) => closeServer(server, sockets)));
    agent.destroy();
  };
  try {
    for (const [index, name] of model.names.entries()) {
      const sockets = new Set<Socket>();
      const server = http.createServer((request, response) => {
        evaluate();
        const record = answerFor(name) as DnsRecord;
        const target = targetsByStack.get(record.stackName) as LocalApiTarget;
        const stageUrl = new URL(target.stageUrl);
        // A local header, so a client can see which region answered (Route 53 adds none).
        response.setHeader('x-local-route53-region', record.region);
        forward(request, response, stageUrl, agent, `${stageUrl.pathname}${(request.url ?? '/').slice(1)}`);
      });
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      servers.push({ server, sockets });
      const port = await listen(server, options.port ? options.port + index : 0);
      endpoints.push({ name, url: `http://127.0.0.1:${port}/` });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    endpoints,
    answerFor,
    evaluate,
    events: () => [...events],
    status: () => ({
      names: endpoints.map(({ name, url }) => ({
        name,
        url,
        answerRegion: answerFor(name)?.region,
        records: model.records
          .filter((record) => record.name === name)
          .map((record) => ({
            key: record.key,
            region: record.region,
            routing: record.routing,
            healthy: record.healthCheck === undefined || evaluator.isHealthy(record.healthCheck),
          })),
      })),
      healthChecks: evaluator.statuses(),
    }),
    stop: () => (stopped ??= stopAll()),
  };
}

/**
 * The local URL an endpoint check requests: the API whose execute-api host or custom domain the
 * check names, with the check's path (which, on the execute-api host, starts with the stage).
 */
export function probeUrlOf(check: EndpointHealthCheck, targets: readonly LocalApiTarget[]): string {
  const host = check.fullyQualifiedDomainName;
  const executeApi = /^([a-z0-9]+)\.execute-api\./.exec(host);
  const byApiId = executeApi && targets.find((target) => target.restApiId.toLowerCase() === executeApi[1]);
  if (byApiId) return `${byApiId.origin}${check.resourcePath}`;
  const byDomain = targets.find((target) => target.customDomainNames.includes(host));
  if (byDomain) return `${byDomain.stageUrl}${check.resourcePath.slice(1)}`;
  throw new Error(
    `Health check ${check.key} checks ${host}, which is not a local API (local APIs: ${targets
      .map((target) => `${target.restApiId} in ${target.stackName}`)
      .join(', ')})`,
  );
}

interface Checker {
  stop(): void;
}

/** Checks `url` every interval (from the start of one check to the start of the next). */
function startChecker(
  url: string,
  intervalMillis: number,
  searchString: string | undefined,
  onResult: (success: boolean, detail: string) => void,
): Checker {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const controller = new AbortController();
  const run = async (): Promise<void> => {
    const startedAt = Date.now();
    const { success, detail } = await probe(url, PROBE_TIMEOUT_MILLIS, searchString, controller.signal);
    if (stopped) return;
    onResult(success, detail);
    timer = setTimeout(() => void run(), Math.max(0, intervalMillis - (Date.now() - startedAt)));
  };
  void run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    },
  };
}

async function probe(
  url: string,
  timeoutMillis: number,
  searchString: string | undefined,
  stopSignal: AbortSignal,
): Promise<{ success: boolean; detail: string }> {
  try {
    const response = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.any([stopSignal, AbortSignal.timeout(timeoutMillis)]),
    });
    const body = Buffer.from(await response.arrayBuffer());
    const statusOk = response.status >= HEALTHY_STATUS.min && response.status <= HEALTHY_STATUS.max;
    const matched =
      searchString === undefined ||
      body.subarray(0, SEARCH_STRING_WINDOW_BYTES).toString('utf8').includes(searchString);
    return {
      success: statusOk && matched,
      detail: matched ? String(response.status) : `${response.status}, no match`,
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { success: false, detail: cause?.code ?? (error as Error).name };
  }
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} is already in use; choose another port for the local Route 53 front door`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: http.Server, sockets: ReadonlySet<Socket>): Promise<void> {
  if (!server.listening) return Promise.resolve();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  return closed;
}
