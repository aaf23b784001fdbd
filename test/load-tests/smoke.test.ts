/**
 * Smoke runs of `npm run load` against the local cloud: the real Artillery, the real scenario
 * files and processor, through the CLI, with the `ensure` checks deciding the exit code.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { OrderPath } from '../../lib/config';
import { readRequestRecords } from '../../load-tests/client/request-log';
import type { LocalCloud } from '../../local-cloud/local-cloud';
import {
  startTestLocalCloud,
  sharedBundledAssembly,
  type TestAssembly,
} from '../local-cloud/synthesized-assembly';

const projectRoot = path.join(__dirname, '../..');

/** Runs `npm run load` as its script does; resolves with the exit code and the output. */
function runLoad(args: readonly string[]): Promise<{ exitCode: number | null; output: string }> {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  delete environment.RESILIENT_API_KEY;
  delete environment.RESULTS_FILE;
  delete environment.RUN_PHASE;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/load.ts', ...args], {
    cwd: projectRoot,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ exitCode, output }));
  });
}

/**
 * Starts two warm workers of every function behind each API (a cold start of a local worker can
 * take seconds on a busy machine): the smoke runs measure a warm API, as a deployed one would be.
 */
async function warmUp(cloud: LocalCloud): Promise<void> {
  const requests = Object.values(cloud.outputs).flatMap((outputs) => {
    const headers = { 'x-api-key': outputs.ApiKeyValue, 'content-type': 'application/json' };
    const warm = () => [
      fetch(`${outputs.ApiUrl}health`, { signal: AbortSignal.timeout(60_000) }),
      fetch(`${outputs.ApiUrl}orders/${randomUUID()}`, { headers, signal: AbortSignal.timeout(60_000) }),
      fetch(`${outputs.ApiUrl}orders`, {
        method: 'POST',
        headers: { ...headers, 'Idempotency-Key': randomUUID() },
        body: JSON.stringify({ customerId: 'warm-up', items: [{ sku: 'SKU-1', quantity: 1 }] }),
        signal: AbortSignal.timeout(60_000),
      }),
    ];
    return [...warm(), ...warm()];
  });
  const answers = await Promise.all(requests);
  await Promise.all(answers.map((answer) => answer.arrayBuffer()));
}

describe('npm run load against the local cloud', () => {
  let assembly: TestAssembly;
  let cloud: LocalCloud;
  let workdir: string;
  let outputsFile: string;

  beforeAll(async () => {
    assembly = sharedBundledAssembly();
    cloud = await startTestLocalCloud(assembly.directory);
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-tests-'));
    outputsFile = path.join(workdir, 'outputs.json');
    fs.writeFileSync(outputsFile, JSON.stringify(cloud.outputs));
    await warmUp(cloud);
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    assembly?.remove();
    if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
  });

  test.each<[OrderPath, number]>([
    ['sync', 201],
    ['async', 202],
  ])(
    'smoke on %s: ensure holds (exit 0); every order is acknowledged with %d, no 5xx, no attempt without an answer',
    async (variant, acknowledgement) => {
      // GIVEN the local cloud's outputs and a results file
      const resultsFile = path.join(workdir, `smoke-${variant}.jsonl`);

      // WHEN the smoke scenario runs through the CLI
      const { exitCode, output } = await runLoad([
        '--variant',
        variant,
        '--scenario',
        'smoke',
        '--outputs',
        outputsFile,
        '--results-file',
        resultsFile,
        '--phase',
        `smoke-${variant}`,
      ]);

      // THEN Artillery's ensure checks and expectations held
      expect({ exitCode, output }).toEqual({
        exitCode: 0,
        output: expect.stringContaining('ok: client.server_errors == 0'),
      });
      // AND every attempt is recorded; every order was acknowledged with the variant's status
      const records = readRequestRecords(resultsFile);
      const orders = records.filter((record) => record.endpoint === 'POST /orders' && !record.duplicate);
      const orderIds = new Set(orders.map((record) => record.orderId));
      // (10 virtual users, nine in ten of them place an order)
      expect(orderIds.size).toBeGreaterThanOrEqual(5);
      const acknowledged = new Set(
        orders.filter((record) => record.status === acknowledgement).map((record) => record.orderId),
      );
      expect(acknowledged).toEqual(orderIds);
      expect(records.filter((record) => record.status === null || record.status >= 500)).toEqual([]);
      expect(records.filter((record) => record.endpoint === 'GET /health' && record.status !== 200)).toEqual(
        [],
      );
      expect(records.filter((record) => record.phase !== `smoke-${variant}`)).toEqual([]);
      // AND every order was read back (after the consumer wrote it, for async)
      const read = new Set(
        records
          .filter((record) => record.endpoint === 'GET /orders/{id}' && record.status === 200)
          .map((r) => r.orderId),
      );
      expect(read).toEqual(orderIds);
    },
    90_000,
  );

  test('fails if an ensure threshold cannot hold: Artillery exits non-zero', async () => {
    // GIVEN a threshold no run can meet (p95 below 0 ms)
    const overrides = {
      config: {
        phases: [{ duration: 1, arrivalRate: 2 }],
        ensure: { thresholds: [{ 'client.response_time.p95': 0 }] },
      },
    };

    // WHEN the smoke scenario runs with it
    const { exitCode, output } = await runLoad([
      '--variant',
      'sync',
      '--scenario',
      'smoke',
      '--outputs',
      outputsFile,
      '--overrides',
      JSON.stringify(overrides),
    ]);

    // THEN the check fails and so does the run
    expect(output).toContain('fail: client.response_time.p95 < 0');
    expect(exitCode).not.toBe(0);
  }, 60_000);
});
