/**
 * Cold starts of a variant's functions, counted by the part of the run they fell in: a scale-out
 * during the ramp, a failover or a crash during a fault, the recovery after it.
 */
import { nearestRankPercentile } from './latency';
import type { TimeWindow } from './request-metrics';

/** One cold start of one of the variant's functions. */
export interface ColdStartEvent {
  /** The function, by its logical id in the template. */
  readonly function: string;
  /** Epoch milliseconds when its first invocation ended. */
  readonly at: number;
  readonly initDurationMs: number;
}

/** The cold starts of one part of the run. */
export interface ColdStartPart {
  /** A load level's name, a fault's name, `after <fault>`, `before the load` or `after the load`. */
  readonly part: string;
  readonly count: number;
  /** The functions that started cold, with how often, e.g. `GetOrder… ×2`. */
  readonly functions: readonly { readonly function: string; readonly count: number }[];
  /** Median (nearest rank) and largest init duration of this part's cold starts, in milliseconds. */
  readonly initDurationMs: { readonly median: number; readonly max: number };
}

/** A variant's cold starts. */
export interface ColdStartSummary {
  readonly total: number;
  /** Median (nearest rank) and largest init duration in milliseconds; `null` without cold starts. */
  readonly initDurationMs: { readonly median: number | null; readonly max: number | null };
  /** The parts of the run that had cold starts, in the order they ran. */
  readonly parts: readonly ColdStartPart[];
}

/** A named stretch of the run: a load level or a fault (its recovery runs until the next part). */
export interface RunPart extends TimeWindow {
  readonly name: string;
}

/**
 * Counts cold starts by part of the run. A cold start inside a part's window belongs to it; one
 * between the end of a fault and the next part to `after <fault>` (the recovery); one before the
 * first part to `before the load`, after the last level when no fault followed to `after the load`.
 *
 * @param levels the ramp's levels and @param faults the injected faults, each with its window
 */
export function summarizeColdStarts(
  events: readonly ColdStartEvent[],
  levels: readonly RunPart[],
  faults: readonly RunPart[],
): ColdStartSummary {
  const parts = [
    ...levels.map((level) => ({ ...level, fault: false })),
    ...faults.map((fault) => ({ ...fault, fault: true })),
  ].sort((a, b) => a.startedAt - b.startedAt);
  const partOf = (at: number): string => {
    if (parts.length === 0 || at < parts[0].startedAt) return 'before the load';
    for (const [index, part] of parts.entries()) {
      if (at < part.endedAt) return part.name;
      const next = parts[index + 1];
      if (next === undefined || at < next.startedAt)
        return part.fault ? `after ${part.name}` : 'after the load';
    }
    return 'after the load';
  };
  const byPart = new Map<string, ColdStartEvent[]>();
  for (const event of [...events].sort((a, b) => a.at - b.at)) {
    const part = partOf(event.at);
    const partEvents = byPart.get(part);
    if (partEvents) partEvents.push(event);
    else byPart.set(part, [event]);
  }
  const overall = initDurations(events);
  return {
    total: events.length,
    initDurationMs: { median: overall?.median ?? null, max: overall?.max ?? null },
    parts: [...byPart].map(([part, partEvents]) => {
      const functions = new Map<string, number>();
      for (const event of partEvents) functions.set(event.function, (functions.get(event.function) ?? 0) + 1);
      return {
        part,
        count: partEvents.length,
        functions: [...functions].map(([name, count]) => ({ function: name, count })),
        initDurationMs: initDurations(partEvents) as { median: number; max: number },
      };
    }),
  };
}

/** Median (nearest rank) and largest init duration; undefined without events. */
function initDurations(events: readonly ColdStartEvent[]): { median: number; max: number } | undefined {
  if (events.length === 0) return undefined;
  const sorted = events.map((event) => event.initDurationMs).sort((a, b) => a - b);
  return { median: nearestRankPercentile(sorted, 50) as number, max: sorted[sorted.length - 1] };
}
