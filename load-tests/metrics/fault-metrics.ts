/** Availability during faults, recovery time, MTTR and the success-rate timeline. */
import {
  groupOperations,
  operationAvailability,
  operationsStartedWithin,
  type Operation,
} from './operations';
import { successRate, tallySuccesses } from './outcome';
import type { FaultWindow, RequestRecord } from './request-record';
import { startedWithin } from './request-metrics';

/** How recovery is detected. */
export interface RecoveryOptions {
  /** Length of the window that must reach `threshold`. @default 5000 */
  readonly windowMs?: number;
  /** Step between the starts of consecutive candidate windows (sliding windows). @default 1000 */
  readonly stepMs?: number;
  /** Success rate a window must reach. @default 0.99 */
  readonly threshold?: number;
  /** Fewest counted attempts a window needs to be evidence of anything. @default 1 */
  readonly minRequests?: number;
  /**
   * Epoch ms until which requests were observed; only windows that end by then are complete
   * enough to judge. @default - just after the last attempt's start
   */
  readonly observedUntil?: number;
}

/** The figures of one fault. */
export interface FaultMetrics {
  readonly name: string;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Attempts started inside the fault window (retries included). */
  readonly requests: number;
  /** Client operations whose first attempt started inside the fault window. */
  readonly operations: number;
  /**
   * Availability as a client with a retry policy sees it (see `availabilityDuring`): of the
   * operations whose first attempt started inside the window, the share that eventually succeeded,
   * client mistakes left out; `null` if none.
   */
  readonly availability: number | null;
  /**
   * Success rate (see `successRate`) of the attempts started inside the fault window: how often the
   * API itself answered 2xx, whatever the client's retries made of it; `null` if none.
   */
  readonly attemptSuccessRate: number | null;
  /**
   * Milliseconds from the fault's start to the start of the first complete window that reached the
   * threshold; `null` if none did before the observation ended (never recovered).
   */
  readonly recoveryMs: number | null;
}

/** The figures of all the faults of one run. */
export interface FaultSummary {
  readonly faults: readonly FaultMetrics[];
  /** Mean `recoveryMs` of the faults that recovered; `null` if none did. */
  readonly mttrMs: number | null;
  /** Faults that never recovered: left out of the MTTR and reported here instead. */
  readonly unrecovered: number;
}

/**
 * Availability during a fault, as the client experiences it: attempts are grouped into operations
 * (see `groupOperations`), and of the operations whose first attempt started inside the window —
 * wherever their retries landed, even after the window's end — the share that eventually succeeded
 * (some attempt 2xx), the operations that ended with the client's own mistake left out (see
 * `operationAvailability`). During a region outage with DNS failover, the attempts sent before the
 * failover fail, yet the operations whose retries reached the surviving region succeeded. `null`
 * when no operation started in the window.
 */
export function availabilityDuring(records: readonly RequestRecord[], fault: FaultWindow): number | null {
  return operationAvailability(operationsStartedWithin(groupOperations(records), fault));
}

/**
 * The attempt-level figure kept beside availability: the success rate (see `successRate`) of the
 * attempts started inside the fault window, retries counted as attempts of their own.
 */
export function attemptSuccessRateDuring(
  records: readonly RequestRecord[],
  fault: FaultWindow,
): number | null {
  return successRate(startedWithin(records, fault));
}

/**
 * Recovery time of a fault: sliding windows of `windowMs` start at the fault's start and every
 * `stepMs` after it; the recovery time is the offset of the first complete window with at least
 * `minRequests` counted attempts whose success rate reaches `threshold`. A fault the API never
 * noticed recovers at 0. `null` when no window qualified. Measured on attempts, not operations: it
 * is the moment the API itself answers again, which client retries would blur.
 */
