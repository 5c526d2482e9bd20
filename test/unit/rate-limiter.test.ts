import { RateLimiter } from '../../src/http/pipeline/rate-limiter';

describe('RateLimiter (token buckets, injected clock)', () => {
  it('allows the burst, then answers the wait, and refills at the rate', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ perSecond: 2, burst: 4 }, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take('k'))).toEqual([0, 0, 0, 0]);
    expect(limiter.take('k')).toBeCloseTo(0.5);
    expect(limiter.wouldWait('k')).toBeCloseTo(0.5);
    now += 500;
    expect(limiter.take('k')).toBe(0);
    expect(limiter.take('other')).toBe(0);
    now += 10_000;
    expect([1, 2, 3, 4].map(() => limiter.take('k'))).toEqual([0, 0, 0, 0]);
    expect(limiter.take('k')).toBeGreaterThan(0);
  });

  it('wouldWait takes nothing; a rate of 0 turns the limiter off', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, () => 0);
    expect(limiter.wouldWait('k')).toBe(0);
    expect(limiter.wouldWait('k')).toBe(0);
    expect(limiter.take('k')).toBe(0);
    expect(limiter.wouldWait('k')).toBe(1);
    const off = new RateLimiter({ perSecond: 0, burst: 0 }, () => 0);
    expect(Array.from({ length: 100 }, () => off.take('k')).every((w) => w === 0)).toBe(true);
  });
});
