/**
 * Runs one variant through the experiment: one Artillery run whose phases are the ramp's levels and
 * then a steady load, while the fault plan is injected and healed on a timeline; then waits for the
 * queues to drain and reads which acknowledged orders were stored.
 */
import * as path from 'node:path';
import type { LocalCloud, LocalStack } from '../../local-cloud/local-cloud';
import { startLapTimes } from '../../local-cloud/lap-times';
import { findFunctionByReference } from '../../local-cloud/lambda/function-reference';
import { runArtillery } from '../artillery-runner';
import { readRequestRecords } from '../client/request-log';
import type { FaultWindow, RequestRecord, TimeWindow } from '../metrics';
import type { VariantRunData } from '../report/variant-results';
import { faultPlan, type PlannedFault, type VariantLayout } from './fault-plan';
import { faultTimelineSeconds, WARM_UP_ARRIVAL_RATE, type ExperimentProfile } from './profiles';
import { storedOrderIds, waitForDrain, shortenVisibilityTimeouts, queueDepths } from './queue-drain';
import { RecordTail } from './record-tail';

/** Seconds the run's visibility timeout exceeds the consumer's timeout. */
export const VISIBILITY_MARGIN_SECONDS = 5;

/**
 * Visibility timeout of the variant's queues during the run: the longest consumer timeout plus
 * {@link VISIBILITY_MARGIN_SECONDS} (the template's is six times it), so a failed batch comes back
 * within the run but never while Powertools still holds its idempotency record "in progress"
 * (which expires with the invocation's timeout); shorter, a redelivered duplicate would fail as in
 * progress until the message reached the dead-letter queue. `undefined` without a consumer.
 */
export function experimentVisibilityTimeoutSeconds(stacks: readonly LocalStack[]): number | undefined {
  // The mappings name their function by name or ARN, qualified by its alias.
  const timeouts = stacks.flatMap((stack) =>
    stack.runtime.eventSources.map(
      (source) =>
        findFunctionByReference([...stack.runtime.functions.values()], source.functionReference).definition
          .timeoutSeconds,
    ),
  );
  return timeouts.length === 0 ? undefined : Math.max(...timeouts) + VISIBILITY_MARGIN_SECONDS;
}

/** The shortest wait for a variant's queues to drain, whatever the budget says. */
export const MIN_DRAIN_MILLIS = 5_000;

/**
 * How long a drain that starts `now` may wait: the profile's drainTimeoutSeconds, or until
 * `deadline` when that comes sooner, but never under {@link MIN_DRAIN_MILLIS}.
 */
export function drainBoundMillis(
  profile: ExperimentProfile,
  now: number,
  deadline: number | undefined,
): number {
  const profileBound = profile.drainTimeoutSeconds * 1000;
  if (deadline === undefined) return profileBound;
  return Math.min(profileBound, Math.max(MIN_DRAIN_MILLIS, deadline - now));
}

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
  /**
   * When the wait for the queues to drain (and replication to catch up) must end, in epoch
   * milliseconds, so that the experiment keeps its time budget. The wait is never longer than the
   * profile's `drainTimeoutSeconds`, nor shorter than {@link MIN_DRAIN_MILLIS}.
   * @default - no deadline: the profile's drainTimeoutSeconds
   */
  readonly drainDeadline?: number;
  /** The experiment's log. @default - none */
  readonly log?: (line: string) => void;
}

