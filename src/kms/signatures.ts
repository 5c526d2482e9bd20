import { constants, createPrivateKey, createPublicKey, privateEncrypt, publicDecrypt, sign, verify, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/p256';
import { p384 } from '@noble/curves/p384';
import { p521 } from '@noble/curves/p521';
import { OkmsError } from '../domain/errors';
import { signPssDigest, verifyPssDigest } from './pss-digest';

export const SIGNATURE_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

const HASH: Record<string, { node: 'sha256' | 'sha384' | 'sha512'; bytes: number; digestInfo: string }> = {
  '256': { node: 'sha256', bytes: 32, digestInfo: '3031300d060960864801650304020105000420' },
  '384': { node: 'sha384', bytes: 48, digestInfo: '3041300d060960864801650304020205000430' },
  '512': { node: 'sha512', bytes: 64, digestInfo: '3051300d060960864801650304020305000440' },
};
const CURVE_FOR_ES: Record<string, { curve: string; noble: typeof p256 }> = {
  ES256: { curve: 'P-256', noble: p256 },
  ES384: { curve: 'P-384', noble: p384 as unknown as typeof p256 },
  ES512: { curve: 'P-521', noble: p521 as unknown as typeof p256 },
};

const bad = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });

/** Which algorithms a key may use: ES* are bound to their curve (JWA), RS/PS to RSA keys. */
export function checkAlgorithmFits(alg: SignatureAlgorithm, type: 'RSA' | 'EC', curve: string | null): void {
  if (alg.startsWith('ES') ? type !== 'EC' || CURVE_FOR_ES[alg]!.curve !== curve : type !== 'RSA') {
    throw bad('alg', `${alg} does not fit this ${type}${curve ? ` ${curve}` : ''} key`);
  }
}

function hashOf(alg: SignatureAlgorithm) {
  return HASH[alg.slice(2)]!;
}

function checkDigest(alg: SignatureAlgorithm, digest: Buffer): void {
  if (digest.length !== hashOf(alg).bytes) throw bad('message', `with isdigest, the message must be a ${hashOf(alg).bytes}-byte ${hashOf(alg).node} digest`);
}

function pssOptions(key: KeyObject) {
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
}

/**
 * Signs `message` (or, with isdigest, an already computed digest: okms-cli always sends one). Node has no
 * prehashed ECDSA, so digests are signed with @noble/curves; RS* digests as PKCS#1 v1.5 DigestInfo; PS* digests
 * through EMSA-PSS (pss-digest.ts).
 * ECDSA signatures are IEEE P1363 (r‖s), as OKMS returns them.
 */
export function signMessage(alg: SignatureAlgorithm, pkcs8: Buffer, message: Buffer, isDigest: boolean): Buffer {
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const hash = hashOf(alg);
  if (alg.startsWith('ES')) {
    if (!isDigest) return sign(hash.node, message, { key, dsaEncoding: 'ieee-p1363' });
    checkDigest(alg, message);
    const d = Buffer.from(String(key.export({ format: 'jwk' }).d), 'base64url');
    return Buffer.from(CURVE_FOR_ES[alg]!.noble.sign(message, d, { prehash: false, lowS: false }).toCompactRawBytes());
  }
  if (alg.startsWith('PS')) {
    if (!isDigest) return sign(hash.node, message, pssOptions(key));
    checkDigest(alg, message);
    return signPssDigest(hash.node, key, message);
  }
  if (!isDigest) return sign(hash.node, message, key);
  checkDigest(alg, message);
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(hash.digestInfo, 'hex'), message]));
}

export function verifySignature(alg: SignatureAlgorithm, spki: Buffer, message: Buffer, signature: Buffer, isDigest: boolean): boolean {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const hash = hashOf(alg);
  try {
    if (alg.startsWith('ES')) {
      if (!isDigest) return verify(hash.node, message, { key, dsaEncoding: 'ieee-p1363' }, signature);
      checkDigest(alg, message);
      const jwk = key.export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(String(jwk.x), 'base64url'), Buffer.from(String(jwk.y), 'base64url')]);
      return CURVE_FOR_ES[alg]!.noble.verify(signature, message, point, { prehash: false, lowS: false });
    }
    if (alg.startsWith('PS')) {
      if (!isDigest) return verify(hash.node, message, pssOptions(key), signature);
      checkDigest(alg, message);
      return verifyPssDigest(hash.node, key, message, signature);
    }
    if (!isDigest) return verify(hash.node, message, key, signature);
    checkDigest(alg, message);
    const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return recovered.equals(Buffer.concat([Buffer.from(hash.digestInfo, 'hex'), message]));
  } catch (error) {
    if (error instanceof OkmsError) throw error;
    return false; // malformed signatures are simply not valid
  }
}
