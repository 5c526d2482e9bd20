import type { Repositories } from '../storage/ports';

/** How often a gateway reads new revocations from the store: other nodes' revocations reach it within this. */
export const REVOCATION_POLL_MS = 250;
/**
 * The documented bound: a revocation committed on any node is refused by every gateway process sharing the store
 * within this long (one poll interval, plus the poll's read and a loaded machine's timer delay).
 * test/e2e/gateway-cluster.test.ts checks it with two gateway processes under load.
 */
export const REVOCATION_CONVERGENCE_BOUND_MS = 1_000;
/** Revocations are read again this far back, so a commit that lands late (clock skew, slow writer) is not missed. */
const OVERLAP_MS = 5_000;

/**
 * The gateway's in-memory revocation list, checked on every request. A revocation made by this process is
 * added at once (`add`); those made by other nodes sharing the store arrive by polling within
 * REVOCATION_POLL_MS. The store stays the source of truth: the set only ever grows.
 */
export class RevocationSet {
  private readonly serials = new Map<string, Set<string>>();
  private newest = '';
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly store: Pick<Repositories, 'revocations'>) {}

  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), REVOCATION_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  add(domainId: string, serial: string): void {
    let set = this.serials.get(domainId);
    if (!set) this.serials.set(domainId, (set = new Set()));
    set.add(serial);
  }

  isRevoked(domainId: string, serial: string): boolean {
    return this.serials.get(domainId)?.has(serial) ?? false;
  }

  /** Reads what was revoked since the last poll (minus the overlap); concurrent calls share one read. */
  poll(): Promise<void> {
    this.polling ??= (async () => {
      try {
        const since = this.newest ? new Date(Date.parse(this.newest) - OVERLAP_MS).toISOString() : '';
        for (const revocation of await this.store.revocations.listSince(since)) {
          this.add(revocation.domainId, revocation.serial);
          if (revocation.revokedAt > this.newest) this.newest = revocation.revokedAt;
        }
      } catch {
        // The store is unreachable: keep what is known and try again at the next tick.
      } finally {
        this.polling = undefined;
      }
    })();
    return this.polling;
  }
}
