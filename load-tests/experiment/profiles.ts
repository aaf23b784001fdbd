/**
 * The experiment's profiles: how long each part runs and at what load. `quick` is what `npm start`
 * runs by default (every variant within 5 minutes on a 2-core machine); `full` runs longer phases
 * for steadier figures.
 */

/** One level of the ramp: an open-model arrival rate of new orders. */
export interface RampLevel {
  /** e.g. `ramp-3`. */
  readonly name: string;
  /** New orders per second (each is one `POST /orders`, plus its retries). */
  readonly arrivalRate: number;
  readonly durationSeconds: number;
}

/** The durations and loads of one experiment run. */
export interface ExperimentProfile {
  /** `quick`, `full`, or a name of the caller's own. */
  readonly name: string;
  /**
   * Light load before the ramp, not measured: it starts the functions' workers (Lambda's cold
   * starts), which would otherwise land in the first level of whichever variant runs first.
   */
  readonly warmUpSeconds: number;
  /** At least five levels, lowest first (latency against load: the research's Figure 1). */
  readonly rampLevels: readonly RampLevel[];
  /** Orders per second while the faults are injected. */
  readonly faultArrivalRate: number;
  /** Steady load before the first fault. */
  readonly leadInSeconds: number;
  /** How long each fault is in force. */
  readonly faultSeconds: number;
  /** Steady load after each fault is healed, before the next one (recovery is measured in it). */
  readonly recoverySeconds: number;
  /**
   * Interval of the local Route 53 stand-in's health checks (the template says 10 s; a short run
   * scales it down, and the report says so).
   */
  readonly healthCheckIntervalMillis: number;
  /**
   * How many times faster CloudWatch's clock runs for the alarms the local cloud computes (periods
   * and evaluations; see `LocalCloudOptions.alarms`): the same speed-up as the health checks', so
   * that the alarm checks and the endpoint checks of a region keep their proportions.
   */
  readonly alarmTimeScale: number;
  /** Longest wait for the queues to drain (and replication to catch up) after the load. */
  readonly drainTimeoutSeconds: number;
  /**
   * Seconds the whole `npm start` may take, synthesis included; the drains are cut short to keep
   * it. Undefined: no budget.
   */
  readonly budgetSeconds?: number;
}

/** The profiles' names. */
export const PROFILE_NAMES = ['quick', 'full'] as const;

/** A profile's name. */
export type ProfileName = (typeof PROFILE_NAMES)[number];

/**
 * The ramp's arrival rates. On a 2-core machine the synchronous path saturates near 100 orders/s
 * (its 25 reserved workers), the asynchronous accept path near 400; the top level sits between, so
 * Table 1 compares the paths where they differ.
 */
const RAMP_RATES = [50, 100, 200, 275, 350];

function ramp(durationSeconds: number): RampLevel[] {
  return RAMP_RATES.map((arrivalRate, index) => ({
    name: `ramp-${index + 1}`,
    arrivalRate,
    durationSeconds,
  }));
}

/**
 * Orders per second of the warm-up. Constant, so its first order comes within 50 ms of the load's
 * start: the ramp's level windows are timed from that first order.
 */
export const WARM_UP_ARRIVAL_RATE = 20;

/** The profiles by name. */
export const PROFILES: Readonly<Record<ProfileName, ExperimentProfile>> = {
  quick: {
    name: 'quick',
    warmUpSeconds: 3,
    rampLevels: ramp(2),
    faultArrivalRate: 20,
    leadInSeconds: 1,
    faultSeconds: 4,
    recoverySeconds: 5,
    healthCheckIntervalMillis: 1_000,
    alarmTimeScale: 10,
    drainTimeoutSeconds: 60,
    // The promise is 5 minutes on a 2-core machine; 30 s of it are left for Node, npm and tsx.
    budgetSeconds: 270,
  },
  full: {
    name: 'full',
    warmUpSeconds: 10,
    rampLevels: ramp(20),
    faultArrivalRate: 30,
    leadInSeconds: 10,
    faultSeconds: 20,
    recoverySeconds: 20,
    healthCheckIntervalMillis: 2_000,
    alarmTimeScale: 5,
    drainTimeoutSeconds: 300,
  },
};

/** The profile of a name; throws naming the profiles for an unknown one. */
export function profileNamed(name: string): ExperimentProfile {
  if ((PROFILE_NAMES as readonly string[]).includes(name)) return PROFILES[name as ProfileName];
  throw new Error(`--profile must be one of ${PROFILE_NAMES.join(', ')} (given ${name})`);
}

/**
 * Steady load after the last fault's recovery period, so that the 5 s windows recovery is judged by
 * can complete for the last fault too.
 */
export const TRAILING_SECONDS = 2;

/** Seconds the fault timeline of a variant with `faultCount` faults lasts. */
export function faultTimelineSeconds(profile: ExperimentProfile, faultCount: number): number {
  return (
    profile.leadInSeconds + faultCount * (profile.faultSeconds + profile.recoverySeconds) + TRAILING_SECONDS
  );
}
