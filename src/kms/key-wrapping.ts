import { constants, createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { OkmsError } from '../domain/errors';

/**
 * BYOK (OKMS 2.17.0): key material moved in and out of the KMS wrapped under an RSA transport key, as a JWE in
 * compact serialization — the content key encrypted with RSAES-OAEP (SHA-1 for RSA-OAEP, SHA-256 for RSA-OAEP-256),
 * the material itself with A256GCM under it. The material is in one of the formats OKMS names: RAW (a symmetric
 * key's bytes), JWK (its private JWK as JSON), PKCS8 (an asymmetric private key, DER), PKCS1 (an RSA private key, DER).
 */
export const KEY_FORMATS = ['RAW', 'JWK', 'PKCS1', 'PKCS8'] as const;
export type KeyFormat = (typeof KEY_FORMATS)[number];
export const WRAPPING_ALGORITHMS = ['RSA-OAEP', 'RSA-OAEP-256'] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

const OAEP_HASH: Record<WrappingAlgorithm, string> = { 'RSA-OAEP': 'sha1', 'RSA-OAEP-256': 'sha256' };
const CONTENT_ENC: Readonly<Record<string, number>> = { A128GCM: 16, A192GCM: 24, A256GCM: 32 };
const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });
const b64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

/** The material of a key in `format`: what gets wrapped. `secret` is a raw AES key (oct) or PKCS#8 DER. */
export function materialIn(format: KeyFormat, type: 'oct' | 'RSA' | 'EC', secret: Buffer): Buffer {
  if (type === 'oct') {
    if (format === 'RAW') return Buffer.from(secret);
    if (format === 'JWK') return Buffer.from(JSON.stringify({ kty: 'oct', k: b64url(secret) }));
    throw invalid('wrappedKeyFormat', `a symmetric key is exported as RAW or JWK, not ${format}`);
  }
  const key = createPrivateKey({ key: secret, format: 'der', type: 'pkcs8' });
  if (format === 'PKCS8') return Buffer.from(secret);
  if (format === 'JWK') return Buffer.from(JSON.stringify(key.export({ format: 'jwk' })));
  if (format === 'PKCS1' && type === 'RSA') return key.export({ format: 'der', type: 'pkcs1' });
  throw invalid('wrappedKeyFormat', `a ${type} key is exported as PKCS8${type === 'RSA' ? ', PKCS1' : ''} or JWK, not ${format}`);
}

/** The private JWK that unwrapped material in `format` stands for (what an import takes). */
export function jwkOfMaterial(format: KeyFormat, material: Buffer): Record<string, unknown> {
  try {
    if (format === 'RAW') return { kty: 'oct', k: b64url(material) };
    if (format === 'JWK') {
      const jwk = JSON.parse(material.toString('utf8')) as unknown;
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new Error('not a JWK');
      return jwk as Record<string, unknown>;
    }
    const key = createPrivateKey({ key: material, format: 'der', type: format === 'PKCS1' ? 'pkcs1' : 'pkcs8' });
    return key.export({ format: 'jwk' }) as Record<string, unknown>;
  } catch {
    throw invalid('wrappedKeys[0].keyFormatType', `the unwrapped material is not a ${format} key`);
  }
}

/** Wraps `material` for the holder of the transport key's private half: a JWE (RSA-OAEP[-256] + A256GCM). */
export function wrapMaterial(material: Buffer, transportSpki: Buffer, transportId: string, algorithm: WrappingAlgorithm, format: KeyFormat): string {
  const publicKey = createPublicKey({ key: transportSpki, format: 'der', type: 'spki' });
  const cek = randomBytes(32);
  try {
    const header = b64url(JSON.stringify({ alg: algorithm, enc: 'A256GCM', kid: transportId, cty: format }));
    const encryptedKey = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm] }, cek);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', cek, iv);
    cipher.setAAD(Buffer.from(header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(material), cipher.final()]);
    return `${header}.${b64url(encryptedKey)}.${b64url(iv)}.${b64url(ciphertext)}.${b64url(cipher.getAuthTag())}`;
  } finally {
    cek.fill(0);
    material.fill(0);
  }
}

/** Unwraps a JWE made for the transport key (its private half here); every failure is the same 400 naming the field. */
export function unwrapMaterial(jwe: string, transportPrivate: KeyObject, field: string): Buffer {
  const failed = () => invalid(field, 'cannot be unwrapped with this transport key (a JWE: RSA-OAEP or RSA-OAEP-256, A128/192/256GCM)');
  const parts = jwe.split('.');
  if (parts.length !== 5) throw failed();
  const [header, encryptedKey, iv, ciphertext, tag] = parts as [string, string, string, string, string];
  let parsed: { alg?: unknown; enc?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown; enc?: unknown };
  } catch {
    throw failed();
  }
  const algorithm = parsed.alg as WrappingAlgorithm;
  const keyBytes = CONTENT_ENC[String(parsed.enc)];
  if (!WRAPPING_ALGORITHMS.includes(algorithm) || keyBytes === undefined) throw failed();
  let cek: Buffer | undefined;
  try {
    cek = privateDecrypt({ key: transportPrivate, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASH[algorithm] }, Buffer.from(encryptedKey, 'base64url'));
    if (cek.length !== keyBytes) throw new Error('content key of the wrong size');
    const decipher = createDecipheriv(`aes-${keyBytes * 8}-gcm` as 'aes-256-gcm', cek, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(header, 'ascii'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    throw failed();
  } finally {
    cek?.fill(0);
  }
}

/** Whether a JWK carries only a public key (RSA without d, EC without d). */
export const isPublicOnlyJwk = (jwk: Record<string, unknown>): boolean => (jwk.kty === 'RSA' || jwk.kty === 'EC') && jwk.d === undefined;

export const publicKeyFromJwk = (jwk: Record<string, unknown>): KeyObject => createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
