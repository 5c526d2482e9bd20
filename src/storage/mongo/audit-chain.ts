import type { Collection, Document } from 'mongodb';
import { chainHash, GENESIS_HASH } from '../../domain/audit-chain-hash';
import type { AuditEntry } from '../../domain/records';
import { insertedBeforeDuplicate } from './duplicate-key';

const MAX_BATCH = 500;
const MAX_ATTEMPTS = 100;

interface Pending {
  readonly record: string;
  resolve(entry: AuditEntry): void;
  reject(error: unknown): void;
}

export function auditEntryOf(doc: Document): AuditEntry {
  return { seq: Number(doc._id), prevHash: String(doc.prevHash), hash: String(doc.hash), record: String(doc.record) };
}

/**
 * The hash chain on MongoDB, with group commit. Entries are documents whose _id is the sequence number, so the
 * unique _id decides every race between nodes without transactions. Appends that arrive while a write is in flight
 * are linked locally onto the known tail and written as one ordered insert; when another node took a sequence
 * number meanwhile, the insert stops at that duplicate, the tail is read again and the rest is linked after it.
 */
export class MongoAuditChain {
  private tail: { seq: number; hash: string } | undefined;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;

  constructor(private readonly collection: Collection<Document>) {}

  append(record: string): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.writing ??= this.drain().finally(() => (this.writing = undefined));
    });
  }

  /** Resolves once every append made so far is settled. */
  async settled(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.write(batch);
      } catch (error) {
        this.tail = undefined;
        for (const pending of batch) pending.reject(error);
      }
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let rest = batch;
    for (let attempt = 0; rest.length > 0; attempt += 1) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`audit append lost the race for the chain's tail ${MAX_ATTEMPTS} times`);
      const tail = (this.tail ??= await this.readTail());
      const entries: AuditEntry[] = [];
      let previous = tail;
      for (const { record } of rest) {
        const entry = { seq: previous.seq + 1, prevHash: previous.hash, hash: chainHash(previous.hash, record), record };
        entries.push(entry);
        previous = entry;
      }
      let written = entries.length;
      try {
        await this.collection.insertMany(entries.map((e) => ({ _id: e.seq, prevHash: e.prevHash, hash: e.hash, record: e.record }) as unknown as Document), { ordered: true });
      } catch (error) {
        const inserted = insertedBeforeDuplicate(error);
        if (inserted === undefined) throw error;
        written = inserted;
      }
      rest.slice(0, written).forEach((pending, i) => pending.resolve(entries[i]!));
      rest = rest.slice(written);
      this.tail = rest.length === 0 ? previous : undefined; // after a lost race: read the new tail
    }
  }

  private async readTail(): Promise<{ seq: number; hash: string }> {
    const last = await this.collection.find().sort({ _id: -1 }).limit(1).next();
    return last ? { seq: Number(last._id), hash: String(last.hash) } : { seq: 0, hash: GENESIS_HASH };
  }
}
