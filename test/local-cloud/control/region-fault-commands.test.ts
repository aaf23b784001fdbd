import { CHAOS_USAGE, parseFaultCommand } from '../../../local-cloud/control/fault-commands';

describe('parseFaultCommand: multi-region faults', () => {
  test('parses region-down, region-up, replication-pause and replication-resume', () => {
    expect(parseFaultCommand(['region-down', 'us-east-1'])).toEqual({
      kind: 'region',
      region: 'us-east-1',
      down: true,
    });
    expect(parseFaultCommand(['region-up', 'us-east-1'])).toEqual({
      kind: 'region',
      region: 'us-east-1',
      down: false,
    });
    expect(parseFaultCommand(['replication-pause'])).toEqual({ kind: 'replication', paused: true });
    expect(parseFaultCommand(['replication-resume'])).toEqual({ kind: 'replication', paused: false });
    expect(CHAOS_USAGE).toMatch(/region-down <region>/);
  });

  test('fails if region-down names no region', () => {
    expect(() => parseFaultCommand(['region-down'])).toThrow(/region-down needs a region, e\.g\. us-east-1/);
  });
});
