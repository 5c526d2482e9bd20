import { MongoClient, type Collection, type Document, type Filter } from 'mongodb';
import type { Account, ApiTokenRecord, CredentialRecord, DomainRecord, Page, PageRequest, RevocationRecord } from '../../domain/types';
import type { Store } from '../store';
import type { IamRecordOf, ServiceKeyRecord } from '../../domain/records';
import { auditEntryOf, MongoAuditChain } from './audit-chain';
import { conflictOnDuplicate, isDuplicate } from './duplicate-key';
import { mongoSecretPathRepository } from './secret-path-repository';
import { mongoObjectRepository } from './object-repository';

const MIN_WIRE_VERSION = 8; // MongoDB 4.2
type Doc<T> = T & { _id: string | number };

/** The record without Mongo's _id. */
function strip<T>(doc: Document | null): T | undefined {
  if (!doc) return undefined;
  const { _id: _ignored, ...rest } = doc;
  return rest as T;
}

/** A credential without the bookkeeping of an unfinished revocation. */
function credentialOf(doc: Document | null): CredentialRecord | undefined {
  if (!doc) return undefined;
  const { _id: _ignored, pendingRevocation: _pending, ...rest } = doc;
  return rest as CredentialRecord;
}

/** Keyset page over (createdAt, id); never skip/offset. */
async function keysetPage<T extends { createdAt: string; id: string }>(
  collection: Collection<Document>,
  scope: Filter<Document>,
  page: PageRequest,
  recordOf: (doc: Document) => T | undefined = strip<T>,
): Promise<Page<T>> {
  const after = page.after;
  const filter = after ? { ...scope, $or: [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, id: { $gt: after.id } }] } : scope;
  const docs = await collection.find(filter).sort({ createdAt: 1, id: 1 }).limit(page.limit + 1).toArray();
  const items = docs.slice(0, page.limit).map((d) => recordOf(d)!);
  const last = items[items.length - 1];
  return docs.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
}

/**
 * The production store: the official driver, majority writes with journal, indexes created (idempotently) at
 * start, keyset pagination. Tested by test/integration/storage against a real MongoDB-wire server (FerretDB in CI).
 *
 * Nothing relies on transactions or change streams (FerretDB has neither), and nothing relies on an update being
 * atomic against other clients (FerretDB's are not): every race is decided by a unique-key insert, which is atomic
 * on every server. Revocation, the one multi-document write, is a small state machine:
 *   1. the credential is marked DELETING together with the revocation it will get (a crash after this is finished
 *      at the next start by `reconcile`, which looks only at DELETING records through an index);
 *   2. the revocation is inserted under the unique key domain/serial: of concurrent revokers exactly one wins;
 *   3. the credential record is removed.
 * On a real replica set step 1 is also atomic, so there the losers already stop at step 1.
 */
