import { randomBytes } from 'node:crypto';
import { unwrap, wrap, UnwrapError } from '../../src/kms/envelope';
import { KeyHierarchy } from '../../src/kms/key-hierarchy';

describe('envelope (AES-256-GCM)', () => {
  const key = randomBytes(32);
  it('round-trips and records algorithm and key id', () => {
    const blob = wrap(key, 'master/1', Buffer.from('secret'), 'ctx');
    expect(blob).toMatchObject({ v: 1, alg: 'A256GCM', kid: 'master/1' });
    expect(unwrap(key, blob, 'ctx').toString()).toBe('secret');
    expect(JSON.stringify(blob)).not.toContain('secret');
  });
  it('refuses another context, another key and tampered ciphertext', () => {
    const blob = wrap(key, 'k', Buffer.from('secret'), 'domain-a');
    expect(() => unwrap(key, blob, 'domain-b')).toThrow(UnwrapError);
    expect(() => unwrap(randomBytes(32), blob, 'domain-a')).toThrow(UnwrapError);
    const ct = Buffer.from(blob.ct, 'base64');
    ct[0]! ^= 1;
    expect(() => unwrap(key, { ...blob, ct: ct.toString('base64') }, 'domain-a')).toThrow(UnwrapError);
  });
});

describe('KeyHierarchy', () => {
  it('wraps a domain secret under a per-domain KEK that only the master key opens', () => {
    const hierarchy = new KeyHierarchy(randomBytes(32));
    const { kek, wrappedKek } = hierarchy.newDomainKek('d1');
    const wrappedSecret = hierarchy.wrapUnderKek(kek, 'd1', 'ca-key', Buffer.from('pkcs8 bytes'));
    const reopened = hierarchy.openDomainKek('d1', wrappedKek);
    expect(hierarchy.unwrapUnderKek(reopened, 'd1', 'ca-key', wrappedSecret).toString()).toBe('pkcs8 bytes');
    expect(() => hierarchy.openDomainKek('d2', wrappedKek)).toThrow(UnwrapError);
    expect(() => hierarchy.unwrapUnderKek(reopened, 'd1', 'other-purpose', wrappedSecret)).toThrow(UnwrapError);
    expect(() => new KeyHierarchy(randomBytes(32)).openDomainKek('d1', wrappedKek)).toThrow(UnwrapError);
  });
  it('detects a different master key through the canary', () => {
    const canary = new KeyHierarchy(randomBytes(32)).makeCanary();
    expect(new KeyHierarchy(randomBytes(32)).checkCanary(canary)).toBe(false);
  });
});
