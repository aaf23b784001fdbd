/**
 * The report's tables as plain rows of text, rendered to Markdown and to HTML by the same model so
 * the two files never disagree.
 */
import { NOT_PUBLISHED_HERE, PUBLISHED_FIGURES } from './published-figures';
import type { ExperimentResults, LoadLevelResult, VariantResults } from './results';

/** A table of the report. */
export interface ReportTable {
  /** HTML id, e.g. `table-1`. */
  readonly id: string;
  readonly title: string;
  /** Sentences under the title: what the figures are and where they come from. */
  readonly notes: readonly string[];
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** `12.3%`, or `—` for no figure. */
export function percent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

/** A number with fixed digits, or `—`. */
export function fixed(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '—' : value.toFixed(digits);
}

/** Seconds from milliseconds, or the given text for `null`. */
function seconds(ms: number | null, whenNull = '—'): string {
  return ms === null ? whenNull : (ms / 1000).toFixed(1);
}

/** The level with the highest offered load: where the variants differ most. */
export function peakLevel(variant: VariantResults): LoadLevelResult | undefined {
  return [...variant.loadLevels].sort((a, b) => b.targetRps - a.targetRps)[0];
}

function ratio(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
  if (numerator === null || numerator === undefined || denominator === null || denominator === undefined)
    return null;
  return denominator === 0 ? null : numerator / denominator;
}

function times(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(2)}×`;
}

function table1(results: ExperimentResults): ReportTable {
  return {
    id: 'table-1',
    title: 'Table 1 — Performance at the highest load level (ours)',
    notes: [
      'Our figures from this run. Latency over successful (2xx) attempts, percentiles by nearest rank; ' +
        'throughput = 2xx per second of the level; error rate = (5xx + timeouts + connection failures) ÷ attempts; ' +
        '429s and other 4xx are reported apart.',
    ],
    headers: [
      'Variant',
      'Offered load (req/s)',
      'Throughput (req/s)',
      'Avg (ms)',
      'P50 (ms)',
      'P95 (ms)',
      'P99 (ms)',
      'Error rate',
      '429 rate',
      'Other 4xx rate',
    ],
    rows: results.variants.map((variant) => {
      const level = peakLevel(variant);
      const m = level?.metrics;
      return [
        variant.variant,
        fixed(level?.targetRps, 0),
        fixed(m?.throughputPerSecond),
        fixed(m?.latency.avgMs),
        fixed(m?.latency.p50Ms),
        fixed(m?.latency.p95Ms),
        fixed(m?.latency.p99Ms),
        percent(m?.errorRate),
        percent(m?.throttleRate),
        percent(m?.clientErrorRate),
      ];
    }),
  };
}

function comparisonTable(results: ExperimentResults): ReportTable {
  const find = (name: string) => results.variants.find((variant) => variant.variant === name);
  const sync = find('sync');
  const async = find('async');
  const syncPeak = sync === undefined ? undefined : peakLevel(sync)?.metrics;
  const asyncPeak = async === undefined ? undefined : peakLevel(async)?.metrics;
  return {
    id: 'table-1-published',
    title: 'Table 1 (continued) — Async vs sync: ours beside the published figures',
    notes: [
      `Published figures are the research's, not ours: ${PUBLISHED_FIGURES.source}. ` +
        "The paper's absolute latencies and throughputs are not in this repository, so only these ratios are compared.",
    ],
    headers: ['Ratio (at the highest load level)', 'Ours (this run)', 'Published (paper, not ours)'],
    rows: [
      [
        'Async throughput ÷ sync throughput',
        times(ratio(asyncPeak?.throughputPerSecond, syncPeak?.throughputPerSecond)),
        times(PUBLISHED_FIGURES.asyncToSyncThroughput),
      ],
      [
        'Async P95 ÷ sync P95',
        times(ratio(asyncPeak?.latency.p95Ms, syncPeak?.latency.p95Ms)),
        times(PUBLISHED_FIGURES.asyncToSyncP95),
      ],
    ],
  };
}