export async function openMongoStore(uri: string): Promise<Store> {
  const timeoutInUri = /[?&]serverSelectionTimeoutMS=/i.test(uri);
  const client = new MongoClient(uri, { writeConcern: { w: 'majority', journal: true }, ...(timeoutInUri ? {} : { serverSelectionTimeoutMS: 5000 }) });
  try {
    await client.connect();
    const hello = await client.db('admin').command({ hello: 1 });
    if (typeof hello.maxWireVersion !== 'number' || hello.maxWireVersion < MIN_WIRE_VERSION) {
      throw new Error(`the MongoDB server is too old (wire version ${String(hello.maxWireVersion)}; 4.2 or newer is needed)`);
    }
  } catch (error) {
    await client.close().catch(() => undefined);
    throw new Error(`cannot use MongoDB at ${uri.replace(/\/\/[^@/]*@/, '//***@')}: ${(error as Error).message}`);
  }
  const db = client.db();
  const c = {
    meta: db.collection('meta'),
    accounts: db.collection('accounts'),
    apiTokens: db.collection('apiTokens'),
    domains: db.collection('domains'),
    credentials: db.collection('credentials'),
    revocations: db.collection('revocations'),
    iam: db.collection('iam'),
    serviceKeys: db.collection('serviceKeys'),
    audit: db.collection('audit'),
    objects: db.collection('objects'),
    objectCounts: db.collection('object_counts'),
    secretPaths: db.collection('secretPaths'),
  };
  await Promise.all([
    c.apiTokens.createIndex({ accountId: 1 }),
    c.domains.createIndex({ accountId: 1, createdAt: 1, id: 1 }),
    c.credentials.createIndex({ domainId: 1, createdAt: 1, id: 1 }),
    c.credentials.createIndex({ domainId: 1, serial: 1 }, { unique: true }),
    c.credentials.createIndex({ status: 1, expiredAt: 1 }),
    c.credentials.createIndex({ revokeAt: 1 }, { sparse: true }),
    c.revocations.createIndex({ revokedAt: 1 }),
    c.revocations.createIndex({ domainId: 1, revokedAt: 1 }),
    c.iam.createIndex({ accountId: 1, kind: 1, createdAt: 1, id: 1 }),
    c.serviceKeys.createIndex({ domainId: 1, createdAt: 1, id: 1 }),
    c.serviceKeys.createIndex({ domainId: 1, state: 1, createdAt: 1, id: 1 }),
    c.secretPaths.createIndex({ domainId: 1, path: 1 }),
  ]);
  const insert = <T extends object>(collection: Collection<Document>, _id: string | number, record: T) =>
    collection.insertOne({ _id, ...record } as Doc<T> as unknown as Document);

  const auditChain = new MongoAuditChain(c.audit);
  const objects = await mongoObjectRepository(c.objects, c.objectCounts);

  const store: Store = {
    kind: 'mongodb',
    objects,
    meta: {
      async get(key) {
        return (await c.meta.findOne({ _id: key as never }))?.value as string | undefined;
      },
      async putIfAbsent(key, value) {
        try {
          await insert(c.meta, key, { value });
          return value;
        } catch (error) {
          if (!isDuplicate(error)) throw error;
          return String((await c.meta.findOne({ _id: key as never }))!.value);
        }
      },
      async put(key, value) {
        await c.meta.replaceOne({ _id: key as never }, { value }, { upsert: true });
      },
    },
    accounts: {
      async get(id) {
        return strip<Account>(await c.accounts.findOne({ _id: id as never }));
      },
      async create(account) {
        await conflictOnDuplicate(`account ${account.id}`, () => insert(c.accounts, account.id, account));
      },
    },
    apiTokens: {
      async get(id) {
        return strip<ApiTokenRecord>(await c.apiTokens.findOne({ _id: id as never }));
      },
      async create(token) {
        await conflictOnDuplicate(`token ${token.id}`, () => insert(c.apiTokens, token.id, token));
      },
      async upsert(token) {
        await c.apiTokens.replaceOne({ _id: token.id as never }, token, { upsert: true });
      },
      async countForAccount(accountId) {
        return c.apiTokens.countDocuments({ accountId });
      },
      async listForAccount(accountId) {
        const docs = await c.apiTokens.find({ accountId }).sort({ createdAt: 1, _id: 1 }).toArray();
        return docs.map((doc) => strip<ApiTokenRecord>(doc)!);
      },
      async delete(id) {
        return (await c.apiTokens.deleteOne({ _id: id as never })).deletedCount === 1;
      },
    },
    domains: {
      async create(domain) {
        await conflictOnDuplicate(`domain ${domain.id}`, () => insert(c.domains, domain.id, domain));
      },
      async get(id) {
        return strip<DomainRecord>(await c.domains.findOne({ _id: id as never }));
      },
      listForAccount(accountId, page) {
        return keysetPage<DomainRecord>(c.domains, { accountId }, page);
      },
      async replace(domain, expectedVersion) {
        return (await c.domains.replaceOne({ _id: domain.id as never, version: expectedVersion }, domain)).matchedCount === 1;
      },
    },
    credentials: {
      async create(credential) {
        await conflictOnDuplicate(`credential ${credential.id}`, () => insert(c.credentials, credential.id, credential));
      },
      async createMany(records) {
        if (records.length === 0) return;
        await conflictOnDuplicate('a credential of the batch', () => c.credentials.insertMany(records.map((r) => ({ _id: r.id, ...r }) as unknown as Document), { ordered: true }));
      },
      async get(domainId, id) {
        // By _id alone (then the domain checked here): the one filter FerretDB pushes down to its index.
        const doc = credentialOf(await c.credentials.findOne({ _id: id as never }));
        return doc?.domainId === domainId ? doc : undefined;
      },
      async getBySerial(domainId, serial) {
        return credentialOf(await c.credentials.findOne({ domainId, serial }));
      },
      list(domainId, page) {
        return keysetPage<CredentialRecord>(c.credentials, { domainId }, page, credentialOf);
      },
      async markRenewed(domainId, id, successorId, revokeAt, expectedVersion, updatedAt) {
        const result = await c.credentials.updateOne(
          { _id: id as never, domainId, version: expectedVersion, $or: [{ successorId: null }, { successorId: { $exists: false } }] },
          { $set: { successorId, revokeAt, updatedAt }, $inc: { version: 1 } },
        );
        return result.modifiedCount === 1;
      },
      async listDueRevocations(now, limit) {
        return (await c.credentials.find({ revokeAt: { $ne: null, $lte: now } }).sort({ revokeAt: 1 }).limit(limit).toArray()).map((d) => credentialOf(d)!);
      },
      async listExpiring(from, to, limit) {
        return (await c.credentials.find({ status: 'READY', expiredAt: { $gte: from, $lt: to } }).sort({ expiredAt: 1 }).limit(limit).toArray()).map((d) => credentialOf(d)!);
      },
      async countByStatus(now) {
        const [ready, expired, soonest] = await Promise.all([
          c.credentials.countDocuments({ status: 'READY', expiredAt: { $gt: now } }),
          c.credentials.countDocuments({ status: 'READY', expiredAt: { $lte: now } }),
          c.credentials.find({ status: 'READY', expiredAt: { $gt: now } }).sort({ expiredAt: 1 }).limit(1).next(),
        ]);
        return { ready, expired, soonestExpiry: soonest ? String(soonest.expiredAt) : undefined };
      },
      async revoke(domainId, id, revokedAt, reason) {
        const marked = await c.credentials.findOneAndUpdate(
          { _id: id as never, domainId, status: { $ne: 'DELETING' } },
          { $set: { status: 'DELETING', pendingRevocation: { revokedAt, reason } } },
          { returnDocument: 'after' },
        );
        if (!marked) return undefined;
        return finishRevocation(c.revocations, c.credentials, marked);
      },
    },
    revocations: {
      async get(domainId, serial) {
        return strip<RevocationRecord>(await c.revocations.findOne({ _id: `${domainId}/${serial}` as never }));
      },
      async listForDomain(domainId) {
        return (await c.revocations.find({ domainId }).sort({ revokedAt: 1, serial: 1 }).toArray()).map((d) => strip<RevocationRecord>(d)!);
      },
      async add(revocation) {
        try {
          await c.revocations.insertOne({ _id: `${revocation.domainId}/${revocation.serial}`, ...revocation } as unknown as Document);
          return true;
        } catch (error) {
          if (isDuplicate(error)) return false;
          throw error;
        }
      },
      async listSince(revokedAt) {
        return (await c.revocations.find({ revokedAt: { $gte: revokedAt } }).sort({ revokedAt: 1 }).toArray()).map((d) => strip<RevocationRecord>(d)!);
      },
    },
    iam: {
      async get(accountId, kind, id) {
        return strip<IamRecordOf<typeof kind>>(await c.iam.findOne({ _id: `${accountId}/${kind}/${id}` as never }));
      },
      list(accountId, kind, page) {
        return keysetPage<IamRecordOf<typeof kind>>(c.iam, { accountId, kind }, page);
      },
      async listAll(accountId, kind) {
        return (await c.iam.find({ accountId, kind }).sort({ createdAt: 1, id: 1 }).toArray()).map((d) => strip<IamRecordOf<typeof kind>>(d)!);
      },
      async create(record) {
        await conflictOnDuplicate(`${record.kind} ${record.id}`, () => insert(c.iam, `${record.accountId}/${record.kind}/${record.id}`, record));
      },
      async replace(record, expectedVersion) {
        const result = await c.iam.replaceOne({ _id: `${record.accountId}/${record.kind}/${record.id}` as never, version: expectedVersion }, record);
        return result.matchedCount === 1;
      },
      async delete(accountId, kind, id) {
        return (await c.iam.deleteOne({ _id: `${accountId}/${kind}/${id}` as never })).deletedCount === 1;
      },
    },
    secretPaths: mongoSecretPathRepository(c.secretPaths),
    serviceKeys: {
      async create(key) {
        await conflictOnDuplicate(`service key ${key.id}`, () => insert(c.serviceKeys, `${key.domainId}/${key.id}`, key));
      },
      async get(domainId, id) {
        return strip<ServiceKeyRecord>(await c.serviceKeys.findOne({ _id: `${domainId}/${id}` as never }));
      },
      list(domainId, page, state) {
        return keysetPage<ServiceKeyRecord>(c.serviceKeys, state === undefined ? { domainId } : { domainId, state }, page);
      },
      async replace(key, expectedVersion) {
        return (await c.serviceKeys.replaceOne({ _id: `${key.domainId}/${key.id}` as never, version: expectedVersion }, key)).matchedCount === 1;
      },
      async delete(domainId, id) {
        return (await c.serviceKeys.deleteOne({ _id: `${domainId}/${id}` as never })).deletedCount === 1;
      },
    },
    audit: {
      append: (record) => auditChain.append(record),
      async last() {
        const doc = await c.audit.find().sort({ _id: -1 }).limit(1).next();
        return doc ? auditEntryOf(doc) : undefined;
      },
      async list(afterSeq, limit) {
        const docs = await c.audit.find({ _id: { $gt: afterSeq } as never }).sort({ _id: 1 }).limit(limit).toArray();
        return docs.map(auditEntryOf);
      },
      async prune(throughSeq) {
        await auditChain.settled();
        const tail = await c.audit.find().sort({ _id: -1 }).limit(1).next();
        if (!tail) return 0;
        const through = Math.min(throughSeq, Number(tail._id) - 1);
        return (await c.audit.deleteMany({ _id: { $lte: through } as never })).deletedCount;
      },
    },
    async ping() {
      await db.command({ ping: 1 });
    },
    async close() {
      await auditChain.settled();
      await client.close();
    },
  };
  await reconcile(c.revocations, c.credentials);
  return store;
}

