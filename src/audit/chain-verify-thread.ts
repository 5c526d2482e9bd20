import { parentPort, workerData } from 'node:worker_threads';
import { GENESIS_HASH, chainHash } from '../domain/audit-chain-hash';

/** One page of the chain to check, in order; the reply says how many entries held so far, or the first broken one. */
export interface VerifyMessage {
  readonly entries: ReadonlyArray<{ seq: number; prevHash: string; hash: string; record: string }>;
}

/** The chain walk of AuditLog.verify on a thread of its own: hashing 100k records takes no time from the event loop. */
/** Where the walk starts: the chain's beginning, or the entry a verified checkpoint vouches for. */
const start = workerData as { seq: number; hash: string } | undefined;
let expectedPrev = start?.hash ?? GENESIS_HASH;
let expectedSeq = (start?.seq ?? 0) + 1;
let count = 0;
let broken: { seq: number; problem: string } | undefined;

parentPort!.on('message', (message: VerifyMessage) => {
  for (const entry of message.entries) {
    if (broken) break;
    const problem =
      entry.seq !== expectedSeq ? `sequence gap: expected ${expectedSeq}, found ${entry.seq}`
      : entry.prevHash !== expectedPrev ? 'prevHash does not match the previous entry'
      : entry.hash !== chainHash(entry.prevHash, entry.record) ? 'hash does not match the record'
      : undefined;
    if (problem) {
      broken = { seq: entry.seq, problem };
      break;
    }
    expectedPrev = entry.hash;
    expectedSeq += 1;
    count += 1;
  }
  parentPort!.postMessage({ ok: broken === undefined, entries: count, ...(broken ?? {}) });
});
