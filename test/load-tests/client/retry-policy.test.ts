import {
  decideRetry,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  retryDelayMs,
  validateRetryPolicy,
  type RetryPolicy,
} from '../../../load-tests/client/retry-policy';

const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

/** A `random` that always returns the same draw. */
const always = (draw: number) => () => draw;

describe('isRetryable', () => {
  test.each([408, 429, 500, 502, 503, 504])('retries %d', (status) => {
    expect(isRetryable({ status })).toBe(true);
  });

  test.each([400, 401, 403, 404, 409, 413, 415, 422])('does not retry %d (a client mistake)', (status) => {
    expect(isRetryable({ status })).toBe(false);
  });

  test.each([501, 505])('does not retry %d (every attempt gets the same answer)', (status) => {
    expect(isRetryable({ status })).toBe(false);
  });

  test.each([200, 201, 202])('does not retry %d (it succeeded)', (status) => {
    expect(isRetryable({ status })).toBe(false);
  });

  test.each(['timeout', 'connection'] as const)('retries a request without an answer (%s)', (failure) => {
    expect(isRetryable({ failure })).toBe(true);
  });
});

describe('retryDelayMs', () => {
  test('the ceiling doubles from the base with every retry and stops at the cap', () => {
    // GIVEN a draw just below 1, which gives the ceiling (exclusive) minus one
    const ceilings = [1, 2, 3, 4, 5, 6, 10].map((retry) => retryDelayMs(retry, policy, always(0.99999)) + 1);

    // THEN 100, 200, 400, 800, then capped at 1000
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  test('full jitter: the delay is the draw times the ceiling, from 0 up', () => {
    expect(retryDelayMs(3, policy, always(0))).toBe(0);
    expect(retryDelayMs(3, policy, always(0.5))).toBe(200);
    expect(retryDelayMs(3, policy, always(0.25))).toBe(100);
  });

  test('full jitter with Math.random: delays spread over the whole range [0, ceiling)', () => {
    // WHEN 20,000 delays of the third retry (ceiling 400 ms) are drawn
    const delays = Array.from({ length: 20_000 }, () => retryDelayMs(3, policy));

    // THEN they stay in [0, 400), cover both ends, and average about half the ceiling
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(400);
    expect(delays.filter((delay) => delay < 40).length).toBeGreaterThan(1000);
    expect(delays.filter((delay) => delay >= 360).length).toBeGreaterThan(1000);
    const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
    expect(mean).toBeGreaterThan(190);
    expect(mean).toBeLessThan(210);
  });

  test('fails if the retry number is not a whole number of at least 1', () => {
    expect(() => retryDelayMs(0, policy)).toThrow('retry must be a whole number of at least 1 (given 0)');
  });
});

describe('decideRetry', () => {
  test('retries a 503 after a jittered delay below the first ceiling', () => {
    expect(decideRetry({ status: 503 }, 1, policy, always(0.5))).toEqual({ retry: true, delayMs: 50 });
  });

  test('the delay grows with the attempt number', () => {
    expect(decideRetry({ status: 429 }, 4, policy, always(0.5))).toEqual({ retry: true, delayMs: 400 });
  });

  test('stops on success', () => {
    expect(decideRetry({ status: 201 }, 1, policy)).toEqual({ retry: false, reason: 'succeeded' });
  });

  test.each([400, 403, 404, 409, 422])('stops on %d, even with attempts left', (status) => {
    expect(decideRetry({ status }, 1, policy)).toEqual({ retry: false, reason: 'client-error' });
  });

  test('stops after maxAttempts', () => {
    expect(decideRetry({ status: 503 }, 4, policy).retry).toBe(true);
    expect(decideRetry({ status: 503 }, 5, policy)).toEqual({ retry: false, reason: 'attempts-exhausted' });
  });

  test('maxAttempts 1 turns retries off', () => {
    expect(decideRetry({ failure: 'timeout' }, 1, { ...policy, maxAttempts: 1 })).toEqual({
      retry: false,
      reason: 'attempts-exhausted',
    });
  });
});

describe('validateRetryPolicy', () => {
  test('accepts the default', () => {
    expect(() => validateRetryPolicy(DEFAULT_RETRY_POLICY)).not.toThrow();
  });

  test('fails if maxAttempts is below 1', () => {
    expect(() => validateRetryPolicy({ ...policy, maxAttempts: 0 })).toThrow(
      'maxAttempts must be a whole number of at least 1 (given 0)',
    );
  });

  test('fails if the cap is below the base', () => {
    expect(() => validateRetryPolicy({ ...policy, maxDelayMs: 50 })).toThrow(
      'retryMaxDelayMs must be at least retryBaseDelayMs (100) (given 50)',
    );
  });
});
