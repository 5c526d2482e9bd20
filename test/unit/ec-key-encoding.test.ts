import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { derToPem } from '../../src/ca/csr-input';
import { EC_CURVES, encodeEcKeyPair, generateRawEcKeyPair, importEcPublicPoint, importEcPublicPointRaw, type EcCurve } from '../../src/ca/ec-key-encoding';
import { requireTools } from '../helpers/outside-tools';

const pointOf = (jwk: { x?: string; y?: string }) => Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);

describe('encodeEcKeyPair', () => {
  it.each(EC_CURVES.map((c) => [c.name, c] as [string, EcCurve]))('%s: equals what OpenSSL encodes, byte for byte (SPKI) and in meaning (PKCS#8)', (_name, curve) => {
    // Many keys, so that coordinates and scalars with leading zero bytes occur (about 1 in 128 per key).
    for (let i = 0; i < 300; i += 1) {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve.name });
      const jwk = privateKey.export({ format: 'jwk' });
      const { spki, pkcs8 } = encodeEcKeyPair({ curve, d: Buffer.from(jwk.d!, 'base64url'), point: pointOf(jwk) });
      expect(spki.equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
      const reparsed = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      expect(reparsed.export({ format: 'jwk' })).toEqual(jwk);
      const signature = sign(null, Buffer.from('m'), reparsed);
      expect(verify(null, Buffer.from('m'), createPublicKey({ key: spki, format: 'der', type: 'spki' }), signature)).toBe(true);
    }
  });

  it('produces a PKCS#8 file that openssl reads', () => {
    requireTools('openssl');
    const pem = derToPem(encodeEcKeyPair(generateRawEcKeyPair(EC_CURVES[0]!)).pkcs8, 'PRIVATE KEY');
    expect(execFileSync('openssl', ['pkey', '-noout', '-check'], { input: pem, stdio: 'pipe', timeout: 30_000 }).toString()).toContain('valid');
  });
});

describe('generateRawEcKeyPair', () => {
  it.each(EC_CURVES.map((c) => [c.name, c] as [string, EcCurve]))('%s: a key pair whose private key OpenSSL reads back with the same public point', (_name, curve) => {
    for (let i = 0; i < 50; i += 1) {
      const pair = generateRawEcKeyPair(curve);
      expect([pair.d.length, pair.point.length, pair.point[0]]).toEqual([curve.bytes, 2 * curve.bytes + 1, 0x04]);
      const { spki, pkcs8 } = encodeEcKeyPair(pair);
      const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).equals(spki)).toBe(true);
      expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe(curve.openssl);
    }
  });

  it('pads a private scalar with leading zero bytes to the curve size (PKCS#8 and RFC 5915 want it whole)', () => {
    const curve = EC_CURVES[0]!;
    let padded: ReturnType<typeof generateRawEcKeyPair> | undefined;
    for (let i = 0; i < 20_000 && !padded; i += 1) {
      const pair = generateRawEcKeyPair(curve);
      if (pair.d[0] === 0) padded = pair;
    }
    expect(padded).toBeDefined(); // one key in 256 has a leading zero byte: 20,000 tries miss one with p < 1e-33
    const privateKey = createPrivateKey({ key: encodeEcKeyPair(padded!).pkcs8, format: 'der', type: 'pkcs8' });
    expect(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url').equals(padded!.d)).toBe(true);
  });

  it('makes a different key every time', () => {
    const seen = new Set(Array.from({ length: 100 }, () => generateRawEcKeyPair(EC_CURVES[0]!).d.toString('hex')));
    expect(seen.size).toBe(100);
  });
});

type PointImport = (curve: EcCurve, point: Uint8Array) => Promise<{ key: KeyObject; spki: Buffer }>;

describe.each<[string, PointImport]>([
  ['importEcPublicPoint (JWK)', async (curve, point) => importEcPublicPoint(curve, point)],
  ['importEcPublicPointRaw (WebCrypto raw)', importEcPublicPointRaw],
])('%s', (_name, importPoint) => {
  const curve = EC_CURVES[0]!;
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const point = pointOf(publicKey.export({ format: 'jwk' }));
  const jwk = publicKey.export({ format: 'jwk' });

  it('imports an uncompressed and a compressed point as the same key, in the canonical SPKI', async () => {
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    expect((await importPoint(curve, point)).spki.equals(spki)).toBe(true);
    const prefix = (point[64]! & 1) === 0 ? 0x02 : 0x03;
    const short = Buffer.concat([Buffer.from([prefix]), point.subarray(1, 33)]);
    const imported = await importPoint(curve, short);
    expect(imported.spki.equals(spki)).toBe(true);
    expect(imported.key.export({ format: 'jwk' })).toEqual(jwk);
  });

  it.each(EC_CURVES.map((c) => [c.name, c] as [string, EcCurve]))('%s: imports keys that verify their own signatures', async (_curveName, c) => {
    for (let i = 0; i < 50; i += 1) {
      const pair = generateKeyPairSync('ec', { namedCurve: c.name });
      const imported = await importPoint(c, pointOf(pair.publicKey.export({ format: 'jwk' })));
      expect(imported.spki.equals(pair.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
      expect(verify(null, Buffer.from('m'), imported.key, sign(null, Buffer.from('m'), pair.privateKey))).toBe(true);
    }
  });

  it('refuses a point off the curve, a point of another size and the other encodings', async () => {
    const off = Buffer.from(point);
    off[64]! ^= 0x01;
    await expect(importPoint(curve, off)).rejects.toThrow();
    await expect(importPoint(curve, point.subarray(0, 64))).rejects.toThrow();
    await expect(importPoint(EC_CURVES[1]!, point)).rejects.toThrow();
    const hybrid = Buffer.from(point);
    hybrid[0] = 0x06 | (point[64]! & 1);
    await expect(importPoint(curve, hybrid)).rejects.toThrow();
    await expect(importPoint(curve, Buffer.from([0x00]))).rejects.toThrow();
    const notOnCurveX = Buffer.concat([Buffer.from([0x02]), Buffer.alloc(32, 0xff)]); // x ≥ p: no point at all
    await expect(importPoint(curve, notOnCurveX)).rejects.toThrow();
  });
});
