import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ConcurrencyLimit } from '../domain/concurrency-limit';

/** IAM user passwords: scrypt (N=16384, r=8, p=1), stored as `scrypt$N$r$p$salt$key` (base64 parts). */
const N = 16384;
const R = 8;
const P = 1;

/**
 * scrypt runs on libuv's thread pool, which signing key generation and the store's fsync share: one derivation at
 * a time, at most 64 waiting (beyond: 429), so that no number of password attempts takes more than one pool thread.
 */
const SCRYPT_QUEUE = new ConcurrencyLimit(1, 64);

function derive(password: string, salt: Buffer, length: number, n: number, r: number, p: number): Promise<Buffer> {
  // A stored hash from elsewhere could name a huge cost: refuse what this module would never write.
  if (n > N || r > R || p > P || length > 64) return Promise.resolve(Buffer.alloc(0));
  return SCRYPT_QUEUE.run(() => new Promise((resolve, reject) => scrypt(password, salt, length, { N: n, r, p }, (err, key) => (err ? reject(err) : resolve(key)))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, 32, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A stored hash that matches nothing: checked against when the user is unknown, so timing tells no logins apart. */
export const NO_PASSWORD = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

export async function verifyPassword(stored: unknown, password: string): Promise<boolean> {
  const parts = typeof stored === 'string' ? stored.split('$') : [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, expected] = parts as [string, string, string, string, string, string];
  const want = Buffer.from(expected, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), want.length, Number(n), Number(r), Number(p));
  return key.length === want.length && key.length > 0 && timingSafeEqual(key, want);
}
