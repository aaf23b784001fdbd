/**
 * Runs one variant through the experiment: one Artillery run whose phases are the ramp's levels and
 * then a steady load, while the fault plan is injected and healed on a timeline; then waits for the
 * queues to drain and reads which acknowledged orders were stored.
 */
import * as path from 'node:path';
import type { LocalCloud, LocalStack } from '../../local-cloud/local-cloud';
import { runArtillery } from '../artillery-runner';
import { readRequestRecords } from '../client/request-log';
import type { FaultWindow, RequestRecord, TimeWindow } from '../metrics';
import type { VariantRunData } from '../report/variant-results';
import { faultPlan, type PlannedFault, type VariantLayout } from './fault-plan';
import { faultTimelineSeconds, type ExperimentProfile } from './profiles';
import { storedOrderIds, waitForDrain, shortenVisibilityTimeouts, queueDepths } from './queue-drain';
import { RecordTail } from './record-tail';

/** Visibility timeout of the variant's queues during the run (the template's is 180 s). */
export const EXPERIMENT_VISIBILITY_TIMEOUT_SECONDS = 5;

/** What the progress display shows, once a second. */
export interface VariantProgress {
  readonly variant: string;
  /** `starting`, a ramp level, `lead-in`, a fault's name, `recovery`, `draining`. */
  readonly phase: string;
  readonly elapsedSeconds: number;
  /** Attempts started in the last second. */
  readonly requestsPerSecond: number;
  /** 5xx, timeouts and connection failures so far. */
  readonly errors: number;
  /** Share of the variant's planned load time that has passed, 0 to 1. */
  readonly done: number;
}

/** Options of {@link runVariant}. */
export interface RunVariantOptions {
  readonly cloud: LocalCloud;
  readonly variant: string;
  /** The variant's stacks, primary region first. */
  readonly stacks: readonly LocalStack[];
  /** Where the variant is called: its API URL, or the global URL of a multi-region variant. */
  readonly targetUrl: string;
  readonly apiKey: string;
  readonly profile: ExperimentProfile;
  /** Folder for the records and Artillery's output. */
  readonly workDirectory: string;
  readonly onProgress?: (progress: VariantProgress) => void;
  /** Receives Artillery's output. @default - kept in `<workDirectory>/<variant>.artillery.log` only */
  readonly onArtilleryOutput?: (text: string) => void;
}

/** What one variant's run produced, for the report and the console. */
export interface VariantRun {
  readonly data: Omit<VariantRunData, 'cost'>;
  readonly artilleryExitCode: number;
  /** Milliseconds the queues took to drain after the load, or `null` if they did not in time. */
  readonly drainMs: number | null;
  readonly deadLetters: number;
  readonly records: number;
}

