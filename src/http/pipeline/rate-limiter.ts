import { BoundedMap } from '../../domain/bounded-map';

/** A limit: `perSecond` on average, up to `burst` at once. 0 per second turns it off. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** How many keys each limiter remembers: a flood of distinct sources or tokens cannot grow memory past it. */
const MAX_KEYS = 50_000;

/**
 * Token buckets by key (a source address, a credential, a token), in memory per process. `take` answers 0 when
 * the call may go ahead, else the seconds until it could. The clock is injected (tests move it, never sleep).
 */
export class RateLimiter {
  private readonly buckets = new BoundedMap<string, Bucket>(MAX_KEYS);

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number,
  ) {}

  get enabled(): boolean {
    return this.limit.perSecond > 0;
  }

  /** Takes `cost` tokens from `key`'s bucket; returns 0 when taken, else the wait in seconds (nothing is taken). */
  take(key: string, cost = 1): number {
    if (!this.enabled) return 0;
    const now = this.nowMs();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return (cost - bucket.tokens) / this.limit.perSecond;
  }

  /** Whether `key` could take `cost` now, without taking it. */
  wouldWait(key: string, cost = 1): number {
    if (!this.enabled) return 0;
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(this.limit.burst, bucket.tokens + ((this.nowMs() - bucket.at) / 1000) * this.limit.perSecond);
    return tokens >= cost ? 0 : (cost - tokens) / this.limit.perSecond;
  }
}

/** The limits of one okmsd process (README "Configuration"). */
export interface RateLimits {
  /** Calls that are not (yet) authenticated, per source address: failed authentications and logins. */
  readonly unauthenticatedPerSource: RateLimit;
  /** Authenticated calls per caller: a credential, an admin token, a Keystone user. */
  readonly perCaller: RateLimit;
}
