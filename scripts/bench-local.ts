#!/usr/bin/env node
/**
 * `npm run bench:local`: measures the local cloud and prints the ratios the local-cloud issue sets
 * goals for, all from one run on this machine:
 *
 * 1. startup of the whole local cloud vs startup of DynamoDB Local alone (goal ≤ 1.5×), and the
 *    time from launching `npm run local -- --variants sync` to its first 201 (goal ≤ 2.5 s);
 * 2. p50 latency of `POST /orders` (sync) through the local gateway vs calling the same bundled
 *    handler directly against the same DynamoDB Local (goal ≤ 1.25×);
 * 3. requests/s the async accept path sustains vs the sync path (goal ≥ 3×).
 *
 * On one machine the consumer would compete with the accept path for the same CPU, which it does not
 * do in AWS; so while the async accept path is measured the event source mappings are paused (the
 * queue buffers the orders, as it would behind a busy consumer), and the time the consumer then
 * takes to drain the queue is reported beside it.
 *
 * The assembly is synthesized with throttles far above what one machine can send, so the paths
 * are measured, not the usage plans.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_CAPACITY } from '../lib/config';
import { variantStackName } from '../lib/stacks';
import { nearestRankPercentile } from '../load-tests/metrics/latency';
import { synthesizeForLocalCloud } from '../local-cloud/synthesize';
import { startDynamoDbLocal } from '../local-cloud/emulators/dynamodb-local';
import { startLocalCloud, type LocalCloud } from '../local-cloud/local-cloud';
import { LOCAL_CREDENTIALS } from '../local-cloud/region-runtime';

const ORDER = JSON.stringify({ customerId: 'bench', items: [{ sku: 'SKU-1', quantity: 1 }] });

/** Far above what this machine can send: the bench measures the paths, not the throttles. */
const UNTHROTTLED = {
  ...DEFAULT_CAPACITY,
  apiRateLimit: 10_000,
  apiBurstLimit: 5_000,
  clientTiers: [{ name: 'bench', rateLimit: 10_000, burstLimit: 5_000 }],
};

interface Options {
  readonly latencyRequests: number;
  readonly throughputSeconds: number;
  readonly concurrency: number;
  readonly startupRuns: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '8' },
      'startup-runs': { type: 'string', default: '3' },
    },
  });
  const positive = (name: keyof typeof values): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a whole number ≥ 1 (given ${values[name]})`);
    return value;
  };
  return {
    latencyRequests: positive('requests'),
    throughputSeconds: positive('seconds'),
    concurrency: positive('concurrency'),
    startupRuns: positive('startup-runs'),
  };
}

/** The p-th percentile (nearest rank) of the values, as the experiment's metrics compute it. */
function percentile(values: readonly number[], p: number): number {
  return (
    nearestRankPercentile(
      [...values].sort((x, y) => x - y),
      p,
    ) ?? Number.NaN
  );
}

async function timeStartups(
  assemblyDir: string,
  runs: number,
): Promise<{ dynamoDbMs: number; cloudMs: number }> {
  const dynamoDb: number[] = [];
  const cloud: number[] = [];
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    const emulator = await startDynamoDbLocal();
    dynamoDb.push(performance.now() - started);
    await emulator.stop();

    started = performance.now();
    const local = await startLocalCloud({
      assemblyDir,
      log: () => undefined,
      functionLogSink: () => undefined,
    });
    cloud.push(performance.now() - started);
    await local.stop();
  }
  return { dynamoDbMs: percentile(dynamoDb, 50), cloudMs: percentile(cloud, 50) };
}

function postOrder(cloud: LocalCloud, stackName: string): Promise<Response> {
  const outputs = cloud.outputs[stackName];
  return fetch(`${outputs.ApiUrl}orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': outputs.ApiKeyValue,
      'Idempotency-Key': randomUUID(),
    },
    body: ORDER,
  });
}

async function gatewayLatency(cloud: LocalCloud): Promise<number> {
  const started = performance.now();
  const response = await postOrder(cloud, variantStackName('sync'));
  await response.arrayBuffer();
  if (response.status !== 201)
    throw new Error(`POST /orders answered ${response.status} through the gateway`);
  return performance.now() - started;
}

/**
 * Calls the create-order bundle directly: a child process with the function's own environment (so
 * it reaches the same DynamoDB Local the same way) loads the bundle and, for each request it is
 * sent, times only the handler call: no gateway, no HTTP, no IPC in the figure.
 */
class DirectHandler {
  private readonly child: ChildProcess;

  constructor(cloud: LocalCloud) {
    const fn = [
      ...(cloud.stacks.find((s) => s.stackName === variantStackName('sync'))?.runtime.functions.values() ??
        []),
    ].find((candidate) => candidate.definition.logicalId.startsWith('CreateOrder'));
    if (!fn) throw new Error('No create-order function in the sync stack');
    const { definition } = fn;
    this.child = spawn(
      process.execPath,
      ['-e', DIRECT_RUNNER, definition.handlerModulePath, definition.handlerExport, ORDER],
      {
        env: { PATH: process.env.PATH, ...definition.environment },
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      },
    );
  }

