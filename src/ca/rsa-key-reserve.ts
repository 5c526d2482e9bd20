import type { RsaKeyPairDer, RsaKeygenWorkers } from './rsa-keygen-workers';

/**
 * A bounded reserve of pregenerated RSA key pairs, so that a burst of RSA credentials is served at signing speed
 * instead of at one key generation (~100 ms a core) each. It starts filling at the first RSA key asked of it
 * (a process that never issues RSA spends nothing) and refills in the background on the generator's idle threads.
 * The keys live only in this process's memory and each is handed out once; `capacity` 0 turns it off.
 */
export class RsaKeyReserve {
  private readonly keys: RsaKeyPairDer[] = [];
  private readonly waiters: Array<{ resolve: (key: RsaKeyPairDer) => void; reject: (error: unknown) => void }> = [];
  private filling = 0;
  private closed = false;
  private readonly onFull: Array<() => void> = [];

  constructor(
    private readonly workers: RsaKeygenWorkers,
    private readonly options: { capacity: number; modulusLength: number },
  ) {}

  /** Keys ready to hand out now. */
  get available(): number {
    return this.keys.length;
  }

  get capacity(): number {
    return this.options.capacity;
  }

  /** Starts filling without handing a key out, and resolves once the reserve is full (a warm-up). */
  fill(): Promise<void> {
    this.topUp();
    if (this.keys.length >= this.options.capacity) return Promise.resolve();
    return new Promise((resolve) => this.onFull.push(resolve));
  }

  take(): Promise<RsaKeyPairDer> {
    const ready = this.keys.shift();
    let key: Promise<RsaKeyPairDer>;
    if (ready) key = Promise.resolve(ready);
    // A refill already under way finishes sooner than a generation started now: wait for it.
    else if (this.filling > this.waiters.length) key = new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
    else key = this.workers.generate(this.options.modulusLength);
    this.topUp();
    return key;
  }

  close(): void {
    this.closed = true;
    this.keys.length = 0; // dropped: the reserve never outlives its process
    for (const full of this.onFull.splice(0)) full();
  }

  private topUp(): void {
    while (!this.closed && this.keys.length + this.filling - this.waiters.length < this.options.capacity) {
      this.filling += 1;
      this.workers.generateForReserve(this.options.modulusLength).then(
        (key) => {
          this.filling -= 1;
          const waiter = this.waiters.shift();
          if (waiter) waiter.resolve(key);
          else if (!this.closed) this.keys.push(key);
          if (this.keys.length >= this.options.capacity) for (const full of this.onFull.splice(0)) full();
          this.topUp();
        },
        (error: unknown) => {
          this.filling -= 1;
          // A waiter counted on this refill: it gets the error (as a direct generation would fail); the reserve
          // tries again at the next take().
          this.waiters.shift()?.reject(error);
        },
      );
    }
  }
}
