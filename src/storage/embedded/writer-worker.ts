import Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { chainHash, GENESIS_HASH } from '../../domain/audit-chain-hash';
import type { BatchMessage, ChainOutcome, Failure, FromWorker, ToWorker, WriteOutcome, WriterConfig, WriteStep } from './writer-messages';

// The embedded store's single writer, run as a worker thread by WriterThread (writer-thread.ts).
const config = workerData as WriterConfig;
const port = parentPort!;
const db = new Database(config.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
let synchronous: 'FULL' | 'NORMAL' = 'FULL';
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
// SQLite checkpoints inside the commit that crosses this many WAL pages, holding that batch (and every call
// waiting on it) until the pages are copied and the database file synced. At the default 1,000 pages that
// held a batch for 6–9 ms a few times a second under data-plane load; at 100 pages a checkpoint costs about
// what a commit does, and the WAL stays under half a megabyte, which also keeps readers' WAL lookups short.
db.pragma('wal_autocheckpoint = 100');

const statements = new Map<string, Database.Statement>();
function prepare(sql: string): Database.Statement {
  let statement = statements.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    statements.set(sql, statement);
  }
  return statement;
}

function failure(error: unknown): Failure {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return { ok: false, ...(typeof code === 'string' ? { code } : {}), message: String(message) };
}

// A batch's records are linked to the tail read once, inside the batch's IMMEDIATE transaction (no other
// process can move the tail meanwhile); nothing here can fail alone, so they need no savepoints.
function appendToChain(records: readonly string[]): ChainOutcome {
  const last = prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const first = last ? last.seq + 1 : 1;
  const prevHash = last ? last.hash : GENESIS_HASH;
  const insert = prepare('INSERT INTO audit (seq, prev_hash, hash, record) VALUES (?, ?, ?, ?)');
  const hashes: string[] = [];
  let prev = prevHash;
  for (let i = 0; i < records.length; i += 1) {
    const hash = chainHash(prev, records[i]!);
    insert.run(first + i, prev, hash, records[i]);
    hashes.push(hash);
    prev = hash;
  }
  return { ok: true, first, prevHash, hashes };
}

const runSteps = db.transaction((steps: readonly WriteStep[]) => {
  const results: unknown[] = [];
  for (const step of steps) {
    if (step.onlyIfPrevious && !results[results.length - 1]) {
      results.push(undefined);
      continue;
    }
    const statement = prepare(step.sql);
    results.push(step.mode === 'get' ? statement.get(step.params) : statement.run(step.params).changes);
  }
  return results;
});

const commitBatch = db.transaction((writes: readonly (readonly WriteStep[])[], chain: readonly string[], outcomes: WriteOutcome[]) => {
  for (const steps of writes) {
    try {
      outcomes.push({ ok: true, value: runSteps(steps) }); // nested: a SAVEPOINT per write
    } catch (error) {
      outcomes.push(failure(error));
    }
  }
  return chain.length > 0 ? appendToChain(chain) : undefined;
});

// Deferred sync: a batch of deferrable chain records only commits to the WAL (synchronous=NORMAL: it survives a
// crash of the process at once); the WAL reaches stable storage by the next FULL commit or, at the latest,
// deferSyncMs later, here. fdatasync on an fd of our own flushes the file's pages, whoever wrote them.
// The fdatasync runs on libuv's pool, not on this thread: commits go on while the disk flushes (it took up to
// 2 ms under load, a stall for every call behind it); one sync is in flight at a time.
let walFd: number | undefined;
let syncTimer: NodeJS.Timeout | undefined;
let syncing: Promise<void> | undefined;

function syncWal(): void {
  syncTimer = undefined;
  let fd: number;
  try {
    fd = walFd ??= openSync(`${config.file}-wal`, 'r');
  } catch {
    db.pragma('wal_checkpoint(PASSIVE)'); // syncs the WAL too, before it copies
    return;
  }
  syncing = new Promise<void>((resolve) => fdatasync(fd, (error) => {
    syncing = undefined;
    if (error) {
      try { closeSync(fd); } catch { /* already gone */ }
      walFd = undefined;
      db.pragma('wal_checkpoint(PASSIVE)');
    }
    resolve();
  }));
}

function scheduleSync(): void {
  if (!syncTimer) syncTimer = setTimeout(() => (syncing ? void syncing.then(syncWal) : syncWal()), config.deferSyncMs);
}

function useSynchronous(mode: 'FULL' | 'NORMAL'): void {
  if (mode !== synchronous) {
    db.pragma(`synchronous = ${mode}`);
    synchronous = mode;
  }
}

let queue: BatchMessage[] = [];
let scheduled = false;

function reply(message: FromWorker): void {
  port.postMessage(message);
}

function flush(): void {
  scheduled = false;
  const batches = queue;
  queue = [];
  const writes = batches.flatMap((b) => b.writes);
  const chain = batches.flatMap((b) => b.chain);
  const deferred = config.deferSyncMs > 0 && batches.every((b) => b.deferSync);
  useSynchronous(deferred ? 'NORMAL' : 'FULL');
  const outcomes: WriteOutcome[] = [];
  let chained: ChainOutcome | undefined;
  // IMMEDIATE: take the write lock at BEGIN, so reads inside (the audit tail) cannot go stale under another process.
  try {
    chained = commitBatch.immediate(writes, chain, outcomes);
    if (!deferred && syncTimer) {
      clearTimeout(syncTimer); // a FULL commit synced the WAL
      syncTimer = undefined;
    } else if (deferred) scheduleSync();
  } catch (error) {
    outcomes.length = 0;
    writes.forEach(() => outcomes.push(failure(error)));
    chained = failure(error);
  }
  let at = 0;
  let linked = 0;
  for (const batch of batches) {
    const own: ChainOutcome | undefined = chained && chained.ok
      ? { ok: true, first: chained.first + linked, prevHash: linked === 0 ? chained.prevHash : chained.hashes[linked - 1]!, hashes: chained.hashes.slice(linked, linked + batch.chain.length) }
      : chained;
    reply({ id: batch.id, outcomes: outcomes.slice(at, at + batch.writes.length), ...(batch.chain.length > 0 && own ? { chain: own } : {}) });
    at += batch.writes.length;
    linked += batch.chain.length;
  }
}

async function close(): Promise<void> {
  if (scheduled) flush();
  while (syncing) await syncing;
  if (syncTimer) {
    clearTimeout(syncTimer);
    syncWal();
  }
  while (syncing) await syncing;
  if (walFd !== undefined) closeSync(walFd);
  db.close();
  reply({ type: 'closed' });
}

port.on('message', (message: ToWorker) => {
  if ('type' in message) {
    void close();
    return;
  }
  queue.push(message);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