function loadLevelTable(results: ExperimentResults): ReportTable {
  return {
    id: 'table-load-levels',
    title: 'Every load level (the data of Figure 1)',
    notes: [],
    headers: [
      'Variant',
      'Level',
      'Offered (req/s)',
      'Attempts',
      'Throughput (req/s)',
      'Avg (ms)',
      'P95 (ms)',
      'P99 (ms)',
      'Error rate',
      '429 rate',
    ],
    rows: results.variants.flatMap((variant) =>
      variant.loadLevels.map((level) => [
        variant.variant,
        level.name,
        fixed(level.targetRps, 0),
        String(level.metrics.requests),
        fixed(level.metrics.throughputPerSecond),
        fixed(level.metrics.latency.avgMs),
        fixed(level.metrics.latency.p95Ms),
        fixed(level.metrics.latency.p99Ms),
        percent(level.metrics.errorRate),
        percent(level.metrics.throttleRate),
      ]),
    ),
  };
}

/**
 * The definitions of the two availability figures, as the report's notes state them: the tables
 * and Figure 2 must not leave a reader guessing which one a number is.
 */
export const AVAILABILITY_DEFINITIONS = {
  operations:
    'Availability (operations) = of the client operations (a first attempt and its retries, which use capped ' +
    'exponential backoff with full jitter) whose first attempt started inside the fault window, the share that ' +
    'eventually succeeded (some attempt 2xx), even when the retries ran past the window; operations that ended ' +
    "with the client's own 4xx mistake are left out; a health probe counts as an operation of its own.",
  attempts:
    "Attempt success rate = 2xx ÷ (attempts started inside the fault window − the client's own 4xx mistakes), " +
    'every retry an attempt of its own: how often the API itself answered, whatever the retries made of it.',
} as const;

function table2(results: ExperimentResults): ReportTable {
  const ours = results.variants.map((variant) => [
    `${variant.variant} (ours)`,
    percent(variant.resilience.availabilityDuringFaults),
    percent(variant.resilience.attemptSuccessRateDuringFaults),
    percent(variant.resilience.gracefulShare),
    percent(variant.resilience.retrySuccessRate),
    fixed(variant.resilience.score, 3),
    variant.mttrMs === null ? 'never recovered' : seconds(variant.mttrMs),
    String(variant.unrecoveredFaults),
    `${variant.lostAcknowledgements.lostIds.length} of ${variant.lostAcknowledgements.acknowledged}`,
  ]);
  const headers = [
    'Variant',
    'Availability (operations) during faults',
    'Attempt success rate during faults',
    'Graceful failures',
    'Retry success',
    'Resilience score',
    'MTTR (s)',
    'Faults never recovered',
    'Lost acknowledgements',
  ];
  const published = [
    'paper (published, not ours)',
    ...Array.from({ length: headers.length - 1 }, () => NOT_PUBLISHED_HERE),
  ];
  return {
    id: 'table-2',
    title: 'Table 2 — Resilience under the injected faults',
    notes: [
      `${AVAILABILITY_DEFINITIONS.operations} Here pooled over the operations started in any fault window.`,
      `${AVAILABILITY_DEFINITIONS.attempts} Here pooled over the attempts started in any fault window; not a factor of the score.`,
      'Resilience score = availability (operations) during faults × graceful share of failures × retry success rate. ' +
        'MTTR = mean recovery time of the faults that recovered; faults that never recovered are counted apart. ' +
        'Lost acknowledgements = orders answered 201/202 absent from the table after the queues drained (must be 0).',
      "The paper's resilience figures are not in this repository; its row says so rather than showing invented numbers.",
    ],
    headers,
    rows: [...ours, published],
  };
}

function faultTable(results: ExperimentResults): ReportTable {
  return {
    id: 'table-faults',
    title: 'Every fault (the data of Figure 2)',
    notes: [
      AVAILABILITY_DEFINITIONS.operations,
      AVAILABILITY_DEFINITIONS.attempts,
      'Recovery time: fault start → start of the first sliding 5 s window (1 s step) whose attempts reach ≥ 99% success ' +
        '(attempts, not operations: the moment the API answers again).',
    ],
    headers: [
      'Variant',
      'Fault',
      'What was done',
      'Duration (s)',
      'Operations',
      'Availability (operations)',
      'Attempts',
      'Attempt success rate',
      'Recovery time (s)',
    ],
    rows: results.variants.flatMap((variant) =>
      variant.faults.map((fault) => [
        variant.variant,
        fault.name,
        fault.description,
        seconds(fault.endedAt - fault.startedAt),
        String(fault.operations),
        percent(fault.availability),
        String(fault.requests),
        percent(fault.attemptSuccessRate),
        seconds(fault.recoveryMs, 'never recovered'),
      ]),
    ),
  };
}

