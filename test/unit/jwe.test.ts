import decryptSchema from '../../schemas/decrypt.json';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptionFailed, jweDecrypt, jweEncrypt } from '../../src/kms/jwe';

const KID = '6b1cbd38-8a1d-4bd4-9a2b-9f3f0d9a9c11';

describe('JWE compact, alg dir with AES-GCM under the service key', () => {
  it.each([[16, 'A128GCM'], [24, 'A192GCM'], [32, 'A256GCM']] as const)('round-trips with a %i-byte key and names %s, the key and the kind in the header', (bytes, enc) => {
    const key = randomBytes(bytes);
    const token = jweEncrypt(key, KID, 'ciphertext', Buffer.from('attack at dawn'));
    const [header, encryptedKey, iv, ciphertext, tag] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'dir', enc, kid: KID, typ: 'okmsd-ciphertext' });
    expect(encryptedKey).toBe(''); // dir: no wrapped content key
    expect([Buffer.from(iv!, 'base64url').length, Buffer.from(tag!, 'base64url').length]).toEqual([12, 16]);
    expect(Buffer.from(ciphertext!, 'base64url').toString()).not.toContain('attack');
    expect(jweDecrypt(key, KID, 'ciphertext', token).toString()).toBe('attack at dawn');
  });

  it('is RFC 7516 AES-GCM: Node decrypts it by hand with the protected header as AAD', () => {
    const key = randomBytes(32);
    const [header, , iv, ciphertext, tag] = jweEncrypt(key, KID, 'ciphertext', Buffer.from('interop')).split('.') as [string, string, string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(header, 'ascii'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    expect(Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString()).toBe('interop');
  });

  it('uses a fresh IV every time', () => {
    const key = randomBytes(32);
    const ivs = new Set(Array.from({ length: 200 }, () => jweEncrypt(key, KID, 'ciphertext', Buffer.from('x')).split('.')[2]));
    expect(ivs.size).toBe(200);
  });

  it('binds the context: another context, none, or one where there was none all fail alike', () => {
    const key = randomBytes(32);
    const withContext = jweEncrypt(key, KID, 'ciphertext', Buffer.from('p'), 'tenant-a');
    expect(jweDecrypt(key, KID, 'ciphertext', withContext, 'tenant-a').toString()).toBe('p');
    expect(() => jweDecrypt(key, KID, 'ciphertext', withContext, 'tenant-b')).toThrow(DecryptionFailed);
    expect(() => jweDecrypt(key, KID, 'ciphertext', withContext)).toThrow(DecryptionFailed);
    expect(() => jweDecrypt(key, KID, 'ciphertext', jweEncrypt(key, KID, 'ciphertext', Buffer.from('p')), 'tenant-a')).toThrow(DecryptionFailed);
  });

  it('refuses another key, another kid, the other kind, and every tampered part with the same vague error', () => {
    const key = randomBytes(32);
    const token = jweEncrypt(key, KID, 'datakey', Buffer.from('data key'));
    const flip = (part: number) => {
      const parts = token.split('.');
      const bytes = Buffer.from(parts[part]!, 'base64url');
      bytes[0]! ^= 1;
      parts[part] = bytes.toString('base64url');
      return parts.join('.');
    };
    const refusals = [
      () => jweDecrypt(randomBytes(32), KID, 'datakey', token),
      () => jweDecrypt(key, 'another-key', 'datakey', token),
      () => jweDecrypt(key, KID, 'ciphertext', token),
      () => jweDecrypt(randomBytes(16), KID, 'datakey', token),
      () => jweDecrypt(key, KID, 'datakey', flip(0)),
      () => jweDecrypt(key, KID, 'datakey', flip(2)),
      () => jweDecrypt(key, KID, 'datakey', flip(3)),
      () => jweDecrypt(key, KID, 'datakey', flip(4)),
      () => jweDecrypt(key, KID, 'datakey', token.split('.').slice(0, 4).join('.')),
      () => jweDecrypt(key, KID, 'datakey', token.replace('..', '.AAAA.')),
      () => jweDecrypt(key, KID, 'datakey', 'not a token'),
      () => jweDecrypt(key, KID, 'datakey', `${Buffer.from('{').toString('base64url')}..a.b.c`),
    ];
    for (const refusal of refusals) {
      expect(refusal).toThrow(DecryptionFailed);
      expect(refusal).toThrow('decryption failed');
    }
    expect(jweDecrypt(key, KID, 'datakey', token).toString()).toBe('data key');
  });

  it('refuses a key that is no AES size', () => {
    expect(() => jweEncrypt(randomBytes(20), KID, 'ciphertext', Buffer.from('x'))).toThrow('no AES-GCM for a 20-byte key');
  });

  it('makes no ciphertext decrypt refuses: the longest (4,096 bytes, the encrypt limit, under every AES size) fits the decrypt schema', () => {
    const limit = (decryptSchema as { properties: { ciphertext: { maxLength: number } } }).properties.ciphertext.maxLength;
    for (const size of [16, 24, 32]) {
      const token = jweEncrypt(Buffer.alloc(size, 7), '6f8d4a2e-1b3c-4d5e-8f90-123456789abc', 'ciphertext', Buffer.alloc(4096), 'c'.repeat(64));
      expect(token.length).toBeLessThanOrEqual(limit);
    }
  });
});
