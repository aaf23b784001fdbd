/**
 * Runs one load-test scenario with Artillery in a child process: `order-flows.yml` merged with
 * `scenarios/<name>.yml`, the processor bundled by esbuild, the target and API key given, and the
 * per-attempt records written where asked. `npm run load` and the experiment both run scenarios
 * through here.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { API_KEY_ENVIRONMENT_VARIABLE } from './targets';

/** The scenarios, one file each in `load-tests/scenarios/`. */
export const SCENARIOS = ['smoke', 'ramp', 'spike', 'soak', 'throttle', 'failover'] as const;

/** A scenario's name. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** The virtual users every scenario runs. */
export const ORDER_FLOWS_FILE = path.join(__dirname, 'order-flows.yml');

/** The file of a scenario: its phases, client settings and `ensure` checks. */
export function scenarioFile(scenario: ScenarioName): string {
  return path.join(__dirname, 'scenarios', `${scenario}.yml`);
}

/** Environment variables the processor reads in Artillery's workers. */
export const PROCESSOR_ENVIRONMENT = {
  /** File the processor appends one `RequestRecord` per attempt to (JSON Lines). */
  resultsFile: 'RESULTS_FILE',
  /** Label the processor writes into each record's `phase`. */
  phase: 'RUN_PHASE',
} as const;

/** Options of {@link runArtillery}. */
export interface ArtilleryRunOptions {
  readonly scenario: ScenarioName;
  /** Base URL of the API stage, without the trailing slash. */
  readonly target: string;
  /** API key value, sent as `x-api-key` (given to Artillery in its environment, not its arguments). */
  readonly apiKey: string;
  /**
   * Artillery variables that override the scenario's, e.g. `{ duplicateShare: 0.3 }`.
   * @default - the scenario's
   */
  readonly variables?: Readonly<Record<string, string | number | boolean>>;
  /**
   * Artillery `--overrides`: merged into the script, arrays replaced (e.g. `{ config: { phases: [...] } }`).
   * @default - none
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /**
   * Where the processor appends one `RequestRecord` per attempt.
   * @default - no records
   */
  readonly resultsFile?: string;
  /**
   * Label written into each record's `phase`.
   * @default - none
   */
  readonly phase?: string;
  /**
   * Where Artillery writes its JSON report (`--output`).
   * @default - no report file
   */
  readonly reportFile?: string;
  /**
   * Receives Artillery's output (stdout and stderr).
   * @default - the output goes to this process's stdout and stderr
   */
  readonly onOutput?: (text: string) => void;
}

/** How an Artillery run ended. */
export interface ArtilleryRunResult {
  /** Artillery's exit code: 0 when every `ensure` check and `expect` held. */
  readonly exitCode: number;
}

const projectRoot = path.join(__dirname, '..');

/**
 * Bundles the processor and the telemetry preload into a fresh folder below `node_modules/.cache`
 * (so the preload finds Artillery from there). Each run has its own folder: Artillery's own
 * TypeScript support writes one shared `dist/` beside the processor and deletes it at exit, which
 * concurrent runs would trip over.
 */
function bundle(): { folder: string; processor: string; preload: string } {
  const cache = path.join(projectRoot, 'node_modules', '.cache', 'load-tests');
  fs.mkdirSync(cache, { recursive: true });
  const folder = fs.mkdtempSync(path.join(cache, 'run-'));
  buildSync({
    entryPoints: {
      processor: path.join(__dirname, 'processor.ts'),
      'artillery-offline': path.join(__dirname, 'artillery-offline.ts'),
    },
    outdir: folder,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // The preload resolves them at run time, from where the bundle lies.
    external: ['artillery/package.json', 'posthog-node'],
    logLevel: 'warning',
  });
  return {
    folder,
    processor: path.join(folder, 'processor.js'),
    preload: path.join(folder, 'artillery-offline.js'),
  };
}

/** The arguments of `node` that run Artillery for these options. */
export function artilleryArguments(
  options: ArtilleryRunOptions,
  bundled: { readonly processor: string; readonly preload: string },
): string[] {
  const overrides = {
    ...options.overrides,
    config: { ...(options.overrides?.config as object | undefined), processor: bundled.processor },
  };
  return [
    '--require',
    bundled.preload,
    require.resolve('artillery/bin/run'),
    'run',
    ORDER_FLOWS_FILE,
    scenarioFile(options.scenario),
    '--target',
    options.target,
    '--overrides',
    JSON.stringify(overrides),
    ...(options.variables && Object.keys(options.variables).length > 0
      ? ['--variables', JSON.stringify(options.variables)]
      : []),
    ...(options.reportFile ? ['--output', options.reportFile] : []),
  ];
}

/**
 * Runs the scenario and resolves with Artillery's exit code once it has ended (non-zero when an
 * `ensure` check or an `expect` failed, or Artillery could not run).
 */
export async function runArtillery(options: ArtilleryRunOptions): Promise<ArtilleryRunResult> {
  const bundled = bundle();
  try {
    const child = spawn(process.execPath, artilleryArguments(options, bundled), {
      cwd: projectRoot,
      stdio: ['ignore', options.onOutput ? 'pipe' : 'inherit', options.onOutput ? 'pipe' : 'inherit'],
      env: {
        ...process.env,
        [API_KEY_ENVIRONMENT_VARIABLE]: options.apiKey,
        ...(options.resultsFile
          ? { [PROCESSOR_ENVIRONMENT.resultsFile]: path.resolve(options.resultsFile) }
          : {}),
        ...(options.phase ? { [PROCESSOR_ENVIRONMENT.phase]: options.phase } : {}),
        // Artillery still sends a minimal event with this set; artillery-offline.ts stops that.
        ARTILLERY_DISABLE_TELEMETRY: 'true',
      },
    });
    const forward = (chunk: Buffer) => options.onOutput?.(chunk.toString());
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      // A child ended by a signal exits like a shell reports it: 128 + the signal's number.
      child.once('close', (code, signal) =>
        resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)),
      );
    });
    return { exitCode };
  } finally {
    fs.rmSync(bundled.folder, { recursive: true, force: true });
  }
}
