import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { encodeEcKeyPair } from '../../src/ca/ec-key-encoding';
import { requireTools } from '../helpers/outside-tools';
import { execFileSync } from 'node:child_process';
import { derToPem } from '../../src/ca/csr-input';

describe('encodeEcKeyPair', () => {
  it.each(['P-256', 'P-384', 'P-521'])('%s: equals what OpenSSL encodes, byte for byte (SPKI) and in meaning (PKCS#8)', (namedCurve) => {
    // Many keys, so that coordinates and scalars with leading zero bytes occur (about 1 in 128 per key).
    for (let i = 0; i < 300; i += 1) {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve });
      const { spki, pkcs8 } = encodeEcKeyPair(privateKey);
      expect(spki.equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
      const reparsed = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      expect(reparsed.export({ format: 'jwk' })).toEqual(privateKey.export({ format: 'jwk' }));
      const signature = sign(null, Buffer.from('m'), reparsed);
      expect(verify(null, Buffer.from('m'), createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature)).toBe(true);
    }
  });

  it('produces a PKCS#8 file that openssl reads', () => {
    requireTools('openssl');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = derToPem(encodeEcKeyPair(privateKey).pkcs8, 'PRIVATE KEY');
    expect(execFileSync('openssl', ['pkey', '-noout', '-check'], { input: pem, stdio: 'pipe' }).toString()).toContain('valid');
  });
});
