import { Worker } from 'node:worker_threads';

/** One SQL statement of a write. `get` returns the row (RETURNING), `run` the number of changed rows. */
export interface WriteStep {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly mode: 'run' | 'get';
  /** Skip this step (result undefined) unless the previous step returned a row / changed a row. */
  readonly onlyIfPrevious?: boolean;
}

type Outcome = { ok: true; value: unknown[] } | { ok: false; code?: string; message: string };

/** An appended audit record and where it landed in the hash chain. */
export interface ChainLink {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly record: string;
}

interface PendingWrite {
  /** A write's statements, or one record to append to the audit chain. */
  readonly steps: readonly WriteStep[] | string;
  /** A chain record that may reach stable storage after its promise settles (see appendToChain). */
  readonly deferSync?: boolean;
  readonly resolve: (value: never) => void;
  readonly reject: (error: unknown) => void;
}

/** What the worker answers for a batch's chain records: the first seq and link, then each record's hash. */
type ChainOutcome = { ok: true; first: number; prevHash: string; hashes: string[] } | { ok: false; code?: string; message: string };

// The worker is plain JavaScript evaluated from this string, so the same code runs under ts-jest and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { fdatasync, openSync, closeSync } = require('node:fs');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
let synchronous = 'FULL';
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
// SQLite checkpoints inside the commit that crosses this many WAL pages, holding that batch (and every call
// waiting on it) until the pages are copied and the database file synced. At the default 1,000 pages that
// held a batch for 6–9 ms a few times a second under data-plane load; at 100 pages a checkpoint costs about
// what a commit does, and the WAL stays under half a megabyte, which also keeps readers' WAL lookups short.
db.pragma('wal_autocheckpoint = 100');
const { createHash, hash: oneShotHash } = require('node:crypto');
const statements = new Map();
// Same formula as chainHash in src/audit/audit-log.ts (the verifier there proves they agree); the one-shot
// crypto.hash (Node ≥ 20.12) costs half of a Hash object for a record this size.
const chainHash = typeof oneShotHash === 'function'
  ? (prevHash, record) => oneShotHash('sha256', prevHash + '\\n' + record)
  : (prevHash, record) => createHash('sha256').update(prevHash).update('\\n').update(record).digest('hex');
