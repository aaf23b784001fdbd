import { Duration } from 'aws-cdk-lib';
import { resilienceEnvironment } from '../../../lib/config';
import { DEFAULT_LAST_GOOD_COPIES_SETTINGS } from '../../../lambdas/get-order/last-good-copies';
import { DEFAULT_CIRCUIT_BREAKER_SETTINGS } from '../../../lambdas/platform/circuit-breaker';

describe('resilienceEnvironment', () => {
  test('gives each function its knobs, with the documented defaults', () => {
    expect(resilienceEnvironment()).toEqual({
      createOrder: {
        CIRCUIT_BREAKER_ERROR_THRESHOLD_PERCENT: '50',
        CIRCUIT_BREAKER_VOLUME_THRESHOLD: '5',
        CIRCUIT_BREAKER_RESET_TIMEOUT_MS: '5000',
        CIRCUIT_BREAKER_ROLLING_WINDOW_MS: '10000',
      },
      getOrder: {
        CIRCUIT_BREAKER_ERROR_THRESHOLD_PERCENT: '50',
        CIRCUIT_BREAKER_VOLUME_THRESHOLD: '5',
        CIRCUIT_BREAKER_RESET_TIMEOUT_MS: '5000',
        CIRCUIT_BREAKER_ROLLING_WINDOW_MS: '10000',
        STALE_CACHE_MAX_ENTRIES: '1000',
        STALE_CACHE_MAX_AGE_SECONDS: '300',
      },
      health: { HEALTH_DEGRADED_LATENCY_MS: '500' },
    });
  });

  test('its defaults are the handlers’ own fallbacks', () => {
    const { getOrder } = resilienceEnvironment();
    expect(getOrder).toMatchObject({
      CIRCUIT_BREAKER_ERROR_THRESHOLD_PERCENT: String(DEFAULT_CIRCUIT_BREAKER_SETTINGS.errorThresholdPercent),
      CIRCUIT_BREAKER_VOLUME_THRESHOLD: String(DEFAULT_CIRCUIT_BREAKER_SETTINGS.volumeThreshold),
      CIRCUIT_BREAKER_RESET_TIMEOUT_MS: String(DEFAULT_CIRCUIT_BREAKER_SETTINGS.resetTimeoutMs),
      CIRCUIT_BREAKER_ROLLING_WINDOW_MS: String(DEFAULT_CIRCUIT_BREAKER_SETTINGS.rollingWindowMs),
      STALE_CACHE_MAX_ENTRIES: String(DEFAULT_LAST_GOOD_COPIES_SETTINGS.maxEntries),
      STALE_CACHE_MAX_AGE_SECONDS: String(DEFAULT_LAST_GOOD_COPIES_SETTINGS.maxAgeSeconds),
    });
  });

  test('converts durations to the units the handlers read', () => {
    const environment = resilienceEnvironment({
      circuitBreakerResetTimeout: Duration.seconds(2),
      circuitBreakerRollingWindow: Duration.minutes(1),
      staleCacheMaxAge: Duration.hours(1),
      healthDegradedLatency: Duration.millis(250),
    });
    expect(environment.getOrder).toMatchObject({
      CIRCUIT_BREAKER_RESET_TIMEOUT_MS: '2000',
      CIRCUIT_BREAKER_ROLLING_WINDOW_MS: '60000',
      STALE_CACHE_MAX_AGE_SECONDS: '3600',
    });
    expect(environment.health).toEqual({ HEALTH_DEGRADED_LATENCY_MS: '250' });
  });

  test.each([
    [
      { circuitBreakerErrorThresholdPercent: 101 },
      'circuitBreakerErrorThresholdPercent must be a whole number between 1 and 100 inclusive (given 101)',
    ],
    [
      { circuitBreakerVolumeThreshold: 0 },
      'circuitBreakerVolumeThreshold must be a whole number between 1 and 10000 inclusive (given 0)',
    ],
    [
      { circuitBreakerResetTimeout: Duration.millis(50) },
      'circuitBreakerResetTimeout must be between 100 ms and 600000 ms inclusive, whole milliseconds (given 50 ms)',
    ],
    [
      { circuitBreakerRollingWindow: Duration.millis(1005) },
      'circuitBreakerRollingWindow must be between 1000 ms and 600000 ms inclusive, a multiple of 10 ms (given 1005 ms)',
    ],
    [
      { staleCacheMaxEntries: 0 },
      'staleCacheMaxEntries must be a whole number between 1 and 100000 inclusive (given 0)',
    ],
    [
      { staleCacheMaxAge: Duration.millis(1500) },
      'staleCacheMaxAge must be between 1000 ms and 86400000 ms inclusive, a multiple of 1000 ms (given 1500 ms)',
    ],
  ])('fails if a knob is out of range: %j', (config, message) => {
    expect(() => resilienceEnvironment(config)).toThrow(message);
  });

  test('fails if the degraded threshold is not below the health function timeout', () => {
    expect(() =>
      resilienceEnvironment({ healthDegradedLatency: Duration.seconds(5) }, Duration.seconds(5)),
    ).toThrow(
      'healthDegradedLatency must be between 1 ms and 4999 ms inclusive, whole milliseconds (given 5000 ms)',
    );
  });
});