function costTable(results: ExperimentResults): ReportTable | undefined {
  const withCost = results.variants.filter((variant) => variant.cost !== undefined);
  if (withCost.length === 0) return undefined;
  const prices = withCost[0].cost!.prices;
  const monthly = withCost[0].cost!.assumptions.monthlyRequests;
  return {
    id: 'table-cost',
    title: 'Cost per million requests (estimate)',
    notes: [
      `Prices: ${prices.region}, ${prices.source}; as of ${prices.retrievedOn}. ${prices.caveat}`,
      `Not modelled: ${withCost[0].cost!.notModelled.join('; ')}.`,
    ],
    headers: [
      'Variant',
      'Per million requests (USD, scales with traffic)',
      'Fixed per month (USD)',
      `Per million incl. fixed at ${(monthly / 1e6).toLocaleString('en-US')} M requests/month (USD)`,
    ],
    rows: withCost.map((variant) => [
      variant.variant,
      fixed(variant.cost!.perMillionRequestsUsd, 2),
      fixed(variant.cost!.fixedMonthlyUsd, 2),
      fixed(variant.cost!.perMillionIncludingFixedUsd, 2),
    ]),
  };
}

function coldStartTable(results: ExperimentResults): ReportTable | undefined {
  const recorded = results.variants.filter((variant) => variant.coldStarts !== undefined);
  if (recorded.length === 0) return undefined;
  return {
    id: 'table-cold-starts',
    title: 'Cold starts',
    notes: [
      "A cold start is a new worker's first invocation; its init duration is the module's load (Lambda's Init Duration without the runtime's own start-up).",
      'The order-writing functions are started up to their reserved concurrency before the load (on-demand workers started ahead, a measure for one machine, not provisioned concurrency: the templates have none and the cost does not include any); their workers do not count.',
    ],
    headers: ['Variant', 'Part of the run', 'Cold starts', 'Functions', 'Init duration median / max (ms)'],
    rows: recorded.flatMap((variant) => {
      const summary = variant.coldStarts!;
      if (summary.parts.length === 0) return [[variant.variant, 'whole run', '0', '', '—']];
      return summary.parts.map((part) => [
        variant.variant,
        part.part,
        String(part.count),
        part.functions.map(({ function: name, count }) => `${name} ×${count}`).join(', '),
        `${fixed(part.initDurationMs.median, 0)} / ${fixed(part.initDurationMs.max, 0)}`,
      ]);
    }),
  };
}

/** Every table of the report, in order. */
export function reportTables(results: ExperimentResults): ReportTable[] {
  const cost = costTable(results);
  const coldStarts = coldStartTable(results);
  return [
    table1(results),
    comparisonTable(results),
    loadLevelTable(results),
    table2(results),
    faultTable(results),
    ...(coldStarts === undefined ? [] : [coldStarts]),
    ...(cost === undefined ? [] : [cost]),
  ];
}

/** One row per variant for the console: the figures a reader looks at first. */
export function summaryRows(results: ExperimentResults): Record<string, string>[] {
  return results.variants.map((variant) => {
    const peak = peakLevel(variant)?.metrics;
    return {
      variant: variant.variant,
      'peak throughput (req/s)': fixed(peak?.throughputPerSecond),
      'P95 (ms)': fixed(peak?.latency.p95Ms),
      'error rate': percent(peak?.errorRate),
      '429 rate': percent(peak?.throttleRate),
      'availability in faults': percent(variant.resilience.availabilityDuringFaults),
      'MTTR (s)': variant.mttrMs === null ? 'never' : seconds(variant.mttrMs),
      'resilience score': fixed(variant.resilience.score, 3),
      'lost acks': String(variant.lostAcknowledgements.lostIds.length),
      'USD per M req': variant.cost === undefined ? '—' : fixed(variant.cost.perMillionRequestsUsd, 2),
    };
  });
}
