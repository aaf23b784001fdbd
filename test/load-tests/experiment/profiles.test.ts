import { faultTimelineSeconds, PROFILES, profileNamed } from '../../../load-tests/experiment/profiles';

describe('experiment profiles', () => {
  test.each(Object.values(PROFILES))(
    '$name ramps through at least five increasing load levels',
    (profile) => {
      const rates = profile.rampLevels.map((level) => level.arrivalRate);
      expect(rates.length).toBeGreaterThanOrEqual(5);
      expect([...rates].sort((a, b) => a - b)).toEqual(rates);
      expect(new Set(rates).size).toBe(rates.length);
    },
  );

  test('quick keeps every variant’s load within the 5-minute budget of npm start', () => {
    // GIVEN the quick profile: sync and async have four faults, multi five
    const quick = PROFILES.quick;
    const ramp =
      quick.warmUpSeconds + quick.rampLevels.reduce((sum, level) => sum + level.durationSeconds, 0);
    const load = 3 * ramp + 2 * faultTimelineSeconds(quick, 4) + faultTimelineSeconds(quick, 5);
    // THEN the load leaves at least a minute for synthesis, startup and draining
    expect(load).toBeLessThanOrEqual(240);
  });

  test('the fault timeline is the lead-in, each fault and its recovery, and a 2 s tail', () => {
    expect(
      faultTimelineSeconds({ ...PROFILES.quick, leadInSeconds: 2, faultSeconds: 3, recoverySeconds: 4 }, 5),
    ).toBe(2 + 5 * 7 + 2);
  });

  test('fails if the profile is unknown, naming the profiles', () => {
    expect(() => profileNamed('slow')).toThrow('--profile must be one of quick, full (given slow)');
  });
});
