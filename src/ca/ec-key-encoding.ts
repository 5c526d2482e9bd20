import type { KeyObject } from 'node:crypto';
import { bitString, integer, octetString, oid, explicit, sequence } from './der';

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const CURVE_OIDS: Record<string, string> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
};

/**
 * The SPKI DER of an EC public key in the one standard form: named curve, uncompressed point. A compressed point
 * in a CSR is thus issued as the same key written the way every verifier parses (Go's crypto/x509 refuses others).
 */
export function encodeEcPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const curve = CURVE_OIDS[jwk.crv ?? ''];
  if (!curve || !jwk.x || !jwk.y) throw new Error(`unsupported EC key (${jwk.crv ?? 'no curve'})`);
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return sequence(sequence(oid(EC_PUBLIC_KEY), oid(curve)), bitString(point));
}

/**
 * SPKI and PKCS#8 DER of an EC key pair, built from its JWK. OpenSSL 3's encoders cost ~220 µs of event-loop
 * time per key here (more than signing the certificate); the JWK export costs a quarter of that.
 */
export function encodeEcKeyPair(privateKey: KeyObject): { spki: Buffer; pkcs8: Buffer } {
  const jwk = privateKey.export({ format: 'jwk' });
  const curve = CURVE_OIDS[jwk.crv ?? ''];
  if (!curve || !jwk.x || !jwk.y || !jwk.d) throw new Error(`unsupported EC key (${jwk.crv ?? 'no curve'})`);
  const algorithm = sequence(oid(EC_PUBLIC_KEY), oid(curve));
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  const spki = sequence(algorithm, bitString(point));
  // ECPrivateKey (RFC 5915) { version 1, privateKey, [1] publicKey }; the curve is in the outer AlgorithmIdentifier.
  const ecPrivateKey = sequence(integer(1), octetString(Buffer.from(jwk.d, 'base64url')), explicit(1, bitString(point)));
  const pkcs8 = sequence(integer(0), algorithm, octetString(ecPrivateKey));
  return { spki, pkcs8 };
}
