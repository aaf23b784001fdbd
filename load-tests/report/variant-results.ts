/** Builds a variant's results from its request records: every figure by the metrics functions. */
import type { VariantCost } from '../cost/cost-model';
import {
  acknowledgedOrderIds,
  summarizeColdStarts,
  lostAcknowledgements,
  resilienceScore,
  successRateTimeline,
  summarizeFaults,
  summarizeRequests,
  type ColdStartEvent,
  type FaultWindow,
  type RecoveryOptions,
  type RequestRecord,
  type TimeWindow,
} from '../metrics';
import type { VariantResults } from './results';

/** What the experiment runner knows about one variant's run. */
export interface VariantRunData {
  readonly variant: string;
  /** Every attempt of the variant's run (ramp and faults). */
  readonly records: readonly RequestRecord[];
  /** The ramp's levels with the window each was offered in. */
  readonly loadLevels: readonly {
    readonly name: string;
    readonly targetRps: number;
    readonly window: TimeWindow;
  }[];
  /** The injected faults, with what was done. */
  readonly faults: readonly (FaultWindow & { readonly description: string })[];
  /** The fault the failover timeline is centred on. @default - the first fault */
  readonly timelineFault?: string;
  /** Seconds of timeline before the fault and after it ends. @default 10 */
  readonly timelineMarginSeconds?: number;
  /** Stored order ids once the queues drained (a set or a lookup). */
  readonly storedOrderIds: ReadonlySet<string> | ((orderId: string) => boolean);
  readonly recovery?: RecoveryOptions;
  readonly cost?: VariantCost;
  /** The functions' cold starts during the run. @default - not recorded: no cold-start summary */
  readonly coldStarts?: readonly ColdStartEvent[];
}

/** Computes a `VariantResults` from the run's records. */
export function buildVariantResults(run: VariantRunData): VariantResults {
  const summary = summarizeFaults(run.records, run.faults, run.recovery);
  const timelineFault =
    run.timelineFault === undefined
      ? run.faults[0]
      : run.faults.find((fault) => fault.name === run.timelineFault);
  if (run.timelineFault !== undefined && timelineFault === undefined) {
    throw new Error(
      `No fault is named ${run.timelineFault} (faults: ${run.faults.map((f) => f.name).join(', ')})`,
    );
  }
  const marginMs = (run.timelineMarginSeconds ?? 10) * 1000;
  return {
    variant: run.variant,
    loadLevels: run.loadLevels.map((level) => ({
      name: level.name,
      targetRps: level.targetRps,
      metrics: summarizeRequests(run.records, level.window),
    })),
    faults: summary.faults.map((fault, index) => ({ ...fault, description: run.faults[index].description })),
    mttrMs: summary.mttrMs,
    unrecoveredFaults: summary.unrecovered,
    resilience: resilienceScore(run.records, run.faults),
    timeline:
      timelineFault === undefined
        ? undefined
        : {
            fault: timelineFault.name,
            faultFromSecond: 0,
            faultToSecond: (timelineFault.endedAt - timelineFault.startedAt) / 1000,
            buckets: successRateTimeline(run.records, {
              from: timelineFault.startedAt - marginMs,
              to: timelineFault.endedAt + marginMs,
              origin: timelineFault.startedAt,
            }),
          },
    lostAcknowledgements: lostAcknowledgements(acknowledgedOrderIds(run.records), run.storedOrderIds),
    cost: run.cost,
    coldStarts:
      run.coldStarts === undefined
        ? undefined
        : summarizeColdStarts(
            run.coldStarts,
            run.loadLevels.map((level) => ({ name: level.name, ...level.window })),
            run.faults,
          ),
  };
}
