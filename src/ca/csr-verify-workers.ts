import { Worker } from 'node:worker_threads';
import { OkmsError } from '../domain/errors';
import { workerScript } from '../domain/worker-script';

/** One EC CSR's check, as it travels to a worker: signed bytes, signature and point in one buffer of its own. */
export interface VerifyJob {
  readonly id: number;
  readonly curve: string;
  readonly hash: string;
  readonly bytes: Uint8Array;
  readonly signedLength: number;
  readonly signatureLength: number;
}

/** `undecodable`: the point is not one OpenSSL accepts on that curve; `failed`: no worker could answer. */
export type VerifyResult =
  | { readonly id: number; readonly outcome: 'valid'; readonly spki: Uint8Array }
  | { readonly id: number; readonly outcome: 'invalid' | 'undecodable' | 'failed' };

export interface EcSignatureCheck {
  readonly curve: string;
  readonly hash: string;
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
  readonly point: Uint8Array;
}

interface Slot {
  readonly worker: Worker;
  readonly jobs: Map<number, (result: VerifyResult) => void>;
}

/**
 * Proof of possession for EC CSRs on worker threads of their own: importing the key (OpenSSL multiplies the point
 * by the group order) and verifying cost ~130 µs, which on the event loop and the libuv pool also paid for the
 * hand-offs. The checks of one turn of the event loop leave together, one message to the least busy thread.
 * At most `maxInFlight` checks wait or run (beyond that ERR_BUSY); threads start on the first check and never keep
 * the process alive while idle. A thread that dies answers its checks `failed` (the caller verifies another way).
 */
export class CsrVerifyWorkers {
  private slots: Slot[] = [];
  private pending: Array<{ job: VerifyJob; resolve: (result: VerifyResult) => void }> = [];
  private scheduled = false;
  private inFlight = 0;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: { threads: number; maxInFlight: number }) {}

  check({ curve, hash, signed, signature, point }: EcSignatureCheck): Promise<VerifyResult> {
    if (this.closed) return Promise.resolve({ id: 0, outcome: 'failed' });
    if (this.inFlight >= this.options.maxInFlight) return Promise.reject(new OkmsError('ERR_BUSY'));
    const bytes = new Uint8Array(signed.length + signature.length + point.length);
    bytes.set(signed, 0);
    bytes.set(signature, signed.length);
    bytes.set(point, signed.length + signature.length);
    const job: VerifyJob = { id: this.nextId++, curve, hash, bytes, signedLength: signed.length, signatureLength: signature.length };
    this.inFlight += 1;
    return new Promise((resolve) => {
      this.pending.push({ job, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    for (const slot of slots) this.fail(slot);
    this.send();
  }

  private send(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const slot = this.closed ? undefined : this.leastBusy();
    if (!slot) {
      for (const { job, resolve } of batch) this.settle(resolve, { id: job.id, outcome: 'failed' });
      return;
    }
    for (const { job, resolve } of batch) slot.jobs.set(job.id, resolve);
    slot.worker.ref(); // checks in flight keep the process alive until they are answered
    slot.worker.postMessage(batch.map((p) => p.job), batch.map((p) => p.job.bytes.buffer as ArrayBuffer));
  }

  private leastBusy(): Slot {
    if (this.slots.length < this.options.threads && !this.slots.some((s) => s.jobs.size === 0)) this.slots.push(this.startWorker());
    return this.slots.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  }

  private settle(resolve: (result: VerifyResult) => void, result: VerifyResult): void {
    this.inFlight -= 1;
    resolve(result);
  }

  private fail(slot: Slot): void {
    for (const [id, resolve] of slot.jobs) this.settle(resolve, { id, outcome: 'failed' });
    slot.jobs.clear();
  }

  private startWorker(): Slot {
    const worker = new Worker(workerScript(__dirname, 'csr-verify-worker'));
    const slot: Slot = { worker, jobs: new Map() };
    worker.on('message', (results: readonly VerifyResult[]) => {
      for (const result of results) {
        const resolve = slot.jobs.get(result.id);
        if (!resolve) continue;
        slot.jobs.delete(result.id);
        this.settle(resolve, result);
      }
      if (slot.jobs.size === 0) worker.unref();
    });
    const gone = () => {
      this.slots = this.slots.filter((s) => s !== slot);
      this.fail(slot);
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    worker.unref(); // after the listeners (adding one refs it again): an idle thread never keeps the process alive
    return slot;
  }
}