/** Runs the ramp and the fault timeline against a variant; see the module comment. */
export async function runVariant(options: RunVariantOptions): Promise<VariantRun> {
  const { cloud, profile, variant, stacks } = options;
  const layout: VariantLayout = {
    variant,
    regions: stacks.map((stack) => stack.region),
    stackNames: stacks.map((stack) => stack.stackName),
  };
  const faults = faultPlan(cloud, layout);
  const rampSeconds = profile.rampLevels.reduce((sum, level) => sum + level.durationSeconds, 0);
  const faultSeconds = faultTimelineSeconds(profile, faults.length);
  const totalSeconds = rampSeconds + faultSeconds;
  const resultsFile = path.join(options.workDirectory, `${variant}.records.jsonl`);
  await shortenVisibilityTimeouts(cloud, stacks, EXPERIMENT_VISIBILITY_TIMEOUT_SECONDS);

  const tail = new RecordTail(resultsFile);
  const startedAt = Date.now();
  const faultWindows: Array<FaultWindow & { description: string }> = [];
  let phase = 'starting';
  let loadStartedAt: number | undefined;
  let timeline: Promise<void> | undefined;
  const progress = setInterval(() => {
    const polled = tail.poll();
    if (loadStartedAt === undefined && polled.firstStartedAt !== undefined) {
      loadStartedAt = polled.firstStartedAt;
      timeline = runTimeline(loadStartedAt);
    }
    const elapsedLoad = loadStartedAt === undefined ? 0 : (Date.now() - loadStartedAt) / 1000;
    options.onProgress?.({
      variant,
      phase,
      elapsedSeconds: Math.round((Date.now() - startedAt) / 1000),
      requestsPerSecond: polled.latest.length,
      errors: polled.serviceFailures,
      done: Math.min(1, elapsedLoad / totalSeconds),
    });
  }, 1000);

  const sleepUntil = (epochMs: number) =>
    new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

  // Faults follow the ramp on the load's own clock: the first record marks the ramp's start.
  const runTimeline = async (origin: number): Promise<void> => {
    let levelStart = origin;
    for (const level of profile.rampLevels) {
      phase = level.name;
      levelStart += level.durationSeconds * 1000;
      await sleepUntil(levelStart);
    }
    phase = 'lead-in';
    let next = levelStart + profile.leadInSeconds * 1000;
    for (const fault of faults) {
      await sleepUntil(next);
      phase = fault.name;
      const window = await injectFor(fault, profile.faultSeconds * 1000);
      faultWindows.push(window);
      phase = 'recovery';
      next = window.endedAt + profile.recoverySeconds * 1000;
    }
  };

  const artilleryLog: string[] = [];
  let artilleryExitCode: number;
  try {
    const result = await runArtillery({
      scenario: 'failover',
      target: options.targetUrl.replace(/\/$/, ''),
      apiKey: options.apiKey,
      resultsFile,
      phase: variant,
      variables: {
        // The experiment measures the order path; reads would halve the orders a level offers.
        readBack: false,
        duplicateShare: 0.05,
        maxAttempts: 6,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 2000,
      },
      overrides: {
        config: {
          phases: [
            ...profile.rampLevels.map((level) => ({
              name: level.name,
              duration: level.durationSeconds,
              arrivalRate: level.arrivalRate,
            })),
            { name: 'faults', duration: faultSeconds, arrivalRate: profile.faultArrivalRate },
          ],
          // The experiment judges the run by its metrics, not by the scenario's pass/fail checks.
          ensure: { thresholds: [], conditions: [] },
        },
      },
      onOutput: (text) => {
        artilleryLog.push(text);
        options.onArtilleryOutput?.(text);
      },
    });
    artilleryExitCode = result.exitCode;
    await timeline;
  } finally {
    clearInterval(progress);
    // A fault left in force by a failed run must not leak into the next variant.
    await cloud.faults.clear();
  }

  phase = 'draining';
  options.onProgress?.({
    variant,
    phase,
    elapsedSeconds: Math.round((Date.now() - startedAt) / 1000),
    requestsPerSecond: 0,
    errors: tail.poll().serviceFailures,
    done: 1,
  });
  const drainMs = await waitForDrain(cloud, stacks, profile.drainTimeoutSeconds * 1000);
  const { deadLetters } = await queueDepths(cloud, stacks);
  // The surviving region of a multi-region run is the last one (the primary was taken down).
  const survivor = stacks[stacks.length - 1];
  const stored = await storedOrderIdsWhenReplicated(
    cloud,
    stacks,
    survivor,
    profile.drainTimeoutSeconds * 1000,
  );

  const records: RequestRecord[] = readRequestRecords(resultsFile);
  const origin = loadStartedAt ?? startedAt;
  const loadLevels: Array<{ name: string; targetRps: number; window: TimeWindow }> = [];
  let from = origin;
  for (const level of profile.rampLevels) {
    const to = from + level.durationSeconds * 1000;
    loadLevels.push({
      name: level.name,
      targetRps: level.arrivalRate,
      window: { startedAt: from, endedAt: to },
    });
    from = to;
  }
  return {
    data: {
      variant,
      records,
      loadLevels,
      faults: faultWindows,
      timelineFault: faults.some((fault) => fault.name === 'region-outage') ? 'region-outage' : undefined,
      storedOrderIds: stored,
    },
    artilleryExitCode,
    drainMs,
    deadLetters,
    records: records.length,
  };
}

async function injectFor(
  fault: PlannedFault,
  durationMs: number,
): Promise<FaultWindow & { description: string }> {
  await fault.inject();
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  await fault.heal();
  return { name: fault.name, description: fault.description, startedAt, endedAt: Date.now() };
}

/**
 * The order ids of the survivor's table once every region's table holds the same ids (replication
 * caught up), or after `timeoutMs` with what the survivor has then.
 */
async function storedOrderIdsWhenReplicated(
  cloud: LocalCloud,
  stacks: readonly LocalStack[],
  survivor: LocalStack,
  timeoutMs: number,
): Promise<Set<string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sets = await Promise.all(stacks.map((stack) => storedOrderIds(cloud, stack)));
    const survivorIds = sets[stacks.indexOf(survivor)];
    const converged = sets.every(
      (ids) => ids.size === survivorIds.size && [...ids].every((id) => survivorIds.has(id)),
    );
    if (converged || Date.now() > deadline) return survivorIds;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
