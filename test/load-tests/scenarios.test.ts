/**
 * The scenario files as Artillery reads them: each merged with the order flows and checked by
 * Artillery's own script validator, every hook they name exported by the processor, and the
 * load levels each scenario promises.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CAPACITY } from '../../lib/config';
import {
  ORDER_FLOWS_FILE,
  SCENARIOS,
  scenarioFile,
  type ScenarioName,
} from '../../load-tests/artillery-runner';
import * as processor from '../../load-tests/processor';

interface Phase {
  readonly name?: string;
  readonly duration: number;
  readonly arrivalRate: number;
}

interface Script {
  readonly config: {
    readonly phases: Phase[];
    readonly variables?: Record<string, unknown>;
    readonly ensure?: {
      thresholds?: Array<Record<string, number>>;
      conditions?: Array<{ expression: string }>;
    };
    readonly [key: string]: unknown;
  };
  readonly scenarios: unknown[];
}

// Artillery's own parser, merge and validator, as `artillery run flows.yml scenario.yml` uses them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const artilleryUtil = require('artillery/util') as { parseScript(data: string): Promise<unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateScript = require('artillery/lib/util/validate-script') as (
  script: unknown,
) => string | undefined;
// Artillery's own lodash, which merges its config files.
const artilleryLodashMerge = require.resolve('lodash/merge', {
  paths: [path.dirname(require.resolve('artillery/package.json'))],
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const merge = require(artilleryLodashMerge) as <T>(...objects: unknown[]) => T;

async function mergedScript(scenario: ScenarioName): Promise<Script> {
  const flows = await artilleryUtil.parseScript(fs.readFileSync(ORDER_FLOWS_FILE, 'utf8'));
  const own = await artilleryUtil.parseScript(fs.readFileSync(scenarioFile(scenario), 'utf8'));
  return merge<Script>({}, flows, own, { config: { target: 'http://127.0.0.1:3001/prod' } });
}

/** Every string value under `key` anywhere in the value. */
function valuesOf(value: unknown, key: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesOf(item, key));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(k === key && typeof v === 'string' ? [v] : []),
    ...valuesOf(v, key),
  ]);
}