/** What one variant's run produced, for the report and the console. */
export interface VariantRun {
  readonly data: Omit<VariantRunData, 'cost'>;
  /** Exit codes of the two Artillery runs (non-zero when a functional check failed; see the log). */
  readonly artilleryExitCodes: { readonly ramp: number; readonly faults: number };
  /** Milliseconds the queues took to drain after the load, or `null` if they did not in time. */
  readonly drainMs: number | null;
  /**
   * Messages still queued or in flight when the drain ended (0 when it completed): acknowledged
   * orders among them are not lost, only not yet written, yet the lost-acknowledgement count
   * includes them.
   */
  readonly pendingAfterDrain: number;
  readonly deadLetters: number;
  readonly records: number;
  /** The queues' visibility timeout during the run; `undefined` without a consumer (sync). */
  readonly visibilityTimeoutSeconds?: number;
  /** Where the variant's time went, phase by phase, in milliseconds (in the order they ran). */
  readonly phaseMillis: ReadonlyArray<readonly [phase: string, millis: number]>;
}

/** Runs the ramp and the fault timeline against a variant; see the module comment. */
export async function runVariant(options: RunVariantOptions): Promise<VariantRun> {
  const { cloud, profile, variant, stacks } = options;
  const log = options.log ?? (() => {});
  /** A line of the experiment's log about this variant. */
  const note = (text: string): void => log(`${new Date().toISOString()} experiment: ${variant} ${text}`);
  const phases = startLapTimes();
  const layout: VariantLayout = {
    variant,
    regions: stacks.map((stack) => stack.region),
    stackNames: stacks.map((stack) => stack.stackName),
  };
  const faults = faultPlan(cloud, layout);
  const rampSeconds = profile.rampLevels.reduce((sum, level) => sum + level.durationSeconds, 0);
  const faultSeconds = faultTimelineSeconds(profile, faults.length);
  const totalSeconds = profile.warmUpSeconds + rampSeconds + faultSeconds;
  const resultsFile = path.join(options.workDirectory, `${variant}.records.jsonl`);
  const visibilityTimeoutSeconds = experimentVisibilityTimeoutSeconds(stacks);
  const hasConsumer = visibilityTimeoutSeconds !== undefined;
  if (hasConsumer) await shortenVisibilityTimeouts(cloud, stacks, visibilityTimeoutSeconds);

  // The ramp measures the accept paths. In AWS the consumer runs on its own compute; here it would
  // take CPU from the API it is measured against, so the event source mappings pause during the
  // ramp (orders wait in the queue) and resume for the fault timeline, where the backlog drains.
  const regions = cloud.regions.filter((region) => layout.regions.includes(region.region));
  if (hasConsumer) await Promise.all(regions.map((region) => region.setEventSourcesEnabled(false)));
  // Start the order-writing functions' workers up to their reserved concurrency before the load,
  // (on-demand workers, not the template's provisioned concurrency): on 2 cores, dozens of cold starts at once would otherwise be
  // what the first levels measure.
  for (const stack of stacks) {
    for (const fn of stack.runtime.functions.values()) {
      if (/^(CreateOrder|ProcessOrders)/.test(fn.definition.logicalId)) await fn.prewarm(fn.concurrencyLimit);
    }
  }
  phases.lap('prewarm');
  // The cold starts from here on are this run's (its functions' logical ids, by function name).
  const coldStartsBefore = cloud.coldStarts.length;
  const logicalIds = new Map(
    stacks.flatMap((stack) =>
      [...stack.runtime.functions.values()].map((fn) => [
        fn.definition.functionName,
        fn.definition.logicalId,
      ]),
    ),
  );
  const tail = new RecordTail(resultsFile);
  const startedAt = Date.now();
  const faultWindows: Array<FaultWindow & { description: string }> = [];
  let phase = 'starting';
  // Each run's first record marks when its load started: the ramp's windows and the faults follow
  // that clock, not the moment Artillery was launched.
  let runStartedAt: number | undefined;
  let onFirstRecord: ((at: number) => void) | undefined;
  let seenRecords = 0;
  /** Seconds of load of the runs that ended, and of the one running: the progress bar's share. */
  let loadSeconds = 0;
  let currentRunSeconds = 0;
  const progress = setInterval(() => {
    const polled = tail.poll();
    if (polled.total > seenRecords && onFirstRecord) {
      const first = Math.min(...polled.latest.map((record) => record.startedAt));
      runStartedAt = first;
      onFirstRecord(first);
      onFirstRecord = undefined;
    }
    seenRecords = polled.total;
    const elapsedRun = runStartedAt === undefined ? 0 : (Date.now() - runStartedAt) / 1000;
    options.onProgress?.({
      variant,
      phase,
      elapsedSeconds: Math.round((Date.now() - startedAt) / 1000),
      requestsPerSecond: polled.latest.length,
      errors: polled.serviceFailures,
      done: Math.min(1, (loadSeconds + Math.min(elapsedRun, currentRunSeconds)) / totalSeconds),
    });
  }, 1000);
  const loadStarts = (): Promise<number> =>
    new Promise<number>((resolve) => {
      // Whatever the previous run wrote is read now, so only the next run's records start it.
      seenRecords = tail.poll().total;
      runStartedAt = undefined;
      onFirstRecord = resolve;
    });

  const sleepUntil = (epochMs: number) =>
    new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));

  const rampTimeline = async (origin: number): Promise<void> => {
    phase = 'warm-up';
    let levelStart = origin + profile.warmUpSeconds * 1000;
    await sleepUntil(levelStart);
    for (const level of profile.rampLevels) {
      phase = level.name;
      levelStart += level.durationSeconds * 1000;
      await sleepUntil(levelStart);
    }
    phase = 'ramp retries';
  };

  const faultTimeline = async (origin: number): Promise<void> => {
    phase = 'lead-in';
    let next = origin + profile.leadInSeconds * 1000;
    for (const fault of faults) {
      await sleepUntil(next);
      phase = fault.name;
      const window = await injectFor(fault, profile.faultSeconds * 1000);
      faultWindows.push(window);
      phase = 'recovery';
      next = window.endedAt + profile.recoverySeconds * 1000;
    }
  };

  const artillery = (
    phases: Array<Record<string, unknown>>,
    variables: Record<string, string | number | boolean>,
  ) =>
    runArtillery({
      scenario: 'failover',
      target: options.targetUrl.replace(/\/$/, ''),
      apiKey: options.apiKey,
      resultsFile,
      phase: variant,
      variables: {
        // The experiment measures the order path; reads would halve the orders a level offers,
        // and health probes are not client operations (Route 53's own checks run anyway).
        readBack: false,
        healthProbes: false,
        duplicateShare: 0.05,
        // An attempt with no answer after 5 s is a timeout and is retried (the API's own limit is 29 s).
        requestTimeoutMs: 5000,
        ...variables,
      },
      // The experiment judges the run by its metrics, not by the scenario's pass/fail checks.
      overrides: { config: { phases, ensure: { thresholds: [], conditions: [] } } },
      onOutput: options.onArtilleryOutput ?? (() => {}),
    });

  let rampExitCode: number;
  let faultsExitCode: number;
  let rampOrigin: number | undefined;
  try {
    // 1. The ramp, with a short retry budget: it measures latency against load, and a long one
    //    would keep a saturated path's retries running into the faults.
    currentRunSeconds = profile.warmUpSeconds + rampSeconds;
    const rampStarted = loadStarts().then((origin) => {
      rampOrigin = origin;
      return rampTimeline(origin);
    });
    const ramp = await artillery(
      [
        {
          name: 'warm-up',
          duration: profile.warmUpSeconds,
          arrivalRate: WARM_UP_ARRIVAL_RATE,
        },
        ...profile.rampLevels.map((level) => ({
          name: level.name,
          duration: level.durationSeconds,
          arrivalRate: level.arrivalRate,
        })),
      ],
      { maxAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 1000 },
    );
    rampExitCode = ramp.exitCode;
    await rampStarted;
    phases.lap('ramp');
    loadSeconds = currentRunSeconds;
    if (hasConsumer) await Promise.all(regions.map((region) => region.setEventSourcesEnabled(true)));

    // 2. Steady load while the faults are injected and healed, with the failover scenario's
    //    client: about 30 s of retrying covers a failover's detection time.
    currentRunSeconds = faultSeconds;
    const faultsStarted = loadStarts().then(faultTimeline);
    const steady = await artillery(
      [{ name: 'faults', duration: faultSeconds, arrivalRate: profile.faultArrivalRate }],
      { maxAttempts: 10, retryBaseDelayMs: 200, retryMaxDelayMs: 5000 },
    );
    faultsExitCode = steady.exitCode;
    await faultsStarted;
    phases.lap('faults');
  } finally {
    clearInterval(progress);
    // A fault left in force by a failed run must not leak into the next variant.
    await cloud.faults.clear();
    if (hasConsumer) await Promise.all(regions.map((region) => region.setEventSourcesEnabled(true)));
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
  if (hasConsumer) {
    // Batches that failed during the load would otherwise wait out the run's visibility timeout.
    // The timeout itself stays: a shorter one hands a message out again while a slow batch still
    // holds its Powertools "in progress" record, and after maxReceiveCount such failures the
    // message would reach the dead-letter queue, an acknowledged order lost (seen with 3 s on a
    // busy machine). A released message that fails again waits the whole timeout.
    const released = await Promise.all(regions.map((region) => region.releaseFailedMessages()));
    note(`made ${released.reduce((sum, count) => sum + count, 0)} messages of failed batches visible again`);
  }
  const drainTimeoutMillis = drainBoundMillis(profile, Date.now(), options.drainDeadline);
  const drainDeadline = Date.now() + drainTimeoutMillis;
  // The first count is logged at once, then one every 5 s.
  let lastDrainLog = Number.NEGATIVE_INFINITY;
  const drainMs = await waitForDrain(cloud, stacks, drainTimeoutMillis, (queued) => {
    if (Date.now() - lastDrainLog < 5_000) return;
    lastDrainLog = Date.now();
    note(`draining, ${queued} messages queued or in flight`);
  });
  const { pending, deadLetters } = await queueDepths(cloud, stacks);
  if (drainMs === null) {
    note(`drain bound of ${drainTimeoutMillis} ms passed with ${pending} messages queued or in flight`);
  }
  phases.lap('drain');
  // The surviving region of a multi-region run is the last one (the primary was taken down).
  const survivor = stacks[stacks.length - 1];
  const stored = await storedOrderIdsWhenReplicated(
    cloud,
    stacks,
    survivor,
    Math.max(0, drainDeadline - Date.now()),
  );
  phases.lap(stacks.length > 1 ? 'replication and tables' : 'tables');

  const records: RequestRecord[] = readRequestRecords(resultsFile);
  const origin = rampOrigin ?? startedAt;
  const loadLevels: Array<{ name: string; targetRps: number; window: TimeWindow }> = [];
  let from = origin + profile.warmUpSeconds * 1000;
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
      coldStarts: cloud.coldStarts.slice(coldStartsBefore).flatMap((coldStart) => {
        const logicalId = logicalIds.get(coldStart.functionName);
        return logicalId === undefined
          ? []
          : [{ function: logicalId, at: coldStart.at, initDurationMs: coldStart.initDurationMs }];
      }),
    },
    artilleryExitCodes: { ramp: rampExitCode, faults: faultsExitCode },
    drainMs,
    deadLetters,
    records: records.length,
    visibilityTimeoutSeconds,
    pendingAfterDrain: pending,
    phaseMillis: phases.laps,
  };
}

async function injectFor(
  fault: PlannedFault,
  durationMs: number,
): Promise<FaultWindow & { description: string }> {
  await fault.inject();
  const startedAt = Date.now();
  // A timer may fire a millisecond early by Date.now(); the fault stays at least its duration.
  for (let left = durationMs; left > 0; left = startedAt + durationMs - Date.now()) {
    await new Promise((resolve) => setTimeout(resolve, left));
  }
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
