import { createHmac, timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../domain/worker-script';
import type { Repositories } from '../storage/ports';
import type { AuditEntry } from '../domain/records';

/** What one audited call says. Never key material, plaintext, private keys or tokens: ids and URNs only. */
export interface AuditRecord {
  readonly time: string;
  readonly requestId: string;
  readonly plane: 'gateway' | 'control' | 'kmip';
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

/**
 * What pruning leaves of the chain's pruned part: the last pruned entry's seq and hash, signed (HMAC under a key
 * derived from the master key), so that `verify` proves the rest from it and an edited checkpoint is caught.
 */
export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  /** The pruned entry's record time; everything at or before it is gone. */
  readonly time: string;
  readonly prunedAt: string;
  readonly mac: string;
}

export const CHECKPOINT_META_KEY = 'audit-checkpoint';
const PRUNE_CHUNK = 10_000;

export interface ChainVerification {
  readonly intact: boolean;
  readonly entries: number;
  /** Set when older entries were pruned: the verified checkpoint the walk started from. */
  readonly checkpoint?: { readonly seq: number; readonly time: string };
  /** The first entry whose hash or link does not hold. */
  readonly firstBroken?: { readonly seq: number; readonly problem: string };
}

/**
 * The hash-chained audit log: each entry carries the hash of the previous one, so editing, removing or
 * reordering any entry breaks every link after it. The store links each append to the current tail inside its
 * own transaction (see AuditRepository.append), so nodes sharing a store write one chain without coordinating.
 */
export class AuditLog {
  /** `macKey` signs and checks pruning checkpoints (KeyHierarchy.macKey); without it pruning is refused. */
  constructor(
    private readonly store: Pick<Repositories, 'audit' | 'meta'>,
    private readonly macKey?: Buffer,
  ) {}

  private sign(c: Omit<AuditCheckpoint, 'mac'>): string {
    if (!this.macKey) throw new Error('no key to sign audit checkpoints');
    return createHmac('sha256', this.macKey).update(JSON.stringify([c.seq, c.hash, c.time, c.prunedAt])).digest('hex');
  }

  /** The stored checkpoint, or undefined when nothing was ever pruned; `valid` says whether its signature holds. */
  async checkpoint(): Promise<{ checkpoint: AuditCheckpoint; valid: boolean } | undefined> {
    const raw = await this.store.meta.get(CHECKPOINT_META_KEY);
    if (raw === undefined) return undefined;
    let checkpoint: AuditCheckpoint;
    try {
      checkpoint = JSON.parse(raw) as AuditCheckpoint;
    } catch {
      return { checkpoint: { seq: 0, hash: '', time: '', prunedAt: '', mac: '' }, valid: false };
    }
    const expected = this.macKey ? Buffer.from(this.sign(checkpoint), 'hex') : undefined;
    const given = Buffer.from(String(checkpoint.mac), 'hex');
    return { checkpoint, valid: expected !== undefined && expected.length === given.length && timingSafeEqual(expected, given) };
  }

  /**
   * Removes the entries recorded before `before` (the chain's leading run of them; never its last entry), after
   * checking that they hold, and leaves a signed checkpoint of the last one removed: `verify` proves the rest from
   * it. The checkpoint is written before anything is deleted, so a crash in between leaves extra entries, not a gap.
   */
  async prune(before: Date, now: Date): Promise<{ pruned: number; checkpoint?: AuditCheckpoint }> {
    const current = await this.checkpoint();
    if (current && !current.valid) return { pruned: 0, checkpoint: current.checkpoint };
    const last = await this.store.audit.last();
    if (!last) return { pruned: 0 };
    const cutoff = before.toISOString();
    const recordTime = (entry: AuditEntry) => String((JSON.parse(entry.record) as { time?: unknown }).time ?? '');
    // One walk both finds the leading run to remove and proves that it holds.
    const verdict = await this.walk(1000, current?.checkpoint, (entry) => entry.seq < last.seq && recordTime(entry) < cutoff);
    if (!verdict.intact) throw new Error(`the audit chain is broken at seq ${verdict.firstBroken!.seq}: nothing pruned`);
    if (!verdict.lastKept) return { pruned: 0, ...(current ? { checkpoint: current.checkpoint } : {}) };
    const through = { seq: verdict.lastKept.seq, hash: verdict.lastKept.hash, time: recordTime(verdict.lastKept) };
    const unsigned = { ...through, prunedAt: now.toISOString() };
    const checkpoint: AuditCheckpoint = { ...unsigned, mac: this.sign(unsigned) };
    await this.store.meta.put(CHECKPOINT_META_KEY, JSON.stringify(checkpoint));
    let pruned = 0;
    for (let upTo = (current?.checkpoint.seq ?? 0) + PRUNE_CHUNK; ; upTo += PRUNE_CHUNK) {
      pruned += await this.store.audit.prune(Math.min(upTo, through.seq));
      if (upTo >= through.seq) break;
    }
    return { pruned, checkpoint };
  }

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
    this.running ??= this.verifyFromCheckpoint(pageSize).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private running: Promise<ChainVerification> | undefined;

  private async verifyFromCheckpoint(pageSize: number): Promise<ChainVerification> {
    const current = await this.checkpoint();
    if (current && !current.valid) return { intact: false, entries: 0, firstBroken: { seq: current.checkpoint.seq, problem: 'the pruning checkpoint is not signed by this service' } };
    const { lastKept: _last, ...verdict } = await this.walk(pageSize, current?.checkpoint);
    return current ? { ...verdict, checkpoint: { seq: current.checkpoint.seq, time: current.checkpoint.time } } : verdict;
  }

  /**
   * The chain from `start` (or its beginning) to its end, or up to the first entry `keep` refuses, hashed on a
   * worker thread; `lastKept` is the last entry walked.
   */
  private async walk(pageSize: number, start?: { seq: number; hash: string }, keep?: (entry: AuditEntry) => boolean): Promise<ChainVerification & { lastKept?: AuditEntry }> {
    const worker = new Worker(workerScript(__dirname, 'chain-verify-thread'), { workerData: start ? { seq: start.seq, hash: start.hash } : undefined });
    const replies: Array<(reply: { ok: boolean; entries: number; seq?: number; problem?: string }) => void> = [];
    worker.on('message', (reply) => replies.shift()?.(reply));
    const failed = new Promise<never>((_resolve, reject) => worker.once('error', reject));
    const ask = (message: unknown) => Promise.race([new Promise<{ ok: boolean; entries: number; seq?: number; problem?: string }>((resolve) => {
      replies.push(resolve);
      worker.postMessage(message);
    }), failed]);
    try {
      let lastKept: AuditEntry | undefined;
      for (let after = start?.seq ?? 0; ; ) {
        const read = await this.store.audit.list(after, pageSize);
        const stop = keep ? read.findIndex((entry) => !keep(entry)) : -1;
        const page = stop === -1 ? read : read.slice(0, stop);
        const reply = await ask({ entries: page.map((e) => ({ seq: e.seq, prevHash: e.prevHash, hash: e.hash, record: e.record })) });
        if (!reply.ok) return { intact: false, entries: reply.entries, firstBroken: { seq: reply.seq!, problem: reply.problem! } };
        lastKept = page[page.length - 1] ?? lastKept;
        if (stop !== -1 || read.length < pageSize) return { intact: true, entries: reply.entries, ...(lastKept ? { lastKept } : {}) };
        after = read[read.length - 1]!.seq;
      }
    } finally {
      await worker.terminate();
    }
  }
}
