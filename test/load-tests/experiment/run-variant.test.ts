import { drainBoundMillis, MIN_DRAIN_MILLIS } from '../../../load-tests/experiment/run-variant';
import { PROFILES } from '../../../load-tests/experiment/profiles';

describe('drainBoundMillis', () => {
  const profile = { ...PROFILES.quick, drainTimeoutSeconds: 60 };
  const now = 1_000_000;

  test("waits the profile's drain timeout without a deadline", () => {
    expect(drainBoundMillis(profile, now, undefined)).toBe(60_000);
  });

  test("waits the profile's drain timeout when the deadline is further away", () => {
    expect(drainBoundMillis(profile, now, now + 90_000)).toBe(60_000);
  });

  test('waits only until the deadline when it comes sooner', () => {
    expect(drainBoundMillis(profile, now, now + 12_345)).toBe(12_345);
  });

  test('waits at least the minimum, even past the deadline', () => {
    expect(drainBoundMillis(profile, now, now - 1_000)).toBe(MIN_DRAIN_MILLIS);
  });
});
