/**
 * A synthetic but self-consistent ExperimentResults: every figure computed by the metrics functions
 * from generated request records, the way the experiment runner computes them.
 */
import { PRICES_US_EAST_1 } from '../../../load-tests/cost/prices-us-east-1';
import type { VariantCost } from '../../../load-tests/cost/cost-model';
import type { FaultWindow, RequestRecord } from '../../../load-tests/metrics';
import { buildVariantResults } from '../../../load-tests/report/variant-results';
import {
  RESULTS_SCHEMA_VERSION,
  type ExperimentResults,
  type VariantResults,
} from '../../../load-tests/report/results';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);
export const LEVELS = [10, 20, 40, 80, 160];
export const FAULTS = ['region-outage', 'dependency-outage', 'function-crash'];

/** Records of one variant: five 10 s load levels, then three 10 s faults with 10 s gaps. */
function variantRecords(
  baseLatencyMs: number,
  faultFailureShare: number,
): {
  records: RequestRecord[];
  faults: FaultWindow[];
} {
  const records: RequestRecord[] = [];
  let id = 0;
  LEVELS.forEach((rps, level) => {
    for (let i = 0; i < rps * 10; i += 1) {
      records.push({
        startedAt: T0 + level * 10_000 + Math.floor((i * 1000) / rps),
        latencyMs: baseLatencyMs * (1 + level * 0.5) + (i % 20),
        status: i % 50 === 49 ? 429 : 201,
        retryAfter: i % 50 === 49,
        endpoint: 'POST /orders',
        attempt: 1,
        orderId: `order-${(id += 1)}`,
        phase: `ramp-${level + 1}`,
      });
    }
  });
  const faults = FAULTS.map((name, index) => ({
    name,
    startedAt: T0 + 60_000 + index * 20_000,
    endedAt: T0 + 70_000 + index * 20_000,
  }));
  // The fault traffic, 10 orders/s: inside a fault, attempts fail for the first `faultFailureShare`
  // of its 10 s. A failed attempt is retried once (maxAttempts 2) when its 3 s timeout ends; the
  // retry succeeds once the failing part is over, so operations fare better than attempts.
  const attemptAt = (at: number, orderId: string, attempt: number, fault?: FaultWindow): RequestRecord => {
    const failing = fault !== undefined && at < fault.startedAt + 10_000 * faultFailureShare;
    const answered = fault?.name === 'dependency-outage';
    return {
      startedAt: at,
      latencyMs: failing ? 3000 : baseLatencyMs,
      status: failing ? (answered ? 503 : null) : 201,
      failure: failing && !answered ? 'timeout' : undefined,
      retryAfter: failing && answered,
      endpoint: 'POST /orders',
      attempt,
      orderId,
    };
  };
  for (let at = T0 + 55_000; at < T0 + 115_000; at += 100) {
    const fault = faults.find((f) => at >= f.startedAt && at < f.endedAt);
    const orderId = `order-${(id += 1)}`;
    const first = attemptAt(at, orderId, 1, fault);
    records.push(first);
    if (first.status !== 201) records.push(attemptAt(at + first.latencyMs, orderId, 2, fault));
  }
  return { records, faults };
}

function variantResults(
  variant: string,
  baseLatencyMs: number,
  faultFailureShare: number,
  cost: VariantCost,
): VariantResults {
  const { records, faults } = variantRecords(baseLatencyMs, faultFailureShare);
  return buildVariantResults({
    variant,
    records,
    loadLevels: LEVELS.map((rps, level) => ({
      name: `ramp-${level + 1}`,
      targetRps: rps,
      window: { startedAt: T0 + level * 10_000, endedAt: T0 + (level + 1) * 10_000 },
    })),
    faults: faults.map((fault) => ({ ...fault, description: `synthetic ${fault.name}` })),
    timelineMarginSeconds: 5,
    storedOrderIds: () => true,
    cost,
  });
}

function syntheticCost(variant: string, perMillion: number): VariantCost {
  return {
    variant,
    perMillionRequestsUsd: perMillion,
    items: [
      {
        item: 'API Gateway REST requests',
        quantityPerRequest: 1,
        unit: 'requests',
        perMillionRequestsUsd: 3.5,
      },
    ],
    perRoute: {},
    fixedMonthlyUsd: 8,
    fixedItems: [{ item: 'CloudWatch dashboards', count: 1, monthlyUsd: 3 }],
    perMillionIncludingFixedUsd: perMillion + 0.8,
    assumptions: {
      requestMix: { 'POST /orders': 1 },
      functionDurationMs: {},
      routeUsage: {},
      functionLogBytesPerInvocation: 0,
      accessLogBytesPerRequest: 0,
      replicatedItemBytes: 0,
      tracedShare: 0,
      monthlyRequests: 10_000_000,
    },
    prices: PRICES_US_EAST_1,
    notModelled: ['free tiers'],
  };
}

/** Three variants with different latencies and fault behaviour. */
export function syntheticResults(): ExperimentResults {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt: new Date(T0).toISOString(),
      endedAt: new Date(T0 + 300_000).toISOString(),
      profile: 'quick',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      target: 'local cloud',
      machine: { os: 'linux 6.1.0 x64', cpus: 2, cpuModel: 'Test CPU', memoryGiB: 8, node: 'v20.19.0' },
      notes: ['Synthetic results for the report test.'],
    },
    variants: [
      variantResults('sync', 40, 0.4, syntheticCost('sync', 7.3)),
      variantResults('async', 12, 0.2, syntheticCost('async', 6.7)),
      variantResults('multi', 15, 0.1, syntheticCost('multi', 7.4)),
    ],
  };
}
