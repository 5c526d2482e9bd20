import type { Collection, Document, Filter } from 'mongodb';
import type { ObjectRepository } from '../ports';
import type { ObjectKind, ObjectRecordOf } from '../../domain/records';
import { conflictOnDuplicate } from './duplicate-key';

const key = (kind: string, id: string) => `${kind}/${id}`;

/** A document of kind K (the query asked for K), less its _id. */
function recordOf<K extends ObjectKind>(doc: Document | null): ObjectRecordOf<K> | undefined {
  if (!doc) return undefined;
  const { _id: _ignored, ...rest } = doc;
  return rest as ObjectRecordOf<K>;
}

/** Barbican objects on MongoDB: one document per object, _id = kind/id (unique), indexed for pages and expiry. */
export async function mongoObjectRepository(collection: Collection<Document>): Promise<ObjectRepository> {
  await Promise.all([collection.createIndex({ domainId: 1, kind: 1, createdAt: 1, id: 1 }), collection.createIndex({ kind: 1, notAfter: 1 })]);
  return {
    async get(kind, id) {
      return recordOf<typeof kind>(await collection.findOne({ _id: key(kind, id) as never }));
    },
    async list(domainId, kind, query) {
      const filter: Filter<Document> = { domainId, kind };
      if (query.name !== undefined) filter.name = query.name;
      if (query.type !== undefined) filter.type = query.type;
      if (query.liveAt !== undefined) filter.$or = [{ expiresAt: null }, { expiresAt: { $gt: query.liveAt } }];
      const [docs, total] = await Promise.all([
        collection.find(filter).sort({ createdAt: 1, id: 1 }).skip(query.offset).limit(query.limit).toArray(),
        collection.countDocuments(filter),
      ]);
      return { items: docs.map((d) => recordOf<typeof kind>(d)!), total };
    },
    async create(record) {
      await conflictOnDuplicate(`${record.kind} ${record.id}`, () => collection.insertOne({ _id: key(record.kind, record.id), ...record } as unknown as Document));
    },
    async replace(record, expectedVersion) {
      return (await collection.replaceOne({ _id: key(record.kind, record.id) as never, version: expectedVersion }, record)).matchedCount === 1;
    },
    async delete(kind, id) {
      return (await collection.deleteOne({ _id: key(kind, id) as never })).deletedCount === 1;
    },
    async listExpiring(kind, from, to) {
      return (await collection.find({ kind, notAfter: { $gte: from, $lt: to } }).sort({ notAfter: 1 }).toArray()).map((d) => recordOf<typeof kind>(d)!);
    },
  };
}
