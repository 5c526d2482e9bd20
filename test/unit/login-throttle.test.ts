import { LoginThrottle } from '../../src/secrets/login-throttle';

describe('LoginThrottle', () => {
  const policies = { user: { freeFailures: 2, baseSeconds: 1, maxSeconds: 8 }, source: { freeFailures: 4, baseSeconds: 10, maxSeconds: 60 } };
  const make = () => {
    let now = 0;
    return { throttle: new LoginThrottle(() => now, policies), advance: (ms: number) => (now += ms) };
  };
  const retryAfter = (fn: () => void): number | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return (error as { retryAfterSeconds: number }).retryAfterSeconds;
    }
  };

  it('the failure that reaches the free count locks for 1 s, each further one for 2, 4, … up to the cap', () => {
    const { throttle, advance } = make();
    throttle.failed('u', 'a');
    expect(retryAfter(() => throttle.check('u', 'c'))).toBeUndefined();
    const waits: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      throttle.failed('u', `s${i}`);
      waits.push(retryAfter(() => throttle.check('u', 'other'))!);
      advance(waits[waits.length - 1]! * 1000);
      expect(retryAfter(() => throttle.check('u', 'other'))).toBeUndefined();
    }
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
  });

  it('locks a source that fails across many users, and a success forgets only its user', () => {
    const { throttle } = make();
    for (let i = 0; i < 3; i += 1) throttle.failed(`user-${i}`, 'spray');
    expect(retryAfter(() => throttle.check('fresh-user', 'spray'))).toBeUndefined();
    throttle.failed('user-3', 'spray');
    expect(retryAfter(() => throttle.check('fresh-user', 'spray'))).toBe(10);
    expect(retryAfter(() => throttle.check('fresh-user', 'elsewhere'))).toBeUndefined();
    throttle.failed('v', 'x');
    throttle.failed('v', 'y');
    expect(retryAfter(() => throttle.check('v', 'w'))).toBe(1);
    throttle.succeeded('v');
    expect(retryAfter(() => throttle.check('v', 'w'))).toBeUndefined();
  });
});
