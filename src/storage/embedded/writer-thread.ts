import { Worker } from 'node:worker_threads';

/** One SQL statement of a write. `get` returns the row (RETURNING), `run` the number of changed rows. */
export interface WriteStep {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** `chain`: append params[0] (a record) to the hash-chained audit table; returns { seq, prevHash, hash }. */
  readonly mode: 'run' | 'get' | 'chain';
  /** Skip this step (result undefined) unless the previous step returned a row / changed a row. */
  readonly onlyIfPrevious?: boolean;
}

type Outcome = { ok: true; value: unknown[] } | { ok: false; code?: string; message: string };

interface PendingWrite {
  readonly steps: readonly WriteStep[];
  readonly resolve: (value: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

// The worker is plain JavaScript evaluated from this string, so the same code runs under ts-jest and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
const { createHash } = require('node:crypto');
const statements = new Map();
// Same formula as chainHash in src/audit/audit-log.ts (the verifier there proves they agree).
const chainHash = (prevHash, record) => createHash('sha256').update(prevHash).update('\\n').update(record).digest('hex');
const appendToChain = (record) => {
  const last = prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get();
  const entry = { seq: last ? last.seq + 1 : 1, prevHash: last ? last.hash : '0'.repeat(64) };
  entry.hash = chainHash(entry.prevHash, record);
  prepare('INSERT INTO audit (seq, prev_hash, hash, record) VALUES (?, ?, ?, ?)').run(entry.seq, entry.prevHash, entry.hash, record);
  return entry;
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
    if (step.mode === 'chain') { results.push(appendToChain(step.params[0])); continue; }
    const statement = prepare(step.sql);
    results.push(step.mode === 'get' ? statement.get(step.params) : statement.run(step.params).changes);
  }
  return results;
});
const commitBatch = db.transaction((writes, outcomes) => {
  for (const steps of writes) {
    try { outcomes.push({ ok: true, value: runSteps(steps) }); } // nested: a SAVEPOINT per write
    catch (error) { outcomes.push({ ok: false, code: error.code, message: error.message }); }
  }
});
let queue = [];
let scheduled = false;
const flush = () => {
  scheduled = false;
  const batches = queue;
  queue = [];
  const writes = batches.flatMap((b) => b.writes);
  const outcomes = [];
  // IMMEDIATE: take the write lock at BEGIN, so reads inside (the audit tail) cannot go stale under another process.
  try { commitBatch.immediate(writes, outcomes); }
  catch (error) { writes.forEach(() => outcomes.push({ ok: false, code: error.code, message: error.message })); }
  let at = 0;
  for (const batch of batches) {
    parentPort.postMessage({ id: batch.id, outcomes: outcomes.slice(at, at + batch.writes.length) });
    at += batch.writes.length;
  }
};
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    if (scheduled) flush();
    db.close();
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  queue.push(message);
  if (!scheduled) { scheduled = true; setImmediate(flush); }
});
`;

/**
 * The embedded store's single writer: a worker thread with its own SQLite connection. Writes of one
 * event-loop turn travel in one message; the worker commits everything that has arrived in one transaction
 * (group commit: one fsync for many writes, and while it syncs the next batch gathers), each write in its own
 * savepoint so that one failing fails alone. A promise settles only after its COMMIT is durable, and the
 * event loop never waits on the disk. Reads stay on the main thread's connection (WAL: they see every commit).
 */
export class WriterThread {
  private readonly worker: Worker;
  private pending: PendingWrite[] = [];
  private readonly inFlight = new Map<number, PendingWrite[]>();
  private nextId = 1;
  private scheduled = false;
  private outstanding = 0;
  private onDrained: (() => void) | undefined;
  private stopped: Error | undefined;

  constructor(file: string, private readonly onWritten?: (seconds: number) => void) {
    const driver = require.resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver } });
    this.worker.on('message', (message: { id: number; outcomes: Outcome[] } | { type: 'closed' }) => {
      if ('type' in message) return;
      const batch = this.inFlight.get(message.id) ?? [];
      this.inFlight.delete(message.id);
      batch.forEach((write, index) => {
        const outcome = message.outcomes[index]!;
        if (outcome.ok) this.settle(write, () => write.resolve(outcome.value));
        else this.settle(write, () => write.reject(Object.assign(new Error(outcome.message), { code: outcome.code })));
      });
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the store writer thread has stopped')));
  }

  write(steps: readonly WriteStep[]): Promise<unknown[]> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      this.pending.push({
        steps,
        resolve: (value) => {
          this.onWritten?.(Number(process.hrtime.bigint() - started) / 1e9);
          resolve(value);
        },
        reject,
      });
      this.outstanding += 1;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.stopped) return;
    const id = this.nextId++;
    const batch = this.pending;
    this.pending = [];
    this.inFlight.set(id, batch);
    this.worker.postMessage({ id, writes: batch.map((w) => w.steps) });
  }

  private settle(_write: PendingWrite, settle: () => void): void {
    settle();
    this.outstanding -= 1;
    if (this.outstanding === 0) this.onDrained?.();
  }

  private failAll(error: Error): void {
    this.stopped ??= error;
    const writes = [...this.pending, ...[...this.inFlight.values()].flat()];
    this.pending = [];
    this.inFlight.clear();
    for (const write of writes) this.settle(write, () => write.reject(error));
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
