import { createECDH, createPublicKey, ECDH, KeyObject, webcrypto } from 'node:crypto';
import { bitString, integer, octetString, oid, explicit, sequence } from './der';

/** id-ecPublicKey, the key algorithm of every EC SubjectPublicKeyInfo. */
export const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/**
 * The EC curves okmsd knows, and so the curves a CSR's EC key may use: JOSE name, named-curve OID, OpenSSL's name
 * (how Node reports a key's curve), and the byte size of a coordinate.
 */
export interface EcCurve {
  readonly name: 'P-256' | 'P-384' | 'P-521';
  readonly oid: string;
  readonly openssl: string;
  readonly bytes: number;
}

export const EC_CURVES: readonly EcCurve[] = [
  { name: 'P-256', oid: '1.2.840.10045.3.1.7', openssl: 'prime256v1', bytes: 32 },
  { name: 'P-384', oid: '1.3.132.0.34', openssl: 'secp384r1', bytes: 48 },
  { name: 'P-521', oid: '1.3.132.0.35', openssl: 'secp521r1', bytes: 66 },
];
export const ecCurveByName = (name: string): EcCurve | undefined => EC_CURVES.find((c) => c.name === name);
export const ecCurveByOid = (dotted: string): EcCurve | undefined => EC_CURVES.find((c) => c.oid === dotted);
export const ecCurveByOpensslName = (name: string): EcCurve | undefined => EC_CURVES.find((c) => c.openssl === name);

/** An EC key pair as its numbers: the private scalar and the uncompressed public point (0x04 || X || Y). */
export interface RawEcKeyPair {
  readonly curve: EcCurve;
  readonly d: Buffer;
  readonly point: Buffer;
}

const leftPad = (bytes: Buffer, size: number): Buffer => (bytes.length === size ? bytes : Buffer.concat([Buffer.alloc(size - bytes.length), bytes]));

/**
 * A fresh EC key pair from OpenSSL's EC_KEY_generate_key (through node:crypto's ECDH, whose keys are ordinary EC
 * keys, usable for ECDSA). It costs about a third of generateKeyPair('ec') with the key export, which goes through
 * OpenSSL 3's provider and encoder layers; it runs on the calling thread (~70 µs for P-256 on the 2-vCPU CI VM).
 */
export function generateRawEcKeyPair(curve: EcCurve): RawEcKeyPair {
  const ecdh = createECDH(curve.openssl);
  const point = ecdh.generateKeys();
  const scalar = ecdh.getPrivateKey();
  const d = leftPad(scalar, curve.bytes);
  if (d !== scalar) scalar.fill(0);
  return { curve, d, point };
}

/**
 * The SPKI DER of an EC public key in the one standard form: named curve, uncompressed point. A compressed point
 * in a CSR is thus issued as the same key written the way every verifier parses (Go's crypto/x509 refuses others).
 */
export function encodeEcPublicKey(curve: EcCurve, uncompressedPoint: Uint8Array): Buffer {
  return sequence(sequence(oid(EC_PUBLIC_KEY), oid(curve.oid)), bitString(uncompressedPoint));
}

/** SPKI and PKCS#8 DER of an EC key pair (OpenSSL's encoders cost ~220 µs of event-loop time per key here). */
export function encodeEcKeyPair({ curve, d, point }: RawEcKeyPair): { spki: Buffer; pkcs8: Buffer } {
  const algorithm = sequence(oid(EC_PUBLIC_KEY), oid(curve.oid));
  const spki = sequence(algorithm, bitString(point));
  // ECPrivateKey (RFC 5915) { version 1, privateKey, [1] publicKey }; the curve is in the outer AlgorithmIdentifier.
  const ecPrivateKey = sequence(integer(1), octetString(d), explicit(1, bitString(point)));
  const pkcs8 = sequence(integer(0), algorithm, octetString(ecPrivateKey));
  ecPrivateKey.fill(0);
  return { spki, pkcs8 };
}

/** The point uncompressed (a compressed one decompressed by OpenSSL); throws on any other form or size. */
function uncompressedPoint(curve: EcCurve, point: Uint8Array): Buffer {
  const compressed = point.length === curve.bytes + 1 && (point[0] === 0x02 || point[0] === 0x03);
  if (!compressed && !(point.length === 2 * curve.bytes + 1 && point[0] === 0x04)) throw new Error('not an EC point of this curve');
  return compressed ? (ECDH.convertKey(point, curve.openssl, undefined, undefined, 'uncompressed') as Buffer) : Buffer.from(point);
}

/**
 * A public key from its point (uncompressed, or compressed: decompressed first), as a KeyObject and its canonical
 * SPKI. OpenSSL refuses a point that is not on the curve. Through JWK this costs about half of what parsing the
 * SPKI DER does (OpenSSL 3's decoder framework). Throws on any invalid point.
 */
export function importEcPublicPoint(curve: EcCurve, point: Uint8Array): { key: KeyObject; spki: Buffer } {
  const uncompressed = uncompressedPoint(curve, point);
  const x = uncompressed.subarray(1, 1 + curve.bytes).toString('base64url');
  const y = uncompressed.subarray(1 + curve.bytes).toString('base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: curve.name, x, y }, format: 'jwk' });
  return { key, spki: encodeEcPublicKey(curve, uncompressed) };
}

/**
 * The same through WebCrypto's raw import, a third cheaper: OpenSSL still refuses a point off the curve, but skips
 * the check a JWK import adds, that the group order times the point is infinity (a scalar multiplication). On
 * these curves that check proves nothing: their cofactor is 1, so every point on the curve has the group's prime
 * order, infinity aside, which has no uncompressed or compressed encoding. Rejects on any invalid point.
 */
export async function importEcPublicPointRaw(curve: EcCurve, point: Uint8Array): Promise<{ key: KeyObject; spki: Buffer }> {
  const uncompressed = uncompressedPoint(curve, point);
  const key = KeyObject.from(await webcrypto.subtle.importKey('raw', uncompressed, { name: 'ECDSA', namedCurve: curve.name }, true, ['verify']));
  return { key, spki: encodeEcPublicKey(curve, uncompressed) };
}
