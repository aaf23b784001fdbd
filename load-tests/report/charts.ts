/**
 * The report's figures as Vega-Lite specs, rendered to SVG in Node by Vega (headless, no browser,
 * no canvas), so report.html carries them inline and needs nothing from a CDN.
 */
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';
import type { ExperimentResults } from './results';
import { AVAILABILITY_DEFINITIONS } from './tables';

/** A figure of the report. */
export interface ReportChart {
  /** HTML id, e.g. `figure-1`. */
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

const CONFIG = { font: 'sans-serif', view: { stroke: '#ddd' } } as const;

/** Colour by variant in the results' order, the same in every figure. */
function variantColour(results: ExperimentResults) {
  return {
    field: 'variant',
    type: 'nominal',
    title: 'Variant',
    scale: { domain: results.variants.map((variant) => variant.variant) },
  } as const;
}

function latencyVsLoad(results: ExperimentResults): ReportChart {
  const values = results.variants.flatMap((variant) =>
    variant.loadLevels.flatMap((level) =>
      [
        { statistic: 'P95', latencyMs: level.metrics.latency.p95Ms },
        { statistic: 'Average', latencyMs: level.metrics.latency.avgMs },
      ]
        .filter((point) => point.latencyMs !== null)
        .map((point) => ({ variant: variant.variant, targetRps: level.targetRps, ...point })),
    ),
  );
  return {
    id: 'figure-1',
    title: 'Figure 1 — Latency vs load per variant',
    caption: 'Average and P95 latency of successful requests at each offered load level of the ramp.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 560,
      height: 300,
      config: CONFIG,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'targetRps', type: 'quantitative', title: 'Offered load (requests/s)' },
        y: { field: 'latencyMs', type: 'quantitative', title: 'Latency (ms)' },
        color: variantColour(results),
        strokeDash: {
          field: 'statistic',
          type: 'nominal',
          title: 'Statistic',
          legend: { symbolType: 'stroke' },
        },
      },
    },
  };
}

function availabilityPerFault(results: ExperimentResults): ReportChart {
  const values = results.variants.flatMap((variant) =>
    variant.faults
      .filter((fault) => fault.availability !== null)
      .map((fault) => ({
        variant: variant.variant,
        fault: fault.name,
        availability: fault.availability! * 100,
      })),
  );
  return {
    id: 'figure-2',
    title: 'Figure 2 — Availability (operations) per fault event per variant',
    caption: `${AVAILABILITY_DEFINITIONS.operations} The attempt success rate is beside it in the "Every fault" table.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 560,
      height: 300,
      config: CONFIG,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'fault', type: 'nominal', title: 'Fault', axis: { labelAngle: 0 } },
        xOffset: { field: 'variant', type: 'nominal' },
        y: {
          field: 'availability',
          type: 'quantitative',
          title: 'Availability, operations (%)',
          scale: { domain: [0, 100] },
        },
        color: { field: 'variant', type: 'nominal', title: 'Variant' },
      },
    },
  };
}

function failoverTimeline(results: ExperimentResults): ReportChart {
  const withTimeline = results.variants.filter((variant) => variant.timeline !== undefined);
  const points = withTimeline.flatMap((variant) =>
    variant
      .timeline!.buckets.filter((bucket) => bucket.successRate !== null)
      .map((bucket) => ({
        variant: variant.variant,
        second: bucket.second,
        success: bucket.successRate! * 100,
      })),
  );
  // One band per distinct window: the variants usually share it, and stacked bands would darken.
  const windows = [
    ...new Map(
      withTimeline.map((variant) => {
        const { fault, faultFromSecond: from, faultToSecond: to } = variant.timeline!;
        return [`${fault} ${from} ${to}`, { fault, from, to }];
      }),
    ).values(),
  ];
  const faults = [...new Set(windows.map((window) => window.fault))].join(', ');
  return {
    id: 'figure-3',
    title: 'Figure 3 — Failover timeline',
    caption: `Attempt success rate per 1 s bucket around the fault (${faults || 'none recorded'}); the shaded band is the fault window.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: 560,
      height: 300,
      config: CONFIG,
      layer: [
        {
          data: { values: windows },
          mark: { type: 'rect', color: '#d62728', opacity: 0.12 },
          encoding: {
            x: { field: 'from', type: 'quantitative', title: 'Seconds from the fault start' },
            x2: { field: 'to' },
          },
        },
        {
          data: { values: points },
          // Each point is a 1 s bucket starting at its x: a step shows the bucket's width honestly.
          mark: { type: 'line', interpolate: 'step-after', point: { size: 12 } },
          encoding: {
            x: { field: 'second', type: 'quantitative', title: 'Seconds from the fault start' },
            y: {
              field: 'success',
              type: 'quantitative',
              title: 'Success rate (%)',
              scale: { domain: [0, 100] },
            },
            color: variantColour(results),
          },
        },
      ],
    },
  };
}

/** The report's figures. */
export function reportCharts(results: ExperimentResults): ReportChart[] {
  return [latencyVsLoad(results), availabilityPerFault(results), failoverTimeline(results)];
}

/** Renders a Vega-Lite spec to an SVG document string, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
