/**
 * Where the time went, step by step: the local cloud's start and the experiment's phases print it.
 */

/** A stopwatch whose `lap(name)` closes the step that ran since the previous lap (or the start). */
export interface LapTimes {
  /** Each step and its milliseconds, in the order they ran. */
  readonly laps: ReadonlyArray<readonly [step: string, millis: number]>;
  lap(step: string): void;
}

/** Starts a {@link LapTimes} now. */
export function startLapTimes(): LapTimes {
  const laps: Array<readonly [string, number]> = [];
  let lapStartedAt = performance.now();
  return {
    laps,
    lap: (step) => {
      const now = performance.now();
      laps.push([step, now - lapStartedAt]);
      lapStartedAt = now;
    },
  };
}