describe('scenario files', () => {
  test('one file per scenario, and no other', () => {
    const files = fs.readdirSync(path.dirname(scenarioFile('smoke'))).sort();
    expect(files).toEqual(SCENARIOS.map((scenario) => `${scenario}.yml`).sort());
  });

  test.each(SCENARIOS)('%s: valid for Artillery, with phases and strict ensure checks', async (scenario) => {
    const script = await mergedScript(scenario);
    expect(validateScript(script)).toBeUndefined();
    // Every phase is named (the experiment and the reports refer to phases by name) and sends load.
    expect(script.config.phases).not.toEqual([]);
    expect(
      script.config.phases.filter(
        (phase) => !(typeof phase.name === 'string' && phase.duration > 0 && phase.arrivalRate > 0),
      ),
    ).toEqual([]);
    // Strict: whatever share of 5xx or throttling a scenario tolerates, a client error (a mistake of
    // the load client, not a failure of the API) fails it.
    expect(script.config.ensure?.conditions?.map(({ expression }) => expression)).toContain(
      `${processor.CLIENT_COUNTERS.clientErrors} == 0`,
    );
  });

  test.each(SCENARIOS)('%s: client settings the processor accepts', async (scenario) => {
    const script = await mergedScript(scenario);
    expect(() => processor.clientSettingsOf(script.config.variables ?? {})).not.toThrow();
  });

  test('every hook the flows name is a function of the processor', async () => {
    const script = await mergedScript('smoke');
    const names = [
      'function',
      'beforeRequest',
      'afterResponse',
      'beforeScenario',
      'onError',
      'whileTrue',
      'ifTrue',
    ].flatMap((key) => valuesOf(script.scenarios, key));
    expect(names.length).toBeGreaterThan(10);
    const processorExports = processor as unknown as Record<string, unknown>;
    expect(names.filter((name) => typeof processorExports[name] !== 'function')).toEqual([]);
  });

  test('the HTTP engine sends only the health probe, named by its route; orders and reads are function steps', async () => {
    const script = await mergedScript('smoke');
    expect(new Set(valuesOf(script.scenarios, 'name').filter((name) => /^(GET|POST) /.test(name)))).toEqual(
      new Set([processor.ENDPOINTS.health]),
    );
    expect(valuesOf(script.scenarios, 'function')).toEqual(
      expect.arrayContaining(['sendOrderAttempt', 'sendReadAttempt']),
    );
  });

  test.each(SCENARIOS)(
    '%s: one client timeout: the HTTP engine has none of its own; the health probe sets requestTimeoutMs',
    async (scenario) => {
      const script = await mergedScript(scenario);
      const { http } = script.config as { http?: { timeout?: number }; timeout?: number };
      expect(http?.timeout).toBeUndefined();
      expect((script.config as { timeout?: number }).timeout).toBeUndefined();
      expect(valuesOf(script.scenarios, 'beforeRequest')).toEqual(['startHealthCheck']);
    },
  );

  test.each(SCENARIOS)('%s: fails on a failed functional check of the orders and reads', async (scenario) => {
    const conditions = (await mergedScript(scenario)).config.ensure?.conditions ?? [];
    expect(conditions.map(({ expression }) => expression)).toContain(
      `${processor.CLIENT_COUNTERS.unexpectedAnswers} == 0`,
    );
  });

  test('ramp steps up through at least five load levels', async () => {
    const rates = (await mergedScript('ramp')).config.phases.map((phase) => phase.arrivalRate);
    expect(rates.length).toBeGreaterThanOrEqual(5);
    expect(rates.filter((rate, index) => index > 0 && rate <= rates[index - 1])).toEqual([]);
  });

  test('throttle drives orders above the stage rate of the default capacity and expects 429s, not 5xx', async () => {
    const script = await mergedScript('throttle');
    const rate = Math.max(...script.config.phases.map((phase) => phase.arrivalRate));
    expect(rate).toBeGreaterThan(DEFAULT_CAPACITY.apiRateLimit);
    const conditions = script.config.ensure?.conditions?.map((condition) => condition.expression);
    expect(conditions).toEqual(
      expect.arrayContaining([
        'client.throttled_answers > 0',
        'client.server_errors == 0',
        'client.retry_after_missing == 0',
      ]),
    );
  });

  test('spike rises above the stage rate and falls back', async () => {
    const rates = (await mergedScript('spike')).config.phases.map((phase) => phase.arrivalRate);
    const peak = Math.max(...rates);
    expect(peak).toBeGreaterThan(DEFAULT_CAPACITY.apiRateLimit);
    expect(rates[0]).toBeLessThan(peak / 5);
    expect(rates[rates.length - 1]).toBeLessThan(peak / 5);
  });

  test('ensure expressions name only metrics that exist: Artillery metrics or the processor counters and histograms', async () => {
    const known = new Set<string>(Object.values(processor.CLIENT_COUNTERS));
    for (const scenario of SCENARIOS) {
      const { ensure } = (await mergedScript(scenario)).config;
      const names = [
        ...(ensure?.conditions ?? []).flatMap(
          ({ expression }) => expression.match(/[a-z_]+(\.[a-z0-9_]+)+/g) ?? [],
        ),
        ...(ensure?.thresholds ?? []).flatMap((threshold) => Object.keys(threshold)),
      ];
      const unknown = names.filter(
        (name) =>
          !known.has(name) &&
          !/^(http|client)\.(requests|codes\.\d{3}|response_time\.(p50|p95|p99|max|median))$/.test(name),
      );
      expect({ scenario, unknown }).toEqual({ scenario, unknown: [] });
    }
  });
});
