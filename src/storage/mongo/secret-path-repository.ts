import type { Collection, Document } from 'mongodb';
import { ABOVE_ANY_PATH_CHAR, type SecretPathRecord } from '../../domain/records';
import type { SecretPathRepository } from '../ports';
import { conflictOnDuplicate } from './duplicate-key';

const idOf = (domainId: string, path: string) => `${domainId}/${path}`;

function recordOf(doc: Document | null): SecretPathRecord | undefined {
  if (!doc) return undefined;
  const { _id: _unused, ...record } = doc;
  return record as SecretPathRecord;
}

/** Secret Manager secrets in MongoDB: one document per path; pages ride the (domainId, path) index. */
export function mongoSecretPathRepository(collection: Collection<Document>): SecretPathRepository {
  return {
    async get(domainId, path) {
      return recordOf(await collection.findOne({ _id: idOf(domainId, path) as never }));
    },
    async create(record) {
      await conflictOnDuplicate(`secret ${record.path}`, () => collection.insertOne({ _id: idOf(record.domainId, record.path), ...record } as unknown as Document));
    },
    async replace(record, expectedVersion) {
      return (await collection.replaceOne({ _id: idOf(record.domainId, record.path) as never, version: expectedVersion }, record)).matchedCount === 1;
    },
    async delete(domainId, path) {
      return (await collection.deleteOne({ _id: idOf(domainId, path) as never })).deletedCount === 1;
    },
    async list(domainId, query) {
      const prefix = query.prefix ?? '';
      const range: Document = { $gte: prefix, $lt: `${prefix}${ABOVE_ANY_PATH_CHAR}` };
      if (query.after !== undefined && query.after >= prefix) range.$gt = query.after;
      const docs = await collection.find({ domainId, path: range }).sort({ path: 1 }).limit(query.limit + 1).toArray();
      const items = docs.slice(0, query.limit).map((doc) => recordOf(doc)!);
      return docs.length > query.limit ? { items, next: items[items.length - 1]!.path } : { items };
    },
  };
}
