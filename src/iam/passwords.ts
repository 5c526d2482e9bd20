import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** IAM user passwords: scrypt (N=16384, r=8, p=1), stored as `scrypt$N$r$p$salt$key` (base64 parts). */
const N = 16384;
const R = 8;
const P = 1;

function derive(password: string, salt: Buffer, length: number, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, { N: n, r, p }, (err, key) => (err ? reject(err) : resolve(key))));
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
  return key.length === want.length && timingSafeEqual(key, want);
}
