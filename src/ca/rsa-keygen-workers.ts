import { Worker } from 'node:worker_threads';
import { OkmsError } from '../domain/errors';
import { workerScript } from '../domain/worker-script';

export interface RsaKeyPairDer {
  readonly spki: Buffer;
  readonly privateKeyPEM: string;
}

interface Job {
  readonly modulusLength: number;
  readonly resolve: (key: RsaKeyPairDer) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
}

/**
 * RSA key generation on `threads` worker threads (one per core by default), each generating one key at a time.
 * Demand (a caller waiting) goes before refill (the reserve topping itself up); at most `maxQueued` demands wait,
 * beyond that ERR_BUSY. Threads start on the first job, so a process that never makes an RSA key pays nothing.
 */
export class RsaKeygenWorkers {
  private slots: Slot[] = [];
  private readonly demand: Job[] = [];
  private readonly refill: Job[] = [];
  private closed = false;

  constructor(private readonly options: { threads: number; maxQueued: number }) {}

  /** A key for a waiting caller. */
  generate(modulusLength: number): Promise<RsaKeyPairDer> {
    if (this.demand.length >= this.options.maxQueued && !this.idleSlot()) return Promise.reject(new OkmsError('ERR_BUSY'));
    return this.enqueue(this.demand, modulusLength);
  }

  /** A key for the reserve: runs only on a thread no caller needs. */
  generateForReserve(modulusLength: number): Promise<RsaKeyPairDer> {
    return this.enqueue(this.refill, modulusLength);
  }

  /** Jobs waiting or running. */
  get busy(): number {
    return this.demand.length + this.refill.length + this.slots.filter((s) => s.job).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new OkmsError('ERR_BUSY', 'the key generator is shutting down');
    for (const job of [...this.demand.splice(0), ...this.refill.splice(0)]) job.reject(stopped);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    for (const slot of this.slots) slot.job?.reject(stopped);
    this.slots = [];
  }

  private enqueue(queue: Job[], modulusLength: number): Promise<RsaKeyPairDer> {
    if (this.closed) return Promise.reject(new OkmsError('ERR_BUSY', 'the key generator is shutting down'));
    return new Promise((resolve, reject) => {
      queue.push({ modulusLength, resolve, reject });
      this.dispatch();
    });
  }

  private idleSlot(): Slot | undefined {
    if (this.slots.length < this.options.threads) this.slots.push(this.startWorker());
    return this.slots.find((slot) => !slot.job);
  }

  private dispatch(): void {
    for (let slot = this.idleSlot(); slot && (this.demand.length > 0 || this.refill.length > 0); slot = this.idleSlot()) {
      const job = (this.demand.shift() ?? this.refill.shift())!;
      slot.job = job;
      slot.worker.ref(); // a job in flight keeps the process alive until its key comes back
      slot.worker.postMessage({ modulusLength: job.modulusLength });
    }
  }

  private startWorker(): Slot {
    const worker = new Worker(workerScript(__dirname, 'rsa-keygen-worker'));
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (message: { spki?: Uint8Array; privateKeyPEM?: string; error?: string }) => {
      const job = slot.job;
      slot.job = undefined;
      worker.unref();
      if (job) {
        if (message.error !== undefined || !message.spki || !message.privateKeyPEM) job.reject(new Error(message.error ?? 'RSA key generation failed'));
        else job.resolve({ spki: Buffer.from(message.spki), privateKeyPEM: message.privateKeyPEM });
      }
      this.dispatch();
    });
    worker.on('error', (error) => {
      slot.job?.reject(error);
      slot.job = undefined;
      this.slots = this.slots.filter((s) => s !== slot);
      this.dispatch();
    });
    worker.unref(); // after the listeners (adding one refs it again): an idle thread never keeps the process alive
    return slot;
  }
}
