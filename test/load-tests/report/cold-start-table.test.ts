import { reportTables } from '../../../load-tests/report/tables';
import { summarizeColdStarts } from '../../../load-tests/metrics/cold-starts';
import { syntheticResults } from './synthetic-results';

describe('the report’s Cold starts table', () => {
  test('one row per part of the run that had cold starts, with its functions and its init durations', () => {
    // GIVEN a run whose first variant started cold twice in a level and once during a fault
    const results = syntheticResults();
    const [first, ...others] = results.variants;
    const coldStarts = summarizeColdStarts(
      [
        { function: 'GetOrderFunction', at: 1_500, initDurationMs: 61 },
        { function: 'GetOrderFunction', at: 1_600, initDurationMs: 75 },
        { function: 'CreateOrderFunction', at: 5_500, initDurationMs: 90.4 },
      ],
      [{ name: 'ramp-1', startedAt: 1_000, endedAt: 2_000 }],
      [{ name: 'region-outage', startedAt: 5_000, endedAt: 6_000 }],
    );
    const withColdStarts = {
      ...results,
      variants: [
        { ...first, coldStarts },
        { ...others[0], coldStarts: summarizeColdStarts([], [], []) },
      ],
    };

    // WHEN
    const table = reportTables(withColdStarts).find((candidate) => candidate.id === 'table-cold-starts');

    // THEN
    expect(table?.rows).toEqual([
      [first.variant, 'ramp-1', '2', 'GetOrderFunction ×2', '61 / 75'],
      [first.variant, 'region-outage', '1', 'CreateOrderFunction ×1', '90 / 90'],
      [others[0].variant, 'whole run', '0', '', '—'],
    ]);
  });

  test('absent when no variant recorded cold starts', () => {
    expect(reportTables(syntheticResults()).map((table) => table.id)).not.toContain('table-cold-starts');
  });
});
