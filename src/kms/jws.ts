import { OkmsError } from '../domain/errors';
import type { SignatureAlgorithm } from './signatures';

const b64url = (data: Uint8Array | string) => Buffer.from(data).toString('base64url');

/** The JWS signing input (RFC 7515 §5.1) for `format=jws|jwt`; a JWT's payload must be a JSON object. */
export function jwsSigningInput(alg: SignatureAlgorithm, kid: string, message: Buffer, format: 'jws' | 'jwt'): string {
  if (format === 'jwt') {
    let claims: unknown;
    try {
      claims = JSON.parse(message.toString('utf8'));
    } catch {
      claims = undefined;
    }
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) {
      throw new OkmsError('ERR_VALIDATION', 'message: with format=jwt it must be a JSON object of claims', { field: 'message' });
    }
  }
  const header = format === 'jwt' ? { alg, kid, typ: 'JWT' } : { alg, kid };
  return `${b64url(JSON.stringify(header))}.${b64url(message)}`;
}

/** Splits a compact JWS: its algorithm, signing input, payload and raw signature. */
export function parseCompactJws(token: string): { alg: string; signingInput: string; payload: Buffer; signature: Buffer } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    if (typeof parsed.alg !== 'string') return undefined;
    return { alg: parsed.alg, signingInput: `${header}.${payload}`, payload: Buffer.from(payload, 'base64url'), signature: Buffer.from(signature, 'base64url') };
  } catch {
    return undefined;
  }
}
