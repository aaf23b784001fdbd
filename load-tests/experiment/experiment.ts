/**
 * The experiment behind `npm start`: every variant in the local cloud, one after the other, through
 * the ramp and the fault timeline (Artillery drives the load, the local cloud's faults the chaos);
 * then the metrics, the cost model and the report.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Variant } from '../../lib/config';
import { readCloudAssembly } from '../../local-cloud/assembly/cloud-assembly';
import {
  startLocalCloud,
  type LocalCloud,
  type LocalCloudOptions,
  type LocalStack,
} from '../../local-cloud/local-cloud';
import { estimateVariantCost, PRICES_US_EAST_1 } from '../cost';
import { variantStackNames } from '../../lib/stacks/stack-names';
import { resolveLoadTarget } from '../targets';
import {
  buildVariantResults,
  gitCommit,
  machineInfo,
  RESULTS_SCHEMA_VERSION,
  writeReport,
  type ExperimentResults,
  type VariantResults,
  type WrittenReport,
} from '../report';
import { runVariant, VISIBILITY_MARGIN_SECONDS, type VariantProgress, type VariantRun } from './run-variant';
import { faultPlan } from './fault-plan';
import { faultTimelineSeconds, type ExperimentProfile } from './profiles';

/** Options of {@link runExperiment}. */
export interface ExperimentOptions {
  readonly profile: ExperimentProfile;
  /** Variants to run, in this order. */
  readonly variants: readonly Variant[];
  /** The synthesized cloud assembly holding the variants' stacks. */
  readonly assemblyDir: string;
  /** The project's root (for the git commit). */
  readonly projectRoot: string;
  /** Where `reports/<timestamp>/` goes. */
  readonly reportsDirectory: string;
  readonly onProgress?: (progress: VariantProgress) => void;
  /** The local cloud's and the experiment's own log lines. */
  readonly log?: (line: string) => void;
  /**
   * When the run must be over (epoch milliseconds): each variant's wait for its queues to drain is
   * cut short so that the variants after it (their planned load and overhead) and the report still
   * fit; a drain cut short is reported in the notes.
   * @default - no deadline: each drain waits up to the profile's drainTimeoutSeconds
   */
  readonly deadline?: number;
  /**
   * More options of the local cloud, e.g. emulators that already run (the tests').
   * @default - it starts its own DynamoDB Local and SQS emulator
   */
  readonly localCloud?: Pick<LocalCloudOptions, 'emulators' | 'namePrefix'>;
}

/** What {@link runExperiment} produced. */
export interface ExperimentOutcome {
  readonly results: ExperimentResults;
  readonly report: WrittenReport;
  readonly runs: ReadonlyMap<string, VariantRun>;
  /** Where the run's time went, phase by phase, in milliseconds (in the order they ran). */
  readonly phaseMillis: ReadonlyArray<readonly [phase: string, millis: number]>;
}

/**
 * Seconds a variant's run takes besides its load and its drain (worker prewarm, two Artillery
 * starts, the ramp's retries, reading the tables), measured on a 2-core machine with some margin.
 */
const VARIANT_OVERHEAD_SECONDS = 25;

/** Seconds of load a variant's run plans: warm-up, ramp and fault timeline. */
export function plannedLoadSeconds(profile: ExperimentProfile, faultCount: number): number {
  const ramp = profile.rampLevels.reduce((sum, level) => sum + level.durationSeconds, 0);
  return profile.warmUpSeconds + ramp + faultTimelineSeconds(profile, faultCount);
}

/** The variant's stacks in the local cloud, primary region first. */
function variantStacks(cloud: LocalCloud, variant: Variant): LocalStack[] {
  const names = variantStackNames(
    cloud.stacks.map((stack) => stack.stackName),
    variant,
  );
  if (names.length === 0) throw new Error(`The local cloud runs no stack of the ${variant} variant`);
  return cloud.stacks.filter((stack) => names.includes(stack.stackName));
}

