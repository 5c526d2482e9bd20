import * as crypto from 'node:crypto';

/** The hash a chain starts from: the prevHash of its first entry. */
export const GENESIS_HASH = '0'.repeat(64);

// crypto.hash (Node ≥ 20.12) is one call; for a record of audit size it costs half of a Hash object.
const oneShot = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;

/** The audit chain's link: sha256(prevHash "\n" record), hex. Every store and the verifier use this one function. */
export const chainHash: (prevHash: string, record: string) => string = typeof oneShot === 'function'
  ? (prevHash, record) => oneShot('sha256', `${prevHash}\n${record}`)
  : (prevHash, record) => crypto.createHash('sha256').update(prevHash).update('\n').update(record).digest('hex');
