import { randomBytes } from 'node:crypto';
import type { Collection, Document, Filter } from 'mongodb';
import type { ObjectRepository } from '../ports';
import type { ObjectKind, ObjectRecordOf } from '../../domain/records';
import { conflictOnDuplicate } from './duplicate-key';

const key = (kind: string, id: string) => `${kind}/${id}`;
/** What one count covers: a domain's objects of one kind. */
const scopeOf = (domainId: string, kind: string) => `${domainId}/${kind}`;

/** A document of kind K (the query asked for K), less its _id. */
function recordOf<K extends ObjectKind>(doc: Document | null): ObjectRecordOf<K> | undefined {
  if (!doc) return undefined;
  const { _id: _ignored, ...rest } = doc;
  return rest as ObjectRecordOf<K>;
}

/**
 * Barbican objects on MongoDB: one document per object, _id = kind/id (unique), indexed for pages and expiry.
 * The `total` of an unfiltered list is a count kept per (domain, kind) in `counts` ($inc'ed after each insert and
 * delete, in shards of one per process and scope, summed), less the expired objects counted through an index on
 * expiresAt: no scan of the project per call. A shard is a few bytes; there is one per process start that wrote
 * the scope. Without transactions, a crash between an insert or delete and its $inc leaves that total one off
 * (it is Barbican's paging hint; the pages themselves are always exact). Filtered lists (name, type) count their
 * matches through indexes.
 */
export async function mongoObjectRepository(collection: Collection<Document>, counts: Collection<Document>): Promise<ObjectRepository> {
  await Promise.all([
    collection.createIndex({ domainId: 1, kind: 1, createdAt: 1, id: 1 }),
    collection.createIndex({ kind: 1, notAfter: 1 }),
    collection.createIndex({ domainId: 1, kind: 1, expiresAt: 1 }),
    collection.createIndex({ domainId: 1, kind: 1, name: 1 }),
  ]);
  await counts.createIndex({ scope: 1 });
  await recount(collection, counts);
  // Each process counts into shards of its own (one per scope), updated one at a time: FerretDB v1 applies an
  // update as read-modify-write, so two writers of one document could lose an increment; nobody else writes these.
  const node = randomBytes(8).toString('hex');
  const writing = new Map<string, Promise<unknown>>();
  const bump = (domainId: string, kind: string, by: number) => {
    const scope = scopeOf(domainId, kind);
    const next = (writing.get(scope) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => counts.updateOne({ _id: `${scope}/${node}` as never }, { $inc: { n: by }, $setOnInsert: { scope } }, { upsert: true }));
    writing.set(scope, next);
    void next.finally(() => writing.get(scope) === next && writing.delete(scope)).catch(() => undefined);
    return next;
  };
  const counted = async (domainId: string, kind: string) =>
    (await counts.find({ scope: scopeOf(domainId, kind) }, { projection: { n: 1 } }).toArray()).reduce((sum, shard) => sum + Number(shard.n), 0);
  return {
    async get(kind, id) {
      return recordOf<typeof kind>(await collection.findOne({ _id: key(kind, id) as never }));
    },
    async list(domainId, kind, query) {
      const filter: Filter<Document> = { domainId, kind };
      if (query.name !== undefined) filter.name = query.name;
      if (query.type !== undefined) filter.type = query.type;
      const filtered = query.name !== undefined || query.type !== undefined;
      if (query.liveAt !== undefined) filter.$or = [{ expiresAt: null }, { expiresAt: { $gt: query.liveAt } }];
      const total = async () => {
        if (filtered) return collection.countDocuments(filter);
        const kept = await counted(domainId, kind);
        const gone = query.liveAt === undefined ? 0 : await collection.countDocuments({ domainId, kind, expiresAt: { $ne: null, $lte: query.liveAt } });
        return Math.max(0, kept - gone);
      };
      const [docs, n] = await Promise.all([collection.find(filter).sort({ createdAt: 1, id: 1 }).skip(query.offset).limit(query.limit).toArray(), total()]);
      return { items: docs.map((d) => recordOf<typeof kind>(d)!), total: n };
    },
    async create(record) {
      await conflictOnDuplicate(`${record.kind} ${record.id}`, () => collection.insertOne({ _id: key(record.kind, record.id), ...record } as unknown as Document));
      await bump(record.domainId, record.kind, 1);
    },
    async replace(record, expectedVersion) {
      return (await collection.replaceOne({ _id: key(record.kind, record.id) as never, version: expectedVersion }, record)).matchedCount === 1;
    },
    async delete(kind, id) {
      const deleted = await collection.findOneAndDelete({ _id: key(kind, id) as never });
      if (!deleted) return false;
      await bump(String(deleted.domainId), kind, -1);
      return true;
    },
    async listExpiring(kind, from, to) {
      return (await collection.find({ kind, notAfter: { $gte: from, $lt: to } }).sort({ notAfter: 1 }).toArray()).map((d) => recordOf<typeof kind>(d)!);
    },
  };
}

/**
 * Fills `counts` from the objects once, when it is empty and objects exist (a store written before counts were
 * kept). A node never recounts a store in use: that would race other nodes' $inc.
 */
async function recount(collection: Collection<Document>, counts: Collection<Document>): Promise<void> {
  if ((await counts.findOne({})) || !(await collection.findOne({}))) return;
  const actual = await collection.aggregate<{ _id: { domainId: string; kind: string }; n: number }>([{ $group: { _id: { domainId: '$domainId', kind: '$kind' }, n: { $sum: 1 } } }]).toArray();
  for (const { _id, n } of actual) {
    const scope = scopeOf(_id.domainId, _id.kind);
    await counts.updateOne({ _id: `${scope}/backfill` as never }, { $setOnInsert: { scope, n } }, { upsert: true });
  }
}
