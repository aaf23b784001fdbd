/**
 * API Gateway's two request limits: the throttle, a token bucket (the rate refills it, the burst is
 * its size), and the usage-plan quota, a count per calendar period.
 */

/** A throttle as API Gateway configures it. */
export interface ThrottleLimits {
  /** Steady-state requests per second: tokens added per second. */
  readonly rateLimit: number;
  /** Size of the bucket: requests that may arrive at once. */
  readonly burstLimit: number;
}

/** A token bucket that starts full; each request takes one token. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  /** @param clock milliseconds since the epoch, injectable so tests control refills */
  constructor(
    public readonly limits: ThrottleLimits,
    private readonly clock: () => number,
  ) {
    this.tokens = Math.max(0, limits.burstLimit);
    this.refilledAt = clock();
  }

  /** Takes a token if there is one; false means the request is throttled. */
  public tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens left now (fractions included). */
  public available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock();
    const elapsedSeconds = Math.max(0, now - this.refilledAt) / 1000;
    this.refilledAt = now;
    this.tokens = Math.min(
      Math.max(0, this.limits.burstLimit),
      this.tokens + elapsedSeconds * Math.max(0, this.limits.rateLimit),
    );
  }
}

/** Period of a usage-plan quota. */
export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

/** A usage-plan quota as the template gives it. */
export interface QuotaLimits {
  readonly limit: number;
  readonly period: QuotaPeriod;
  /** Requests taken off the limit in the first period. @default 0 */
  readonly offset?: number;
}

/**
 * A quota counter that resets at the start of each UTC day, week (Monday; API Gateway does not
 * document the weekday) or month.
 */
export class QuotaCounter {
  private used = 0;
  private readonly firstPeriodStart: number;
  private periodStart: number;

  constructor(
    public readonly limits: QuotaLimits,
    private readonly clock: () => number,
  ) {
    this.firstPeriodStart = periodStartOf(limits.period, clock());
    this.periodStart = this.firstPeriodStart;
  }

  /** Counts a request if the quota allows it; false means the quota is exhausted. */
  public tryConsume(): boolean {
    const start = periodStartOf(this.limits.period, this.clock());
    if (start !== this.periodStart) {
      this.periodStart = start;
      this.used = 0;
    }
    const offset = start === this.firstPeriodStart ? (this.limits.offset ?? 0) : 0;
    if (this.used >= this.limits.limit - offset) return false;
    this.used += 1;
    return true;
  }

  /** Requests left in the current period. */
  public remaining(): number {
    const start = periodStartOf(this.limits.period, this.clock());
    if (start !== this.periodStart) return this.limits.limit;
    const offset = start === this.firstPeriodStart ? (this.limits.offset ?? 0) : 0;
    return Math.max(0, this.limits.limit - offset - this.used);
  }
}

function periodStartOf(period: QuotaPeriod, epochMillis: number): number {
  const date = new Date(epochMillis);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case 'DAY':
      return day;
    case 'WEEK': {
      const daysSinceMonday = (date.getUTCDay() + 6) % 7;
      return day - daysSinceMonday * 86_400_000;
    }
    case 'MONTH':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
}
