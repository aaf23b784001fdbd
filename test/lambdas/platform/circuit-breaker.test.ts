import {
  CircuitOpenError,
  DEFAULT_CIRCUIT_BREAKER_SETTINGS,
  DependencyCircuitBreaker,
  readCircuitBreakerSettings,
} from '../../../lambdas/platform/circuit-breaker';
import { DependencyUnavailableError } from '../../../lambdas/platform/data-access';
import { ENVIRONMENT } from '../../../lambdas/contract/environment';

const SETTINGS = {
  errorThresholdPercent: 50,
  volumeThreshold: 2,
  resetTimeoutMs: 3_000,
  rollingWindowMs: 10_000,
};
const BREAKER_VARIABLES = [
  ENVIRONMENT.circuitBreakerErrorThresholdPercent,
  ENVIRONMENT.circuitBreakerVolumeThreshold,
  ENVIRONMENT.circuitBreakerResetTimeoutMs,
  ENVIRONMENT.circuitBreakerRollingWindowMs,
];

function unavailable(): Promise<never> {
  return Promise.reject(new DependencyUnavailableError('orders table', new Error('ECONNREFUSED')));
}

afterEach(() => {
  for (const name of BREAKER_VARIABLES) delete process.env[name];
});

describe('readCircuitBreakerSettings', () => {
  test('uses the defaults when nothing is set', () => {
    // GIVEN no CIRCUIT_BREAKER_* variable
    // WHEN the settings are read
    // THEN they are the documented defaults
    expect(readCircuitBreakerSettings()).toEqual({
      errorThresholdPercent: 50,
      volumeThreshold: 5,
      resetTimeoutMs: 5_000,
      rollingWindowMs: 10_000,
    });
    expect(readCircuitBreakerSettings()).toEqual(DEFAULT_CIRCUIT_BREAKER_SETTINGS);
  });

  test.each([
    [ENVIRONMENT.circuitBreakerErrorThresholdPercent, '101'],
    [ENVIRONMENT.circuitBreakerVolumeThreshold, '0'],
    [ENVIRONMENT.circuitBreakerResetTimeoutMs, 'soon'],
  ])('fails if %s is %s', (name, value) => {
    // GIVEN a variable set to a value outside its range
    process.env[name] = value;

    // WHEN the settings are read
    // THEN the error names the variable and the value
    expect(() => readCircuitBreakerSettings()).toThrow(new RegExp(`${name}.*${value}`));
  });
});

describe('DependencyCircuitBreaker', () => {
  test('opens after the failure threshold and fails fast with the seconds until the probe', async () => {
    // GIVEN a breaker that may open after 2 calls and probes after 3 s
    const breaker = new DependencyCircuitBreaker('orders table', SETTINGS);
    await expect(breaker.run(unavailable)).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(breaker.run(unavailable)).rejects.toBeInstanceOf(DependencyUnavailableError);

    // WHEN a call is made
    const operation = jest.fn(() => Promise.resolve('never'));
    const refused = breaker.run(operation);

    // THEN the call is not made, and the error says when to retry
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toMatchObject({ retryAfterSeconds: 3 });
    expect(operation).not.toHaveBeenCalled();
    expect(breaker.isOpen).toBe(true);
  });

  test('does not count errors other than an unavailable dependency as failures', async () => {
    // GIVEN a breaker that may open after 2 calls
    const breaker = new DependencyCircuitBreaker('orders table', SETTINGS);

    // WHEN many calls fail with client-caused errors
    for (let call = 0; call < 10; call++) {
      await expect(breaker.run(() => Promise.reject(new Error('key reused')))).rejects.toThrow('key reused');
    }

    // THEN the breaker stays closed and passes results through
    expect(breaker.isOpen).toBe(false);
    await expect(breaker.run(() => Promise.resolve(42))).resolves.toBe(42);
  });

  test('makes each call once, never retrying it', async () => {
    // GIVEN a breaker
    const breaker = new DependencyCircuitBreaker('orders table', SETTINGS);
    const operation = jest.fn(unavailable);

    // WHEN a call fails
    await expect(breaker.run(operation)).rejects.toBeInstanceOf(DependencyUnavailableError);

    // THEN it was made exactly once (the SDK is the one layer that retries)
    expect(operation).toHaveBeenCalledTimes(1);
  });
});
