import { generateKeyPairSync, verify } from 'node:crypto';
import { signWithCa } from '../../src/ca/ca-signature';
import type { CaSigner } from '../../src/ca/ca-signer';

const caOf = (algorithm: 'P-256' | 'P-384') => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: algorithm });
  return { ca: { algorithm, hash: algorithm === 'P-256' ? 'sha256' : 'sha384', privateKey } as unknown as CaSigner, publicKey };
};

describe('signWithCa', () => {
  it.each(['P-256', 'P-384'] as const)('%s: a DER ECDSA signature over the data, with the CA key and its hash', async (algorithm) => {
    const { ca, publicKey } = caOf(algorithm);
    const data = Buffer.from('to be signed');
    const signature = await signWithCa(ca, data);
    expect(signature[0]).toBe(0x30); // DER SEQUENCE { r, s }, as X.509 wants
    expect(verify(ca.hash, data, publicKey, signature)).toBe(true);
    expect(verify(ca.hash, Buffer.from('something else'), publicKey, signature)).toBe(false);
  });

  it.each(['P-256', 'P-384'] as const)('%s: a failure to sign rejects the promise, it never throws at the caller', async (algorithm) => {
    const { ca } = caOf(algorithm);
    let pending: Promise<Buffer> | undefined;
    expect(() => (pending = signWithCa({ ...ca, hash: 'no-such-hash' } as unknown as CaSigner, Buffer.from('x')))).not.toThrow();
    await expect(pending).rejects.toThrow();
  });
});