/** Runs the experiment and writes the report. */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentOutcome> {
  const log = options.log ?? (() => {});
  const startedAt = new Date();
  const phaseMillis: Array<readonly [string, number]> = [];
  let phaseStartedAt = Date.now();
  const workDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'resilient-api-experiment-'));
  const assembly = readCloudAssembly(options.assemblyDir);
  const cloud = await startLocalCloud({
    assemblyDir: options.assemblyDir,
    log,
    functionLogSink: () => {},
    healthCheckIntervalMillis: options.profile.healthCheckIntervalMillis,
    alarms: { timeScale: options.profile.alarmTimeScale },
    ...options.localCloud,
  });
  phaseMillis.push(['local cloud start', Date.now() - phaseStartedAt]);
  const runs = new Map<string, VariantRun>();
  const variants: VariantResults[] = [];
  /** Seconds the variants after the current one need, and the report (a few seconds). */
  const secondsAfter = (index: number): number =>
    options.variants
      .slice(index + 1)
      .reduce(
        (sum, variant) =>
          sum + plannedLoadSeconds(options.profile, faultCountOf(cloud, variant)) + VARIANT_OVERHEAD_SECONDS,
        REPORT_SECONDS,
      );
  try {
    for (const [index, variant] of options.variants.entries()) {
      const variantStartedAt = Date.now();
      const stacks = variantStacks(cloud, variant);
      // The target `npm run load` would pick from the local outputs (GlobalUrl for multi).
      const target = resolveLoadTarget({
        outputs: cloud.outputs,
        variant,
        outputsFile: 'the local cloud outputs',
        outputsFileExplicit: false,
      });
      log(`${new Date().toISOString()} experiment: ${variant} against ${target.url}`);
      const run = await runVariant({
        cloud,
        variant,
        stacks,
        targetUrl: target.url,
        apiKey: target.apiKey,
        profile: options.profile,
        workDirectory,
        onProgress: options.onProgress,
        log,
        drainDeadline:
          options.deadline === undefined ? undefined : options.deadline - secondsAfter(index) * 1000,
      });
      runs.set(variant, run);
      const templates = assembly.stacks
        .filter((stack) => stacks.some((running) => running.stackName === stack.stackName))
        .map((stack) => stack.template);
      const cost = estimateVariantCost({ variant, templates, prices: PRICES_US_EAST_1 });
      variants.push(buildVariantResults({ ...run.data, cost }));
      phaseMillis.push([variant, Date.now() - variantStartedAt]);
    }
  } finally {
    await cloud.stop();
  }
  phaseStartedAt = Date.now();
  const results: ExperimentResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      profile: options.profile.name,
      gitCommit: gitCommit(options.projectRoot),
      target: 'local cloud (DynamoDB Local, fauxqs, local API Gateway, Lambda workers and Route 53 stand-in)',
      machine: machineInfo(),
      notes: experimentNotes(options.profile, runs),
    },
    variants,
  };
  const report = await writeReport(results, options.reportsDirectory);
  // The raw attempts go beside the report, so every figure can be recomputed from them.
  for (const variant of runs.keys()) {
    const records = path.join(workDirectory, `${variant}.records.jsonl`);
    if (fs.existsSync(records))
      fs.copyFileSync(records, path.join(report.directory, `${variant}.records.jsonl`));
  }
  fs.rmSync(workDirectory, { recursive: true, force: true });
  phaseMillis.push(['report', Date.now() - phaseStartedAt]);
  return { results, report, runs, phaseMillis };
}

/** Seconds writing the report takes, with margin. */
const REPORT_SECONDS = 5;

function faultCountOf(cloud: LocalCloud, variant: Variant): number {
  const stacks = variantStacks(cloud, variant);
  return faultPlan(cloud, {
    variant,
    regions: stacks.map((stack) => stack.region),
    stackNames: stacks.map((stack) => stack.stackName),
  }).length;
}

function experimentNotes(profile: ExperimentProfile, runs: ReadonlyMap<string, VariantRun>): string[] {
  const notes = [
    `Profile ${profile.name}: ramp levels of ${profile.rampLevels[0]?.durationSeconds ?? 0} s; each fault in force ${profile.faultSeconds} s, then ${profile.recoverySeconds} s of recovery, at ${profile.faultArrivalRate} orders/s.`,
    'Everything ran on one machine: the load generator, the local cloud and its emulators share the CPU, so absolute latencies are this machine’s, not AWS’s; compare the variants side by side.',
    'The experiment’s assembly is synthesized with the API throttles far above what one machine can send, so the ramp measures the paths (Lambda concurrency, the queue, DynamoDB), not the usage plans; `npm run load -- --variant sync --scenario throttle` checks the 429s.',
    `Queue visibility timeouts are shortened to the consumer's timeout + ${VISIBILITY_MARGIN_SECONDS} s (the template's: six times the consumer timeout) so failed batches are retried within the run; when the queues drain after the load, the messages of batches that failed during the load are made visible at once instead of after that timeout (no fault is in force then and nothing is measured but which orders were written).`,
    'Before each variant runs, the workers of its order-writing functions are started up to their reserved concurrency (a storm of local cold starts on 2 cores is not what the ramp measures; these are on-demand workers started ahead, not provisioned concurrency, which the templates do not have and the cost does not include); a 20 orders/s warm-up precedes the ramp and is not measured.',
    'During the ramp the consumers are paused (orders wait in the queue, as behind a busy consumer): in AWS they run on their own compute, here they would take the CPU of the accept path being measured. They resume for the fault timeline, where the backlog drains.',
    `The Route 53 stand-in's health checks run every ${profile.healthCheckIntervalMillis / 1000} s instead of the template's interval; the failure threshold is the template's.`,
    `The alarms are computed from the run's own metrics, with CloudWatch's clock ${profile.alarmTimeScale} times faster (a 5-minute period lasts ${300 / profile.alarmTimeScale} s, evaluations come every ${60 / profile.alarmTimeScale} s), as the health checks are; in multi a region whose region-health alarms fire leaves DNS as it would on AWS.`,
  ];
  for (const [variant, run] of runs) {
    notes.push(
      `${variant}: ${run.records} attempts; queues drained in ${run.drainMs === null ? `more than the time left (${run.pendingAfterDrain} messages still queued or in flight, counted as lost acknowledgements if they were acknowledged orders)` : `${(run.drainMs / 1000).toFixed(1)} s`}; ${run.deadLetters} dead letters${run.visibilityTimeoutSeconds === undefined ? '' : `; visibility timeout ${run.visibilityTimeoutSeconds} s`}; Artillery exit codes ${run.artilleryExitCodes.ramp} (ramp) and ${run.artilleryExitCodes.faults} (faults).`,
    );
  }
  return notes;
}
