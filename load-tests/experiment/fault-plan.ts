/**
 * The research's five induced failures, mapped to what the local cloud can do to a variant. Each
 * fault is injected and healed by the experiment on a timeline, while steady load runs.
 */
import type { LocalCloud } from '../../local-cloud/local-cloud';

/**
 * The five fault events, in the order the experiment injects them. The faults whose messages come
 * back only after the visibility timeout (35 s in the experiment) go first, so that this happens
 * while the timeline still runs rather than in the drain after it: the function crash (its batch
 * returns), then SQS unreachable (a receive whose answer was cut off has already hidden its
 * messages on the queue's side).
 */
export const FAULT_NAMES = [
  'function-crash',
  'health-misrouting',
  'dependency-outage',
  'latency-injection',
  'region-outage',
] as const;

/** A fault event's name. */
export type FaultName = (typeof FAULT_NAMES)[number];

/** One fault the experiment injects into a running variant. */
export interface PlannedFault {
  readonly name: FaultName;
  /** What is done, for the report. */
  readonly description: string;
  inject(): Promise<void>;
  heal(): Promise<void>;
}

/** What the plan needs to know about the variant's stacks. */
export interface VariantLayout {
  /** `sync`, `async` or `multi`. */
  readonly variant: string;
  /** The regions the variant runs in, primary first. */
  readonly regions: readonly string[];
  /** Stack name per region, primary first. */
  readonly stackNames: readonly string[];
}

/** Share of invocations that crash during `function-crash`. */
export const CRASH_RATE = 0.3;

/** Latency added to every DynamoDB call during `latency-injection`, in ms. */
export const INJECTED_LATENCY_MS = 400;

/**
 * The faults for a variant. `health-misrouting` needs a second region to route to, so the
 * single-region variants skip it; their `region-outage` has nowhere to fail over to, which is
 * what the research's single-region figures show.
 */
export function faultPlan(cloud: LocalCloud, layout: VariantLayout): PlannedFault[] {
  const [primaryRegion] = layout.regions;
  const [primaryStack] = layout.stackNames;
  const multi = layout.regions.length > 1;
  const orderWriter = layout.variant === 'sync' ? 'CreateOrder' : 'ProcessOrders';
  const orderWriterReference = `${primaryStack}/${orderWriter}`;
  const misrouting: PlannedFault[] = multi
    ? [
        {
          name: 'health-misrouting',
          description: `SQS unreachable in ${primaryRegion}: its API answers 503 and its deep health check fails, while the Route 53 stand-in keeps routing there until the checks fail`,
          inject: () => cloud.faults.setQueueFault({ down: true }, primaryRegion),
          heal: () => cloud.faults.setQueueFault({}, primaryRegion),
        },
      ]
    : [];
  const faults: PlannedFault[] = [
    {
      name: 'function-crash',
      description: `${CRASH_RATE * 100}% of ${orderWriter} invocations in ${primaryRegion} crash`,
      inject: () =>
        Promise.resolve(cloud.faults.setFunctionFault(orderWriterReference, { errorRate: CRASH_RATE })),
      heal: () => Promise.resolve(cloud.faults.setFunctionFault(orderWriterReference, {})),
    },
    ...misrouting,
    {
      name: 'dependency-outage',
      description: `DynamoDB down in ${primaryRegion} (connections refused), then back`,
      inject: () => cloud.faults.setDynamoDbFault({ down: true }, primaryRegion),
      heal: () => cloud.faults.setDynamoDbFault({}, primaryRegion),
    },
    {
      name: 'latency-injection',
      description: `every DynamoDB call in ${primaryRegion} ${INJECTED_LATENCY_MS} ms slower`,
      inject: () => cloud.faults.setDynamoDbFault({ latencyMs: INJECTED_LATENCY_MS }, primaryRegion),
      heal: () => cloud.faults.setDynamoDbFault({}, primaryRegion),
    },
  ];
  faults.push({
    name: 'region-outage',
    description: multi
      ? `${primaryRegion} partitioned (its API refuses connections); the Route 53 stand-in fails over`
      : `${primaryRegion} partitioned (its API refuses connections); no other region to fail over to`,
    inject: () => cloud.faults.setRegionDown(primaryRegion, true),
    heal: () => cloud.faults.setRegionDown(primaryRegion, false),
  });
  return faults;
}
