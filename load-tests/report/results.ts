/**
 * The results of one experiment run: everything the report is made from, written raw to
 * `results.json`. The experiment runner fills it; the report functions only read it.
 */
import type { VariantCost } from '../cost/cost-model';
import type { ColdStartSummary } from '../metrics/cold-starts';
import type { FaultMetrics, TimelineBucket } from '../metrics/fault-metrics';
import type { RequestMetrics } from '../metrics/request-metrics';
import type { ResilienceScore } from '../metrics/resilience-score';

/**
 * Version of the `results.json` shape; raise it when the shape changes incompatibly. 2: a fault's
 * `availability` is per client operation (the attempt-level figure moved to `attemptSuccessRate`).
 */
export const RESULTS_SCHEMA_VERSION = 2;

/** The machine the run happened on. */
export interface MachineInfo {
  /** e.g. `linux 6.1.0 x64`. */
  readonly os: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  /** Node.js version, e.g. `v20.19.0`. */
  readonly node: string;
}

/** Metadata of the run. */
export interface RunMetadata {
  /** ISO timestamps. */
  readonly startedAt: string;
  readonly endedAt: string;
  /** `quick` or `full`. */
  readonly profile: string;
  /** Commit the run was made from (with `-dirty` when the tree had changes); `null` outside git. */
  readonly gitCommit: string | null;
  /** Where the stacks ran, e.g. `local cloud` or an outputs file. */
  readonly target: string;
  readonly machine: MachineInfo;
  /** Anything a reader must know about this run (noisy machine, skipped parts…). */
  readonly notes?: readonly string[];
}

/** One load level of the ramp. */
export interface LoadLevelResult {
  /** e.g. `ramp-3`. */
  readonly name: string;
  /** Offered arrival rate, requests per second. */
  readonly targetRps: number;
  /** Metrics of the attempts started during the level. */
  readonly metrics: RequestMetrics;
}

/** One injected fault and what it did. */
export interface FaultResult extends FaultMetrics {
  /** What was done, e.g. `DynamoDB down (fault proxy refuses connections)`. */
  readonly description: string;
}

/** The success rate around one fault, for the failover timeline. */
export interface FailoverTimeline {
  /** Name of the fault the timeline is centred on. */
  readonly fault: string;
  /** Seconds from the timeline's origin (the fault's start) at which the fault started and ended. */
  readonly faultFromSecond: number;
  readonly faultToSecond: number;
  /** Success rate per 1 s bucket (see `successRateTimeline`). */
  readonly buckets: readonly TimelineBucket[];
}

/** Everything measured for one variant. */
export interface VariantResults {
  /** `sync`, `async` or `multi`. */
  readonly variant: string;
  /** The ramp's load levels, lowest first. */
  readonly loadLevels: readonly LoadLevelResult[];
  readonly faults: readonly FaultResult[];
  /** Mean recovery time of the faults that recovered; `null` if none did. */
  readonly mttrMs: number | null;
  /** Faults that never recovered (left out of the MTTR). */
  readonly unrecoveredFaults: number;
  readonly resilience: ResilienceScore;
  readonly timeline?: FailoverTimeline;
  /** Orders acknowledged (201/202) and the ids of those absent once the queues drained. */
  readonly lostAcknowledgements: { readonly acknowledged: number; readonly lostIds: readonly string[] };
  readonly cost?: VariantCost;
  /** The functions' cold starts, by part of the run (absent when the run did not record them). */
  readonly coldStarts?: ColdStartSummary;
}

/** The results of one experiment run. */
export interface ExperimentResults {
  readonly schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  readonly run: RunMetadata;
  readonly variants: readonly VariantResults[];
}