/** Steps 2 and 3 of a revocation (see openMongoStore); undefined when another revoker won. */
async function finishRevocation(revocations: Collection<Document>, credentials: Collection<Document>, marked: Document): Promise<RevocationRecord | undefined> {
  const pending = marked.pendingRevocation as { revokedAt: string; reason: string };
  const domainId = String(marked.domainId);
  const serial = String(marked.serial);
  const revocation: RevocationRecord = { domainId, serial, credentialId: String(marked._id), revokedAt: pending.revokedAt, reason: pending.reason };
  try {
    await revocations.insertOne({ _id: `${domainId}/${serial}`, ...revocation } as unknown as Document);
  } catch (error) {
    if (isDuplicate(error)) return undefined;
    throw error;
  }
  await credentials.deleteOne({ _id: marked._id, domainId });
  return revocation;
}

/** Finishes revocations that a crash interrupted after step 1: DELETING records are found through the status index. */
async function reconcile(revocations: Collection<Document>, credentials: Collection<Document>): Promise<void> {
  for await (const marked of credentials.find({ status: 'DELETING' })) {
    await finishRevocation(revocations, credentials, marked);
    // A revoker that lost the insert to a crashed one leaves the record behind: the serial is revoked either way.
    await credentials.deleteOne({ _id: marked._id, status: 'DELETING' });
  }
}
