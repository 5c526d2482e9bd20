import { BoundedMap } from '../domain/bounded-map';
import { OkmsError } from '../domain/errors';

interface Failures {
  count: number;
  lockedUntil: number;
}

export interface ThrottlePolicy {
  /** Failures before the first lock: the one that reaches it locks the key. */
  readonly freeFailures: number;
  /** The first lock; each further failure doubles it, up to `maxSeconds`. */
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

const MAX_KEYS = 50_000;

/**
 * Password logins backing off, per user and per source address (as Keystone's lockout_failure_attempts, and a
 * source lock beside it): after the free failures each one locks the key for twice as long as the one before. A
 * locked key is refused with 429 before any password is hashed. A success forgets its user's failures only.
 */
export class LoginThrottle {
  private readonly failures = new BoundedMap<string, Failures>(MAX_KEYS);

  constructor(
    private readonly nowMs: () => number,
    private readonly policies: { readonly user: ThrottlePolicy; readonly source: ThrottlePolicy },
  ) {}

  /** Throws a 429 with Retry-After while the user or the source is locked. */
  check(userKey: string, source: string): void {
    const now = this.nowMs();
    const wait = Math.max(this.lockedFor(`user:${userKey}`, now), this.lockedFor(`source:${source}`, now));
    if (wait > 0) {
      throw new OkmsError('ERR_RATE_LIMITED', 'too many failed logins for this user or from this address; retry later', { reason: 'rate_limited', retryAfterSeconds: wait / 1000 });
    }
  }

  failed(userKey: string, source: string): void {
    const now = this.nowMs();
    this.count(`user:${userKey}`, this.policies.user, now);
    this.count(`source:${source}`, this.policies.source, now);
  }

  succeeded(userKey: string): void {
    this.failures.delete(`user:${userKey}`);
  }

  private lockedFor(key: string, now: number): number {
    const entry = this.failures.get(key);
    return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
  }

  private count(key: string, policy: ThrottlePolicy, now: number): void {
    const entry = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count += 1;
    const over = entry.count - policy.freeFailures + 1;
    if (over > 0) entry.lockedUntil = now + Math.min(policy.baseSeconds * 2 ** (over - 1), policy.maxSeconds) * 1000;
    this.failures.set(key, entry);
  }
}

export const DEFAULT_LOGIN_THROTTLE = {
  user: { freeFailures: 5, baseSeconds: 1, maxSeconds: 900 },
  source: { freeFailures: 20, baseSeconds: 1, maxSeconds: 900 },
} as const;
