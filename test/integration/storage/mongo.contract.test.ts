import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { chainHash, GENESIS_HASH } from '../../../src/domain/audit-chain-hash';
import type { CredentialRecord, DomainRecord } from '../../../src/domain/types';
import { openMongoStore } from '../../../src/storage/mongo/mongo-store';
import type { Store } from '../../../src/storage/store';
import { dropTestDatabases, testMongoUri } from '../../helpers/mongo-server';
import { describeStoreContract } from './store-contract';

// One database per case, on the real server that the jest global setup started (FerretDB or mongod).
const prefix = `okmsd_contract_${randomBytes(3).toString('hex')}_`;

describeStoreContract(
  'mongodb',
  (name) => openMongoStore(testMongoUri(prefix + name.replace(/-/g, '_'))),
  () => dropTestDatabases(prefix),
);

describe('mongodb store: several nodes on one database, interrupted revocations, startup errors', () => {
  const now = (offsetMs = 0) => new Date(Date.UTC(2026, 0, 1) + offsetMs).toISOString();
  const domain: DomainRecord = {
    id: 'd1', accountId: 'acme', name: 'd1', region: 'local', caKeyAlgorithm: 'P-256', caCertificatePEM: 'pem', caNotAfter: now(1e12),
    wrappedKek: '{}', wrappedCaKey: '{}', createdAt: now(), updatedAt: now(), version: 1,
  };
  const credential = (id: string, serial: string): CredentialRecord => ({
    id, domainId: 'd1', accountId: 'acme', name: id, description: '', identityURNs: ['urn:v1:eu:identity:account:acme'], status: 'READY',
    fromCSR: false, certificateType: 'ECDSA', keyAlgorithm: 'EC P-256', serial, certificatePEM: 'pem', createdAt: now(), updatedAt: now(),
    expiredAt: now(1e10), version: 1,
  });
  let database = 0;
  let nodes: Store[] = [];
  const twoNodes = async () => {
    database += 1;
    const uri = testMongoUri(`${prefix}nodes_${database}`);
    nodes = [await openMongoStore(uri), await openMongoStore(uri)];
    return { uri, a: nodes[0]!, b: nodes[1]! };
  };
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    nodes = [];
  });
  afterAll(() => dropTestDatabases(prefix));

  it('audit appends from two nodes at once form one contiguous, correctly linked chain', async () => {
    const { a, b } = await twoNodes();
    await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).audit.append(JSON.stringify({ i }))));
    const entries = await a.audit.list(0, 500);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    let previous = GENESIS_HASH;
    for (const entry of entries) {
      expect(entry.prevHash).toBe(previous);
      expect(entry.hash).toBe(chainHash(entry.prevHash, entry.record));
      previous = entry.hash;
    }
    expect(new Set(entries.map((e) => e.record)).size).toBe(200);
  });

  it("Barbican totals: kept per (domain, kind) as two nodes write, and filled from the objects where none were kept", async () => {
    const { uri, a, b } = await twoNodes();
    const secret = (id: string, domainId: string) => ({
      kind: 'secret' as const, id, domainId, name: id, type: 'opaque', expiresAt: null, notAfter: null, createdAt: now(), updatedAt: now(), version: 1,
      doc: { algorithm: null, bitLength: null, mode: null, creatorId: 'alice', metadata: {}, payload: 'wrapped' },
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).objects.create(secret(`s${i}`, i < 30 ? 'd1' : 'd2'))));
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).objects.delete('secret', `s${i}`)));
    const totals = async (store: Store) => [(await store.objects.list('d1', 'secret', { offset: 0, limit: 1 })).total, (await store.objects.list('d2', 'secret', { offset: 0, limit: 1 })).total];
    expect(await totals(a)).toEqual([20, 10]);
    expect(await totals(b)).toEqual([20, 10]);
    // A store written before the counts were kept: the next node to open it fills them once from the objects.
    const client = await MongoClient.connect(uri);
    await client.db().collection('object_counts').drop();
    await client.close();
    nodes.push(await openMongoStore(uri));
    expect(await totals(nodes[2]!)).toEqual([20, 10]);
  });

  it('concurrent revocations of one credential through two nodes revoke it exactly once', async () => {
    const { a, b } = await twoNodes();
    await a.domains.create(domain);
    for (let round = 0; round < 5; round += 1) {
      await a.credentials.create(credential(`c${round}`, `ab0${round}`));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).credentials.revoke('d1', `c${round}`, now(round), `r${i}`)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await b.credentials.get('d1', `c${round}`)).toBeUndefined();
      expect(await a.revocations.get('d1', `ab0${round}`)).toEqual(results.find(Boolean));
    }
  });

  it('a revocation interrupted after its first step is finished at the next start', async () => {
    const { uri, a } = await twoNodes();
    await a.domains.create(domain);
    await a.credentials.create(credential('c1', 'cd01'));
    await a.credentials.create(credential('c2', 'cd02'));
    // What a node leaves behind when it dies between marking the credential and inserting the revocation:
    const client = new MongoClient(uri);
    try {
      await client.db().collection('credentials').updateOne(
        { _id: 'c1' as never },
        { $set: { status: 'DELETING', pendingRevocation: { revokedAt: now(7), reason: 'keyCompromise' } } },
      );
    } finally {
      await client.close();
    }
    expect((await a.credentials.list('d1', { limit: 10 })).items.find((c) => c.id === 'c1')).not.toHaveProperty('pendingRevocation');
    const restarted = await openMongoStore(uri);
    nodes.push(restarted);
    expect(await restarted.credentials.get('d1', 'c1')).toBeUndefined();
    expect(await restarted.revocations.get('d1', 'cd01')).toEqual({ domainId: 'd1', serial: 'cd01', credentialId: 'c1', revokedAt: now(7), reason: 'keyCompromise' });
    expect((await restarted.credentials.get('d1', 'c2'))?.status).toBe('READY');
  });

  it('refuses to start with a clear error when the server cannot be reached', async () => {
    await expect(openMongoStore('mongodb://127.0.0.1:1/okmsd?serverSelectionTimeoutMS=300')).rejects.toThrow(/cannot use MongoDB at mongodb:\/\/127\.0\.0\.1:1\/okmsd.*/);
  });

  it('never shows a password from the URI in that error', async () => {
    await expect(openMongoStore('mongodb://okmsd:s3cret-pw@127.0.0.1:1/okmsd?serverSelectionTimeoutMS=300')).rejects.toThrow(/^(?!.*s3cret-pw).*mongodb:\/\/\*\*\*@127\.0\.0\.1:1/s);
  });
});
