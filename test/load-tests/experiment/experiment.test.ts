/**
 * The experiment end to end on a tiny profile: the async variant in the local cloud, Artillery's
 * load through warm-up, ramp and the fault timeline, then the report files. What `npm start` runs,
 * only shorter.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCloudAssembly } from '../../../local-cloud/assembly/cloud-assembly';
import { estimateVariantCost, PRICES_US_EAST_1 } from '../../../load-tests/cost';
import { runExperiment, type ExperimentOutcome } from '../../../load-tests/experiment/experiment';
import type { ExperimentProfile } from '../../../load-tests/experiment/profiles';
import type { ExperimentResults } from '../../../load-tests/report';
import { localEndpoints } from '../../harness/local-aws';
import {
  synthesizeAssembly,
  uniqueNamePrefix,
  type TestAssembly,
} from '../../local-cloud/synthesized-assembly';

/** Seconds, not minutes: five low levels (under the default throttles) and short faults. */
const TINY: ExperimentProfile = {
  name: 'test',
  warmUpSeconds: 1,
  rampLevels: [2, 4, 6, 8, 10].map((arrivalRate, index) => ({
    name: `ramp-${index + 1}`,
    arrivalRate,
    durationSeconds: 1,
  })),
  faultArrivalRate: 10,
  leadInSeconds: 1,
  faultSeconds: 2,
  recoverySeconds: 3,
  healthCheckIntervalMillis: 1000,
  alarmTimeScale: 10,
  drainTimeoutSeconds: 60,
};

describe('runExperiment (async variant, tiny profile)', () => {
  let assembly: TestAssembly;
  let reports: string;
  let outcome: ExperimentOutcome;

  beforeAll(async () => {
    assembly = synthesizeAssembly({ variants: ['async'], bundle: true });
    reports = fs.mkdtempSync(path.join(os.tmpdir(), 'experiment-reports-'));
    outcome = await runExperiment({
      profile: TINY,
      variants: ['async'],
      assemblyDir: assembly.directory,
      projectRoot: path.join(__dirname, '../../..'),
      reportsDirectory: reports,
      localCloud: {
        emulators: { dynamodbEndpoint: localEndpoints().dynamoDb, sqsEndpoint: localEndpoints().sqs },
        namePrefix: uniqueNamePrefix(),
      },
    });
  }, 240_000);

  afterAll(() => {
    assembly?.remove();
    if (reports) fs.rmSync(reports, { recursive: true, force: true });
  });

  test('measures every ramp level and injects the single-region faults in order', () => {
    const [async] = outcome.results.variants;
    expect(async.variant).toBe('async');
    expect(async.loadLevels.map((level) => level.targetRps)).toEqual([2, 4, 6, 8, 10]);
    for (const level of async.loadLevels) expect(level.metrics.requests).toBeGreaterThan(0);
    expect(async.faults.map((fault) => fault.name)).toEqual([
      'function-crash',
      'dependency-outage',
      'latency-injection',
      'region-outage',
    ]);
    for (const fault of async.faults) {
      expect(fault.endedAt - fault.startedAt).toBeGreaterThanOrEqual(2000);
    }
  });

  test('the queue buffers orders through DynamoDB and consumer faults: available throughout', () => {
    const [async] = outcome.results.variants;
    for (const name of ['dependency-outage', 'latency-injection', 'function-crash']) {
      expect(async.faults.find((fault) => fault.name === name)?.availability).toBe(1);
    }
    // With its only region partitioned, attempts fail until it is back.
    expect(async.faults.find((fault) => fault.name === 'region-outage')?.attemptSuccessRate).toBe(0);
  });

  test('loses no acknowledged order once the queue has drained', () => {
    const [async] = outcome.results.variants;
    expect(async.lostAcknowledgements.acknowledged).toBeGreaterThan(50);
    expect(async.lostAcknowledgements.lostIds).toEqual([]);
    // Drained (null would mean the bound passed first), within the profile's drain bound.
    const drainMs = outcome.runs.get('async')?.drainMs;
    expect(drainMs).toBeGreaterThanOrEqual(0);
    expect(drainMs).toBeLessThanOrEqual(TINY.drainTimeoutSeconds * 1000);
  });

  test("counts the run's cold starts of the variant's own functions, by part of the run", () => {
    const [async] = outcome.results.variants;
    const coldStarts = async.coldStarts;
    expect(coldStarts).toBeDefined();
    expect(coldStarts?.parts.reduce((sum, part) => sum + part.count, 0)).toBe(coldStarts?.total);
    const functions = readCloudAssembly(assembly.directory)
      .stacks.filter((stack) => stack.stackName === 'ResilientApi-async')
      .flatMap((stack) =>
        Object.entries(stack.template.Resources)
          .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
          .map(([logicalId]) => logicalId),
      );
    const named = coldStarts?.parts.flatMap((part) => part.functions.map(({ function: name }) => name)) ?? [];
    expect(named.filter((name) => !functions.includes(name))).toEqual([]);
    expect(fs.readFileSync(outcome.report.markdown, 'utf8')).toContain('Cold starts');
  });

  test('says where the time went: the local cloud, the variant phase by phase, the report', () => {
    const phases = outcome.phaseMillis.map(([phase]) => phase);
    expect(phases).toEqual(['local cloud start', 'async', 'report']);
    const asyncRun = outcome.runs.get('async');
    expect(asyncRun?.phaseMillis.map(([phase]) => phase)).toEqual([
      'prewarm',
      'ramp',
      'faults',
      'drain',
      'tables',
    ]);
    // The variant's phases account for its time (a few milliseconds go to the cost model)
    const variantMillis = outcome.phaseMillis[1][1];
    const phaseSum = (asyncRun?.phaseMillis ?? []).reduce((sum, [, millis]) => sum + millis, 0);
    expect(phaseSum).toBeLessThanOrEqual(variantMillis);
    expect(phaseSum).toBeGreaterThan(variantMillis - 1_000);
  });

  test('writes results.json, report.md, report.html and the raw records', () => {
    const { report } = outcome;
    const written = JSON.parse(fs.readFileSync(report.resultsJson, 'utf8')) as ExperimentResults;
    expect(written.run.profile).toBe('test');
    expect(written).toEqual(JSON.parse(JSON.stringify(outcome.results)));
    // The cost is the model's estimate for the async stack's template at the us-east-1 prices.
    const asyncTemplates = readCloudAssembly(assembly.directory)
      .stacks.filter((stack) => stack.stackName === 'ResilientApi-async')
      .map((stack) => stack.template);
    expect(asyncTemplates).toHaveLength(1);
    const expectedCost = estimateVariantCost({
      variant: 'async',
      templates: asyncTemplates,
      prices: PRICES_US_EAST_1,
    });
    expect(written.variants[0].cost?.perMillionRequestsUsd).toBeCloseTo(
      expectedCost.perMillionRequestsUsd,
      9,
    );
    expect(fs.readFileSync(report.markdown, 'utf8')).toContain('Table 2');
    expect(fs.readFileSync(report.html, 'utf8')).toContain('<svg');
    const records = fs.readFileSync(path.join(report.directory, 'async.records.jsonl'), 'utf8');
    expect(records.trim().split('\n').length).toBe(outcome.runs.get('async')?.records);
  });
});
