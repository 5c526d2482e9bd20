import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * An AES-256-GCM ciphertext with what is needed to open it later: the wrapping key's id and version
 * (so rotation can re-wrap) and the algorithm (so migration can tell old blobs apart).
 */
export interface WrappedBlob {
  readonly v: 1;
  readonly alg: 'A256GCM';
  /** Which key wrapped this blob, e.g. "master/1" or "kek/{domainId}/1". */
  readonly kid: string;
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

export class UnwrapError extends Error {
  constructor(kid: string) {
    super(`could not unwrap a blob under ${kid}: wrong key, wrong context or tampered data`);
    this.name = 'UnwrapError';
  }
}

/** Encrypts `plaintext` under a 32-byte key; `aad` binds the blob to where it belongs (a domain, a purpose). */
export function wrap(key: Buffer, kid: string, plaintext: Uint8Array, aad: string): WrappedBlob {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { v: 1, alg: 'A256GCM', kid, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

export function unwrap(key: Buffer, blob: WrappedBlob, aad: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(blob.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(blob.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(blob.ct, 'base64')), decipher.final()]);
  } catch {
    throw new UnwrapError(blob.kid);
  }
}

export function parseWrappedBlob(json: string): WrappedBlob {
  const value = JSON.parse(json) as WrappedBlob;
  if (value.v !== 1 || value.alg !== 'A256GCM') throw new Error(`unsupported wrapped blob format v=${String(value.v)} alg=${String(value.alg)}`);
  return value;
}
