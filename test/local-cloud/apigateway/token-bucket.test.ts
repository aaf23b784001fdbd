import { QuotaCounter, TokenBucket } from '../../../local-cloud/apigateway/token-bucket';

describe('TokenBucket', () => {
  test('starts full at the burst and refills at the rate, never above the burst', () => {
    // GIVEN
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 3 }, () => now);

    // WHEN
    const first = [1, 2, 3, 4].map(() => bucket.tryTake());
    now += 150;
    const afterOneToken = [bucket.tryTake(), bucket.tryTake()];
    now += 10_000;

    // THEN
    expect(first).toEqual([true, true, true, false]);
    expect(afterOneToken).toEqual([true, false]);
    expect(bucket.available()).toBe(3);
  });

  test('rejects everything with a zero burst', () => {
    // GIVEN
    const bucket = new TokenBucket({ rateLimit: 100, burstLimit: 0 }, () => 0);

    // WHEN / THEN
    expect(bucket.tryTake()).toBe(false);
  });
});

describe('QuotaCounter', () => {
  test.each([
    ['DAY', Date.UTC(2026, 0, 7, 23, 59), Date.UTC(2026, 0, 8)],
    ['WEEK', Date.UTC(2026, 0, 11, 23), Date.UTC(2026, 0, 12)], // Sunday, then Monday
    ['MONTH', Date.UTC(2026, 0, 31, 23), Date.UTC(2026, 1, 1)],
  ] as const)('resets at the start of the next %s (UTC)', (period, start, next) => {
    // GIVEN
    let now = start;
    const quota = new QuotaCounter({ limit: 2, period }, () => now);

    // WHEN
    const used = [quota.tryConsume(), quota.tryConsume(), quota.tryConsume()];
    now = next;

    // THEN
    expect(used).toEqual([true, true, false]);
    expect(quota.remaining()).toBe(2);
    expect(quota.tryConsume()).toBe(true);
  });

  test('takes the offset off the first period only', () => {
    // GIVEN
    let now = Date.UTC(2026, 0, 7);
    const quota = new QuotaCounter({ limit: 3, period: 'DAY', offset: 2 }, () => now);

    // WHEN
    const firstDay = [quota.tryConsume(), quota.tryConsume()];
    now += 86_400_000;

    // THEN
    expect(firstDay).toEqual([true, false]);
    expect(quota.remaining()).toBe(3);
  });
});
