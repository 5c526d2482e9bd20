import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * Fresh random bytes (IVs, nonces) cut from a pool refilled by the CSPRNG; each byte is handed out once.
 * One 4 KiB fill costs about what a single 12-byte call does, and this is on the data plane's hot path.
 */
export function randomBytesFromPool(length: number): Buffer {
  if (length > POOL_BYTES) return randomFillSync(Buffer.alloc(length));
  if (offset + length > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + length)); // a copy: the pool is overwritten later
  offset += length;
  return bytes;
}