  /** Milliseconds one handler call took. */
  public latency(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (message: { latency?: number; error?: string }) =>
        message.latency === undefined ? reject(new Error(message.error)) : resolve(message.latency),
      );
      this.child.send('call');
    });
  }

  public stop(): void {
    this.child.kill();
  }
}

/** Loads a bundle; on each message calls its handler once and answers with the time it took. */
const DIRECT_RUNNER = `
const [modulePath, exportName, body] = process.argv.slice(1);
// The handler file as Lambda finds it: index.js, index.mjs (an ES module) or index.cjs.
const file = ['.js', '.mjs', '.cjs'].map((extension) => modulePath + extension).find((candidate) => require('node:fs').existsSync(candidate));
const loaded = file.endsWith('.mjs') ? import(require('node:url').pathToFileURL(file).href) : Promise.resolve(require(file));
process.on('message', async () => {
  const handler = (await loaded)[exportName];
  const key = require('node:crypto').randomUUID();
  const event = {
    resource: '/orders', path: '/orders', httpMethod: 'POST', body, isBase64Encoded: false,
    headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
    multiValueHeaders: {}, queryStringParameters: null, multiValueQueryStringParameters: null,
    pathParameters: null, stageVariables: null,
    requestContext: { requestId: key, stage: 'prod', httpMethod: 'POST', resourcePath: '/orders', identity: {} },
  };
  const context = { functionName: 'direct', awsRequestId: key, getRemainingTimeInMillis: () => 10000 };
  const started = performance.now();
  const result = await handler(event, context);
  const latency = performance.now() - started;
  process.send(result.statusCode === 201 ? { latency } : { error: 'direct call answered ' + result.statusCode });
});
`;

/** Alternates gateway and direct calls, so both see the same machine and table state. */
async function syncLatencies(
  cloud: LocalCloud,
  requests: number,
): Promise<{ gateway: number[]; direct: number[] }> {
  const direct = new DirectHandler(cloud);
  try {
    for (let i = 0; i < 20; i++) {
      // Warm both: JIT, connections, the worker.
      await gatewayLatency(cloud);
      await direct.latency();
    }
    const gatewayTimes: number[] = [];
    const directTimes: number[] = [];
    for (let i = 0; i < requests; i++) {
      gatewayTimes.push(await gatewayLatency(cloud));
      directTimes.push(await direct.latency());
    }
    return { gateway: gatewayTimes, direct: directTimes };
  } finally {
    direct.stop();
  }
}

async function throughput(cloud: LocalCloud, stackName: string, seconds: number, concurrency: number) {
  const deadline = performance.now() + seconds * 1000;
  const statuses = new Map<number, number>();
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await postOrder(cloud, stackName);
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const ok = [...statuses].filter(([status]) => status < 300).reduce((sum, [, count]) => sum + count, 0);
  return { requestsPerSecond: ok / elapsed, statuses: Object.fromEntries(statuses) };
}

