import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../domain/worker-script';
import type { AuditEntry, Store } from '../storage/ports';

/** What one audited call says. Never key material, plaintext, private keys or tokens: ids and URNs only. */
export interface AuditRecord {
  readonly time: string;
  readonly requestId: string;
  readonly plane: 'gateway' | 'control';
  readonly domainId?: string;
  readonly credentialId?: string;
  readonly identities?: readonly string[];
  readonly action: string;
  readonly resource?: string;
  readonly decision: 'allow' | 'deny';
  /** Machine-readable: allowed_by_policy, root_identity, cert_revoked, identity_not_authorized, … */
  readonly reason: string;
  readonly policies?: readonly string[];
  readonly status: number;
  /** What the call made or removed: a credential's id and serial, its identity URNs (issuance, revocation). */
  readonly objectId?: string;
  readonly serial?: string;
  readonly objectIdentities?: readonly string[];
}

export const GENESIS_HASH = '0'.repeat(64);

export function chainHash(prevHash: string, record: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(record).digest('hex');
}

export interface ChainVerification {
  readonly intact: boolean;
  readonly entries: number;
  /** The first entry whose hash or link does not hold. */
  readonly firstBroken?: { readonly seq: number; readonly problem: string };
}

/**
 * The hash-chained audit log: each entry carries the hash of the previous one, so editing, removing or
 * reordering any entry breaks every link after it. The store links each append to the current tail inside its
 * own transaction (see AuditRepository.append), so nodes sharing a store write one chain without coordinating.
 */
export class AuditLog {
  constructor(private readonly store: Store) {}

  /**
   * `deferSync` for calls that changed nothing (data-plane reads, crypto, refusals): the record is crash-safe
   * before the reply and power-safe within the store's sync interval, as Vault's file audit device or
   * PostgreSQL's synchronous_commit=off. Changes are synced before the reply.
   */
  append(record: AuditRecord, options?: { readonly deferSync?: boolean }): Promise<AuditEntry> {
    return this.store.audit.append(JSON.stringify(record), options);
  }

  /**
   * Walks the whole chain and reports the first broken link. Pages are read here and hashed on a worker thread,
   * one page in flight, so the event loop never holds more than one page's read; one walk runs at a time (callers
   * asking meanwhile share it).
   */
  verify(pageSize = 1000): Promise<ChainVerification> {
    this.running ??= this.walk(pageSize).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private running: Promise<ChainVerification> | undefined;

  private async walk(pageSize: number): Promise<ChainVerification> {
    const worker = new Worker(workerScript(__dirname, 'chain-verify-thread'));
    const replies: Array<(reply: { ok: boolean; entries: number; seq?: number; problem?: string }) => void> = [];
    worker.on('message', (reply) => replies.shift()?.(reply));
    const failed = new Promise<never>((_resolve, reject) => worker.once('error', reject));
    const ask = (message: unknown) => Promise.race([new Promise<{ ok: boolean; entries: number; seq?: number; problem?: string }>((resolve) => {
      replies.push(resolve);
      worker.postMessage(message);
    }), failed]);
    try {
      for (let after = 0; ; ) {
        const page = await this.store.audit.list(after, pageSize);
        const reply = await ask({ entries: page.map((e) => ({ seq: e.seq, prevHash: e.prevHash, hash: e.hash, record: e.record })) });
        if (!reply.ok) return { intact: false, entries: reply.entries, firstBroken: { seq: reply.seq!, problem: reply.problem! } };
        if (page.length < pageSize) return { intact: true, entries: reply.entries };
        after = page[page.length - 1]!.seq;
      }
    } finally {
      await worker.terminate();
    }
  }
}
