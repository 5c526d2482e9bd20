import { Worker } from 'node:worker_threads';
import { workerScript } from '../../domain/worker-script';
import type { FromWorker, ToWorker, WriteStep } from './writer-messages';

export type { WriteStep } from './writer-messages';

const MAX_BATCHES_IN_FLIGHT = 2;

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

/**
 * The embedded store's single writer: a worker thread with its own SQLite connection. At most two batches are in
 * flight: the writes that arrive while one commits travel together in the next message, which waits in the
 * worker's port, so that it commits right after without a round trip to this thread; the writes after that gather
 * until a batch settles. The worker commits all it has received in one transaction (group commit: one fsync for
 * many writes), each write in its own savepoint so that one failing fails alone. Audit records travel as bare strings and are chained in one pass
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
    this.worker = new Worker(workerScript(__dirname, 'writer-worker'), { workerData: { file, deferSyncMs: options.deferSyncMs ?? 0 } });
    this.worker.on('message', (message: FromWorker) => {
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
    // Two batches in flight at most: under load a message (and a wake-up of the worker) still carries many writes,
    // and the worker never idles through a round trip between commits (one in flight cost ~10 % of credential
    // issuance at concurrency 16, alternating rounds). When idle, a write still leaves on the next turn.
    if (this.inFlight.size >= MAX_BATCHES_IN_FLIGHT || (this.pending.length === 0 && this.pendingChain.length === 0) || this.stopped) return;
    const id = this.nextId++;
    const batch = { writes: this.pending, chain: this.pendingChain, sent: process.hrtime.bigint() };
    this.pending = [];
    this.pendingChain = [];
    this.inFlight.set(id, batch);
    this.post({
      id,
      writes: batch.writes.map((w) => w.steps as readonly WriteStep[]),
      chain: batch.chain.map((w) => w.steps as string),
      deferSync: batch.writes.length === 0 && batch.chain.every((w) => w.deferSync === true),
    });
  }

  private post(message: ToWorker): void {
    this.worker.postMessage(message);
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
      this.post({ type: 'close' });
    });
    await this.worker.terminate();
  }
}

function writeError(outcome: { code?: string; message: string }): Error {
  return Object.assign(new Error(outcome.message), { code: outcome.code });
}