/** Waits until the stack's queue holds no message, visible or in flight. */
async function queueDrained(cloud: LocalCloud, stackName: string): Promise<void> {
  const client = new SQSClient({
    endpoint: cloud.sqsEndpoint,
    region: cloud.stacks.find((stack) => stack.stackName === stackName)?.region,
    credentials: LOCAL_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
  });
  try {
    for (;;) {
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: cloud.outputs[stackName].QueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      if (
        Number(Attributes?.ApproximateNumberOfMessages) +
          Number(Attributes?.ApproximateNumberOfMessagesNotVisible) ===
        0
      ) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    client.destroy();
  }
}

/**
 * Milliseconds from launching `npm run local -- --variants sync` (as a user does, on free ports,
 * with a synthesized assembly of the bench's own, as `cdk.out/local` would be reused) to its first
 * 201 on `POST /orders`: median of `runs`.
 */
async function timeFirstAnswers(runs: number): Promise<number> {
  const projectRoot = path.join(__dirname, '..');
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-first-answer-assembly-'));
  const times: number[] = [];
  try {
    synthesizeForLocalCloud({ projectRoot, outdir: assemblyDir, variants: ['sync'], force: true });
    for (let run = 0; run < runs; run++) times.push(await timeFirstAnswer(projectRoot, assemblyDir));
  } finally {
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
  return percentile(times, 50);
}

async function timeFirstAnswer(projectRoot: string, assemblyDir: string): Promise<number> {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-first-answer-'));
  const outputsFile = path.join(workdir, 'outputs.json');
  const started = performance.now();
  // Its own process group, so that stopping it reaches npm, the local cloud and DynamoDB Local.
  const child = spawn(
    'npm',
    [
      'run',
      'local',
      '--',
      '--assembly',
      assemblyDir,
      '--outputs-file',
      outputsFile,
      '--state-file',
      path.join(workdir, 'state.json'),
      '--api-port',
      '0',
      '--dynamodb-port',
      '0',
      '--sqs-port',
      '0',
      '--control-port',
      '0',
    ],
    { cwd: projectRoot, stdio: 'ignore', detached: true },
  );
  child.on('error', () => undefined);
  // Whatever ends this process (Ctrl-C included), the local cloud goes with it.
  const killGroup = (): void => signalGroup(child, 'SIGKILL');
  process.once('exit', killGroup);
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`npm run local exited (${child.exitCode}) before answering`);
      if (performance.now() - started > 60_000) throw new Error('npm run local did not answer within 60 s');
      const outputs = fs.existsSync(outputsFile)
        ? (JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>)
        : undefined;
      const stack = outputs?.[variantStackName('sync')];
      if (stack) {
        const response = await fetch(`${stack.ApiUrl}orders`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': stack.ApiKeyValue,
            'Idempotency-Key': randomUUID(),
          },
          body: ORDER,
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        await response?.arrayBuffer();
        if (response?.status === 201) return performance.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    // SIGINT, as Ctrl-C would: the local cloud stops what it started; then nothing of the group is left.
    const exited = new Promise((resolve) =>
      child.exitCode === null ? child.once('exit', resolve) : resolve(undefined),
    );
    signalGroup(child, 'SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    signalGroup(child, 'SIGKILL');
    process.removeListener('exit', killGroup);
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

/** Sends a signal to a detached child's whole process group; a group already gone is fine. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-'));
  try {
    console.log(`Synthesizing sync and async (unthrottled) into ${assemblyDir}...`);
    synthesizeForLocalCloud({
      projectRoot: path.join(__dirname, '..'),
      outdir: assemblyDir,
      variants: ['sync', 'async'],
      capacity: UNTHROTTLED,
      force: true,
    });

    console.log(`Startup: ${options.startupRuns} runs each...`);
    const startup = await timeStartups(assemblyDir, options.startupRuns);
    console.log(`First answer of npm run local -- --variants sync: ${options.startupRuns} runs...`);
    const firstAnswerMs = await timeFirstAnswers(options.startupRuns);

    const cloud = await startLocalCloud({
      assemblyDir,
      log: () => undefined,
      functionLogSink: () => undefined,
    });
    try {
      console.log(
        `Sync latency: ${options.latencyRequests} sequential POSTs, alternately through the gateway and directly...`,
      );
      const { gateway: viaGateway, direct } = await syncLatencies(cloud, options.latencyRequests);

      console.log(
        `Throughput: ${options.concurrency} concurrent clients for ${options.throughputSeconds} s per path...`,
      );
      const sync = await throughput(
        cloud,
        variantStackName('sync'),
        options.throughputSeconds,
        options.concurrency,
      );
      await Promise.all(cloud.regions.map((region) => region.setEventSourcesEnabled(false)));
      const async = await throughput(
        cloud,
        variantStackName('async'),
        options.throughputSeconds,
        options.concurrency,
      );
      const drainStarted = performance.now();
      await Promise.all(cloud.regions.map((region) => region.setEventSourcesEnabled(true)));
      await queueDrained(cloud, variantStackName('async'));
      const drainSeconds = (performance.now() - drainStarted) / 1000;

      const rows = [
        {
          measure: 'startup: local cloud vs DynamoDB Local alone (median)',
          value: `${startup.cloudMs.toFixed(0)} ms vs ${startup.dynamoDbMs.toFixed(0)} ms`,
          ratio: startup.cloudMs / startup.dynamoDbMs,
          goal: '≤ 1.5',
        },
        {
          measure: 'npm run local -- --variants sync: launch to first 201 vs the goal of 2,500 ms (median)',
          value: `${firstAnswerMs.toFixed(0)} ms vs 2500 ms (DynamoDB Local alone: ${startup.dynamoDbMs.toFixed(0)} ms)`,
          ratio: firstAnswerMs / 2500,
          goal: '≤ 1',
        },
        {
          measure: 'sync POST p50: through the gateway vs handler called directly',
          value: `${percentile(viaGateway, 50).toFixed(1)} ms vs ${percentile(direct, 50).toFixed(1)} ms`,
          ratio: percentile(viaGateway, 50) / percentile(direct, 50),
          goal: '≤ 1.25',
        },
        {
          measure: 'accepted requests/s: async vs sync',
          value: `${async.requestsPerSecond.toFixed(0)} vs ${sync.requestsPerSecond.toFixed(0)}`,
          ratio: async.requestsPerSecond / sync.requestsPerSecond,
          goal: '≥ 3',
        },
      ];
      console.log();
      console.table(rows.map((row) => ({ ...row, ratio: row.ratio.toFixed(2) })));
      console.log(
        `p95 sync POST: gateway ${percentile(viaGateway, 95).toFixed(1)} ms, direct ${percentile(direct, 95).toFixed(1)} ms; ` +
          `statuses: sync ${JSON.stringify(sync.statuses)}, async ${JSON.stringify(async.statuses)}`,
      );
      console.log(
        `The consumer, paused while the async path was measured, then wrote the ${async.statuses[202] ?? 0} queued orders in ${drainSeconds.toFixed(1)} s.`,
      );
      console.log(
        `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`,
      );
    } finally {
      await cloud.stop();
    }
  } finally {
    fs.rmSync(assemblyDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:local: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