// A batch's records are linked to the tail read once, inside the batch's IMMEDIATE transaction (no other
// process can move the tail meanwhile); nothing here can fail alone, so they need no savepoints.
const appendToChain = (records) => {
  const last = prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get();
  const first = last ? last.seq + 1 : 1;
  const prevHash = last ? last.hash : '0'.repeat(64);
  const insert = prepare('INSERT INTO audit (seq, prev_hash, hash, record) VALUES (?, ?, ?, ?)');
  const hashes = [];
  let prev = prevHash;
  for (let i = 0; i < records.length; i += 1) {
    const hash = chainHash(prev, records[i]);
    insert.run(first + i, prev, hash, records[i]);
    hashes.push(hash);
    prev = hash;
  }
  return { ok: true, first, prevHash, hashes };
};
const prepare = (sql) => {
  let statement = statements.get(sql);
  if (!statement) { statement = db.prepare(sql); statements.set(sql, statement); }
  return statement;
};
const runSteps = db.transaction((steps) => {
  const results = [];
  for (const step of steps) {
    if (step.onlyIfPrevious && !results[results.length - 1]) { results.push(undefined); continue; }
    const statement = prepare(step.sql);
    results.push(step.mode === 'get' ? statement.get(step.params) : statement.run(step.params).changes);
  }
  return results;
});
const commitBatch = db.transaction((writes, chain, outcomes) => {
  for (const steps of writes) {
    try { outcomes.push({ ok: true, value: runSteps(steps) }); } // nested: a SAVEPOINT per write
    catch (error) { outcomes.push({ ok: false, code: error.code, message: error.message }); }
  }
  return chain.length > 0 ? appendToChain(chain) : undefined;
});
// Deferred sync: a batch of deferrable chain records only commits to the WAL (synchronous=NORMAL: it survives a
// crash of the process at once); the WAL reaches stable storage by the next FULL commit or, at the latest,
// deferSyncMs later, here. fdatasync on an fd of our own flushes the file's pages, whoever wrote them.
// The fdatasync runs on libuv's pool, not on this thread: commits go on while the disk flushes (it took up to
// 2 ms under load, a stall for every call behind it); one sync is in flight at a time.
let walFd;
let syncTimer;
let syncing;
const syncWal = () => {
  syncTimer = undefined;
  try {
    walFd ??= openSync(workerData.file + '-wal', 'r');
  } catch {
    db.pragma('wal_checkpoint(PASSIVE)'); // syncs the WAL too, before it copies
    return;
  }
  syncing = new Promise((resolve) => fdatasync(walFd, (error) => {
    syncing = undefined;
    if (error) { try { closeSync(walFd); } catch {} walFd = undefined; db.pragma('wal_checkpoint(PASSIVE)'); }
    resolve();
  }));
};
const scheduleSync = () => {
  if (!syncTimer) syncTimer = setTimeout(() => (syncing ? syncing.then(syncWal) : syncWal()), workerData.deferSyncMs);
};
const useSynchronous = (mode) => {
  if (mode !== synchronous) { db.pragma('synchronous = ' + mode); synchronous = mode; }
};
let queue = [];
let scheduled = false;
const flush = () => {
  scheduled = false;
  const batches = queue;
  queue = [];
  const writes = batches.flatMap((b) => b.writes);
  const chain = batches.flatMap((b) => b.chain);
  // A message is deferSync only when it carries deferrable chain records and nothing else (WriterThread.send).
  const deferred = workerData.deferSyncMs > 0 && batches.every((b) => b.deferSync);
  useSynchronous(deferred ? 'NORMAL' : 'FULL');
  const outcomes = [];
  let chained;
  // IMMEDIATE: take the write lock at BEGIN, so reads inside (the audit tail) cannot go stale under another process.
  try {
    chained = commitBatch.immediate(writes, chain, outcomes);
    if (!deferred && syncTimer) { clearTimeout(syncTimer); syncTimer = undefined; } // a FULL commit synced the WAL
    else if (deferred) scheduleSync();
  }
  catch (error) {
    outcomes.length = 0;
    writes.forEach(() => outcomes.push({ ok: false, code: error.code, message: error.message }));
    chained = { ok: false, code: error.code, message: error.message };
  }
  let at = 0;
  let linked = 0;
  for (const batch of batches) {
    const own = chained && chained.ok
      ? { ok: true, first: chained.first + linked, prevHash: linked === 0 ? chained.prevHash : chained.hashes[linked - 1], hashes: chained.hashes.slice(linked, linked + batch.chain.length) }
      : chained;
    parentPort.postMessage({ id: batch.id, outcomes: outcomes.slice(at, at + batch.writes.length), chain: batch.chain.length > 0 ? own : undefined });
    at += batch.writes.length;
    linked += batch.chain.length;
  }
};
const close = async () => {
  if (scheduled) flush();
  while (syncing) await syncing;
  if (syncTimer) { clearTimeout(syncTimer); syncWal(); }
  while (syncing) await syncing;
  if (walFd !== undefined) closeSync(walFd);
  db.close();
  parentPort.postMessage({ type: 'closed' });
};
parentPort.on('message', (message) => {
  if (message.type === 'close') { void close(); return; }
  queue.push(message);
  if (!scheduled) { scheduled = true; setImmediate(flush); }
});
`;

/**
 * The embedded store's single writer: a worker thread with its own SQLite connection. One batch is in flight at
 * a time: the writes that arrive while it commits travel together in the next message, and the worker commits all
 * it has received in one transaction (group commit: one fsync for many writes), each write in its own
 * savepoint so that one failing fails alone. Audit records travel as bare strings and are chained in one pass
 * (the data plane appends one per request). A promise settles only after its COMMIT is durable (a deferSync audit
 * record: after it is in the WAL, see appendToChain), and the event loop never waits on the disk. Reads stay on
 * the main thread's connection (WAL: they see every commit).
 */
export class WriterThread {
  private readonly worker: Worker;
  private pending: PendingWrite[] = [];
  private pendingChain: PendingWrite[] = [];
  private readonly inFlight = new Map<number, { writes: PendingWrite[]; chain: PendingWrite[]; sent: bigint }>();
  private nextId = 1;
  private scheduled = false;
  private outstanding = 0;
  private onDrained: (() => void) | undefined;
  private stopped: Error | undefined;
  private readonly onCommitted: ((seconds: number) => void) | undefined;

  /** `onCommitted`: the time from a batch's departure to its durable commit. `deferSyncMs`: how long a deferSync record may wait for fsync (0: never defer). */
  constructor(file: string, options: { onCommitted?: (seconds: number) => void; deferSyncMs?: number } = {}) {
    this.onCommitted = options.onCommitted;
    const driver = require.resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, deferSyncMs: options.deferSyncMs ?? 0 } });
    this.worker.on('message', (message: { id: number; outcomes: Outcome[]; chain?: ChainOutcome } | { type: 'closed' }) => {
      if ('type' in message) return;
      const batch = this.inFlight.get(message.id);
      if (!batch) return;
      this.inFlight.delete(message.id);
      this.schedule(); // what gathered while this batch committed leaves at the end of this turn, with this turn's writes
      // One observation per group commit: the data plane appends a record per request, and a histogram per record
      // cost more than the record's share of the commit.
      this.onCommitted?.(Number(process.hrtime.bigint() - batch.sent) / 1e9);
      for (let i = 0; i < batch.writes.length; i += 1) {
        const outcome = message.outcomes[i]!;
        if (outcome.ok) batch.writes[i]!.resolve(outcome.value as never);
        else batch.writes[i]!.reject(writeError(outcome));
      }
      const chain = message.chain;
      for (let i = 0; chain && i < batch.chain.length; i += 1) {
        const append = batch.chain[i]!;
        if (!chain.ok) append.reject(writeError(chain));
        else append.resolve({ seq: chain.first + i, prevHash: i === 0 ? chain.prevHash : chain.hashes[i - 1]!, hash: chain.hashes[i]!, record: append.steps as string } satisfies ChainLink as never);
      }
      this.settled(batch.writes.length + batch.chain.length);
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the store writer thread has stopped')));
  }

  write(steps: readonly WriteStep[]): Promise<unknown[]> {
    return this.enqueue<unknown[]>(this.pending, steps);
  }

  /**
   * Appends `record` to the hash-chained audit table, linked to the entry before it. With `deferSync`, the promise
   * settles once the record is in the WAL (it survives a crash of this process) and the file is synced within
   * `deferSyncMs`: a power loss can take the last instants of such records, never a link from the middle.
   */
  appendToChain(record: string, deferSync = false): Promise<ChainLink> {
    return this.enqueue<ChainLink>(this.pendingChain, record, deferSync);
  }

  private enqueue<T>(queue: PendingWrite[], steps: readonly WriteStep[] | string, deferSync = false): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<T>((resolve, reject) => {
      queue.push({ steps, deferSync, resolve: resolve as (value: never) => void, reject });
      this.outstanding += 1;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || (this.pending.length === 0 && this.pendingChain.length === 0)) return;
    this.scheduled = true;
    setImmediate(() => this.send());
  }

  private send(): void {
    this.scheduled = false;
    // One batch in flight at a time: under load the next one gathers while the worker commits, so a message
    // (and a wake-up of the worker) carries many writes; when idle, a write still leaves on the next turn.
    if (this.inFlight.size > 0 || (this.pending.length === 0 && this.pendingChain.length === 0) || this.stopped) return;
    const id = this.nextId++;
    const batch = { writes: this.pending, chain: this.pendingChain, sent: process.hrtime.bigint() };
    this.pending = [];
    this.pendingChain = [];
    this.inFlight.set(id, batch);
    this.worker.postMessage({
      id,
      writes: batch.writes.map((w) => w.steps),
      chain: batch.chain.map((w) => w.steps),
      deferSync: batch.writes.length === 0 && batch.chain.every((w) => w.deferSync),
    });
  }

  private settled(count: number): void {
    this.outstanding -= count;
    if (this.outstanding === 0) this.onDrained?.();
  }

  private failAll(error: Error): void {
    this.stopped ??= error;
    const writes = [...this.pending, ...this.pendingChain, ...[...this.inFlight.values()].flatMap((b) => [...b.writes, ...b.chain])];
    this.pending = [];
    this.pendingChain = [];
    this.inFlight.clear();
    for (const write of writes) write.reject(error);
    this.settled(writes.length);
  }

  /** Sends what is queued, waits until every write has settled, then closes the writer's connection. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.send();
    if (this.outstanding > 0) await new Promise<void>((resolve) => (this.onDrained = resolve));
    this.stopped = new Error('the store is closed');
    await new Promise<void>((resolve) => {
      this.worker.once('message', () => resolve());
      this.worker.postMessage({ type: 'close' });
    });
    await this.worker.terminate();
  }
}

function writeError(outcome: { code?: string; message: string }): Error {
  return Object.assign(new Error(outcome.message), { code: outcome.code });
}
