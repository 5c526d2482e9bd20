import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import { BoundedMap } from '../domain/bounded-map';
import { randomBytesFromPool } from './random-pool';

/** What a JWE of this service carries; decrypting one kind at the other kind's endpoint is refused. */
export type JweKind = 'ciphertext' | 'datakey';

const ENC_BY_KEY_BYTES: Record<number, string> = { 16: 'A128GCM', 24: 'A192GCM', 32: 'A256GCM' };

export class DecryptionFailed extends Error {
  constructor() {
    super('decryption failed'); // deliberately vague: wrong key, wrong context and tampering look alike
    this.name = 'DecryptionFailed';
  }
}

const b64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

/** The optional `context` is bound as additional authenticated data, so decryption needs the same context. */
function aad(protectedB64: string, context: string | undefined): Buffer {
  return Buffer.from(context ? `${protectedB64}.${b64url(context)}` : protectedB64, 'ascii');
}

/**
 * JWE compact serialization, `alg: dir` with AES-GCM under the service key itself. OKMS clients treat the
 * token as opaque and send it back to the same key; the header names the key (kid) and the kind.
 */
const headers = new BoundedMap<string, string>(10_000);

/** The protected header, base64url: the same for every token of one key and kind, so made once. */
function protectedHeader(enc: string, kid: string, kind: JweKind): string {
  const cacheKey = `${enc}/${kind}/${kid}`;
  let header = headers.get(cacheKey);
  if (header === undefined) {
    header = b64url(JSON.stringify({ alg: 'dir', enc, kid, typ: `okmsd-${kind}` }));
    headers.set(cacheKey, header);
  }
  return header;
}

export function jweEncrypt(key: Buffer, kid: string, kind: JweKind, plaintext: Uint8Array, context?: string): string {
  const enc = ENC_BY_KEY_BYTES[key.length];
  if (!enc) throw new Error(`no AES-GCM for a ${key.length}-byte key`);
  const header = protectedHeader(enc, kid, kind);
  const iv = randomBytesFromPool(12);
  const cipher = createCipheriv(`aes-${key.length * 8}-gcm` as CipherGCMTypes, key, iv);
  cipher.setAAD(aad(header, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${header}..${b64url(iv)}.${b64url(ciphertext)}.${b64url(cipher.getAuthTag())}`;
}

export function jweDecrypt(key: Buffer, kid: string, kind: JweKind, token: string, context?: string): Buffer {
  const parts = token.split('.');
  if (parts.length !== 5 || parts[1] !== '') throw new DecryptionFailed();
  const [header, , iv, ciphertext, tag] = parts as [string, string, string, string, string];
  let parsed: { alg?: string; enc?: string; kid?: string; typ?: string };
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw new DecryptionFailed();
  }
  if (parsed.alg !== 'dir' || parsed.enc !== ENC_BY_KEY_BYTES[key.length] || parsed.kid !== kid || parsed.typ !== `okmsd-${kind}`) {
    throw new DecryptionFailed();
  }
  try {
    const decipher = createDecipheriv(`aes-${key.length * 8}-gcm` as CipherGCMTypes, key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(header, context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
  } catch {
    throw new DecryptionFailed();
  }
}