export function recoveryTime(
  records: readonly RequestRecord[],
  fault: FaultWindow,
  options: RecoveryOptions = {},
): number | null {
  const windowMs = options.windowMs ?? 5000;
  const stepMs = options.stepMs ?? 1000;
  const threshold = options.threshold ?? 0.99;
  const minRequests = options.minRequests ?? 1;
  if (!(windowMs > 0 && stepMs > 0)) {
    throw new RangeError(`Recovery windowMs and stepMs must be positive (given ${windowMs} and ${stepMs})`);
  }
  const after = records.filter((record) => record.startedAt >= fault.startedAt);
  const lastStart = after.reduce((latest, record) => Math.max(latest, record.startedAt), -Infinity);
  const observedUntil = options.observedUntil ?? lastStart + 1;
  for (let offset = 0; fault.startedAt + offset + windowMs <= observedUntil; offset += stepMs) {
    const windowStart = fault.startedAt + offset;
    const inWindow = startedWithin(after, { startedAt: windowStart, endedAt: windowStart + windowMs });
    const { counted, successes } = tallySuccesses(inWindow);
    if (counted > 0 && counted >= minRequests && successes / counted >= threshold) return offset;
  }
  return null;
}

/**
 * Availability (operations), attempt success rate and recovery time of every fault, and the MTTR:
 * the mean recovery time of the faults that recovered. A fault that never recovered has no recovery time to average; it is counted in
 * `unrecovered` (and shown as such in the report) rather than guessed.
 */
export function summarizeFaults(
  records: readonly RequestRecord[],
  faults: readonly FaultWindow[],
  options: RecoveryOptions = {},
): FaultSummary {
  // Grouped once for all the faults: the grouping sorts every operation's attempts.
  const operations: readonly Operation[] = groupOperations(records);
  const metrics = faults.map((fault): FaultMetrics => {
    const attempts = startedWithin(records, fault);
    const started = operationsStartedWithin(operations, fault);
    return {
      name: fault.name,
      startedAt: fault.startedAt,
      endedAt: fault.endedAt,
      requests: attempts.length,
      operations: started.length,
      availability: operationAvailability(started),
      attemptSuccessRate: successRate(attempts),
      recoveryMs: recoveryTime(records, fault, options),
    };
  });
  const recovered = metrics.flatMap((fault) => (fault.recoveryMs === null ? [] : [fault.recoveryMs]));
  return {
    faults: metrics,
    mttrMs:
      recovered.length === 0 ? null : recovered.reduce((sum, value) => sum + value, 0) / recovered.length,
    unrecovered: metrics.length - recovered.length,
  };
}

/** One bucket of the success-rate timeline. */
export interface TimelineBucket {
  /** Seconds from the timeline's origin to the bucket's start (negative before the origin). */
  readonly second: number;
  /** Attempts started in the bucket. */
  readonly requests: number;
  /** Their success rate (see `successRate`); `null` for a bucket with nothing to count. */
  readonly successRate: number | null;
}

/**
 * The success rate per `bucketMs` bucket of attempt start times, from `from` (inclusive) to `to`
 * (exclusive), for the failover timeline. Bucket times are relative to `origin` (usually the
 * fault's start), in seconds.
 */
export function successRateTimeline(
  records: readonly RequestRecord[],
  range: { readonly from: number; readonly to: number; readonly origin?: number; readonly bucketMs?: number },
): TimelineBucket[] {
  const bucketMs = range.bucketMs ?? 1000;
  const origin = range.origin ?? range.from;
  if (!(bucketMs > 0)) throw new RangeError(`Timeline bucketMs must be positive (given ${bucketMs})`);
  const buckets: TimelineBucket[] = [];
  for (let start = range.from; start < range.to; start += bucketMs) {
    const inBucket = startedWithin(records, {
      startedAt: start,
      endedAt: Math.min(start + bucketMs, range.to),
    });
    buckets.push({
      second: (start - origin) / 1000,
      requests: inBucket.length,
      successRate: successRate(inBucket),
    });
  }
  return buckets;
}
