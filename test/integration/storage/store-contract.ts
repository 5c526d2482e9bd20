import { chainHash, GENESIS_HASH } from '../../../src/domain/audit-chain-hash';
import { OkmsError } from '../../../src/domain/errors';
import type { SecretPathRecord } from '../../../src/domain/records';
import type { CredentialRecord, DomainRecord } from '../../../src/domain/types';
import type { Store } from '../../../src/storage/store';
import type { IamRecord, ObjectRecordOf, SecretDoc, ServiceKeyRecord } from '../../../src/domain/records';

/**
 * The storage contract: every adapter (embedded now, MongoDB in issue 3/6) must pass exactly this suite.
 * `open` returns a fresh, empty store each time it is called with a new name, and the same data when it is
 * called again with the same name (after close): that is how durability is checked.
 */
export function describeStoreContract(adapter: string, open: (name: string) => Promise<Store>, cleanup: () => Promise<void> = async () => undefined): void {
  describe(`storage contract: ${adapter}`, () => {
    let store: Store;
    let name = 0;
    const now = (offsetMs = 0) => new Date(Date.UTC(2026, 0, 1) + offsetMs).toISOString();

    beforeEach(async () => {
      name += 1;
      store = await open(`contract-${name}`);
      await store.accounts.create({ id: 'acme', description: '', isRoot: false, createdAt: now() });
      await store.accounts.create({ id: 'globex', description: '', isRoot: false, createdAt: now() });
    });
    afterEach(async () => {
      await store.close();
    });
    afterAll(cleanup);

    const domain = (id: string, accountId = 'acme', createdAt = now()): DomainRecord => ({
      id, accountId, name: id, region: 'local', caKeyAlgorithm: 'P-256', caCertificatePEM: 'pem', caNotAfter: now(1e12),
      wrappedKek: '{}', wrappedCaKey: '{}', createdAt, updatedAt: createdAt, version: 1,
    });
    const credential = (id: string, domainId: string, serial: string, createdAt = now()): CredentialRecord => ({
      id, domainId, accountId: 'acme', name: id, description: '', identityURNs: ['urn:v1:eu:identity:account:acme'], status: 'READY',
      fromCSR: false, certificateType: 'ECDSA', keyAlgorithm: 'EC P-256', serial, certificatePEM: 'pem', createdAt, updatedAt: createdAt,
      expiredAt: now(1e10), version: 1,
    });
    const conflict = expect.objectContaining({ code: 'ERR_CONFLICT' } satisfies Partial<OkmsError>);

    it('meta: putIfAbsent keeps the first value', async () => {
      expect(await store.meta.putIfAbsent('k', 'first')).toBe('first');
      expect(await store.meta.putIfAbsent('k', 'second')).toBe('first');
      expect(await store.meta.get('k')).toBe('first');
      expect(await store.meta.get('missing')).toBeUndefined();
      await store.meta.put('k', 'replaced');
      await store.meta.put('fresh', 'v');
      expect([await store.meta.get('k'), await store.meta.get('fresh')]).toEqual(['replaced', 'v']);
    });

    it('accounts and tokens: create, get, conflict, upsert, count', async () => {
      await expect(store.accounts.create({ id: 'acme', description: '', isRoot: false, createdAt: now() })).rejects.toEqual(conflict);
      expect(await store.accounts.get('acme')).toMatchObject({ id: 'acme', isRoot: false });
      const token = { id: 't1', accountId: 'acme', secretHash: 'aa', description: '', createdAt: now() };
      await store.apiTokens.create(token);
      await expect(store.apiTokens.create(token)).rejects.toEqual(conflict);
      await store.apiTokens.upsert({ ...token, secretHash: 'bb' });
      expect((await store.apiTokens.get('t1'))?.secretHash).toBe('bb');
      expect(await store.apiTokens.countForAccount('acme')).toBe(1);
      expect(await store.apiTokens.countForAccount('globex')).toBe(0);
      await store.apiTokens.create({ id: 't2', accountId: 'acme', secretHash: 'cc', description: 'ci', createdAt: now(1), expiresAt: now(5) });
      expect((await store.apiTokens.listForAccount('acme')).map((t) => [t.id, t.expiresAt ?? null])).toEqual([['t1', null], ['t2', now(5)]]);
      const dataPlane = { kind: 'user' as const, name: 'alice', identityURN: 'urn:v1:eu:identity:user:acme/alice', identityBindings: { 'urn:v1:eu:identity:user:acme/alice': 'uid-1' } };
      await store.apiTokens.create({ id: 't3', accountId: 'acme', secretHash: 'dd', description: 'pat', createdAt: now(2), dataPlane });
      expect((await store.apiTokens.get('t3'))?.dataPlane).toEqual(dataPlane);
      expect((await store.apiTokens.get('t2'))?.dataPlane ?? null).toBeNull();
      expect(await store.apiTokens.delete('t1')).toBe(true);
      expect(await store.apiTokens.delete('t1')).toBe(false);
      expect(await store.apiTokens.get('t1')).toBeUndefined();
      expect((await store.apiTokens.listForAccount('acme')).map((t) => t.id)).toEqual(['t2', 't3']);
    });

    it('domains: keyset pages in (createdAt, id) order, per account, without gaps or repeats', async () => {
      const ids = ['d-c', 'd-a', 'd-b', 'd-e', 'd-d'];
      for (const [i, id] of ids.entries()) await store.domains.create(domain(id, 'acme', now(i < 2 ? 0 : i)));
      await store.domains.create(domain('d-other', 'globex'));
      await expect(store.domains.create(domain('d-a'))).rejects.toEqual(conflict);
      const seen: string[] = [];
      let page = await store.domains.listForAccount('acme', { limit: 2 });
      for (;;) {
        seen.push(...page.items.map((d) => d.id));
        if (!page.next) break;
        page = await store.domains.listForAccount('acme', { limit: 2, after: page.next });
      }
      expect(seen).toEqual(['d-a', 'd-c', 'd-b', 'd-e', 'd-d']); // same createdAt: ordered by id
      // Compare-and-set, the CA generations kept and read back (CA rotation).
      const first = (await store.domains.get('d-a'))!;
      const successor = { caCertificatePEM: 'NEXT-PEM', wrappedCaKey: 'NEXT-KEY', caNotAfter: now(9) };
      expect(await store.domains.replace({ ...first, caSuccessor: successor, version: 2 }, 1)).toBe(true);
      expect(await store.domains.replace({ ...first, caSuccessor: null, version: 2 }, 1)).toBe(false);
      expect((await store.domains.get('d-a'))).toMatchObject({ caSuccessor: successor, version: 2 });
      const switched = { ...first, ...successor, caSuccessor: null, caPrevious: { caCertificatePEM: first.caCertificatePEM, wrappedCaKey: first.wrappedCaKey, caNotAfter: first.caNotAfter, retiresAt: now(5) }, version: 3 };
      expect(await store.domains.replace(switched, 2)).toBe(true);
      expect(await store.domains.get('d-a')).toMatchObject({ caCertificatePEM: 'NEXT-PEM', caPrevious: { retiresAt: now(5) }, caSuccessor: null, version: 3 });
      expect(await store.domains.replace({ ...first, id: 'd-missing' }, 1)).toBe(false);
      expect((await store.domains.get('d-other'))?.accountId).toBe('globex');
    });

    it('credentials: unique serial per domain, lookup by serial, atomic revoke', async () => {
      await store.domains.create(domain('d1'));
      await store.credentials.create(credential('c1', 'd1', 'aa01'));
      await expect(store.credentials.create(credential('c2', 'd1', 'aa01'))).rejects.toEqual(conflict);
      expect((await store.credentials.getBySerial('d1', 'aa01'))?.id).toBe('c1');
      const revoked = await store.credentials.revoke('d1', 'c1', now(5), 'superseded');
      expect(revoked).toEqual({ domainId: 'd1', serial: 'aa01', credentialId: 'c1', revokedAt: now(5), reason: 'superseded' });
      expect(await store.credentials.get('d1', 'c1')).toBeUndefined();
      expect(await store.revocations.get('d1', 'aa01')).toEqual(revoked);
      expect(await store.credentials.revoke('d1', 'c1', now(6), 'again')).toBeUndefined();
      expect(await store.revocations.listForDomain('d1')).toEqual([revoked]);
      expect((await store.revocations.listSince(now(5))).map((r) => r.serial)).toEqual(['aa01']);
      expect(await store.revocations.listSince(now(6))).toEqual([]);
    });

    it('revocations: a serial without a credential is added once; the first revocation stands', async () => {
      await store.domains.create(domain('d1'));
      const revocation = { domainId: 'd1', serial: 'ee01', credentialId: 'order:o1', revokedAt: now(3), reason: 'keyCompromise' };
      const results = await Promise.all([store.revocations.add(revocation), store.revocations.add({ ...revocation, revokedAt: now(4), reason: 'superseded' })]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.revocations.get('d1', 'ee01'))?.serial).toBe('ee01');
      expect(await store.revocations.add({ ...revocation, reason: 'again' })).toBe(false);
      expect(await store.revocations.listForDomain('d1')).toHaveLength(1);
      expect((await store.revocations.listSince(now(3))).map((r) => r.serial)).toEqual(['ee01']);
    });

    it('credentials: concurrent revocations of one credential revoke it once', async () => {
      await store.domains.create(domain('d1'));
      await store.credentials.create(credential('c1', 'd1', 'bb01'));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.credentials.revoke('d1', 'c1', now(1), 'x')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('credentials: the bulk path inserts a batch and refuses one with a duplicate', async () => {
      await store.domains.create(domain('d1'));
      await store.credentials.createMany([credential('b1', 'd1', 'ba01'), credential('b2', 'd1', 'ba02', now(1)), credential('b3', 'd1', 'ba03', now(2))]);
      expect((await store.credentials.list('d1', { limit: 10 })).items.map((c) => c.id)).toEqual(['b1', 'b2', 'b3']);
      await expect(store.credentials.createMany([credential('b4', 'd1', 'ba04', now(3)), credential('b1', 'd1', 'ba01')])).rejects.toEqual(conflict);
      await store.credentials.createMany([]);
    });

    it('credentials: renewal lineage, scheduled revocations and the expiry query', async () => {
      await store.domains.create(domain('d1'));
      await store.credentials.create({ ...credential('old', 'd1', 'de01'), expiredAt: now(5000) });
      await store.credentials.create({ ...credential('new', 'd1', 'de02'), predecessorId: 'old', expiredAt: now(9000) });
      expect(await store.credentials.markRenewed('d1', 'old', 'new', now(100), 2, now(1))).toBe(false); // stale version
      expect(await store.credentials.markRenewed('d1', 'old', 'new', now(100), 1, now(1))).toBe(true);
      expect(await store.credentials.markRenewed('d1', 'old', 'other', null, 2, now(2))).toBe(false); // already renewed
      expect(await store.credentials.get('d1', 'old')).toMatchObject({ successorId: 'new', revokeAt: now(100), version: 2, updatedAt: now(1) });
      expect((await store.credentials.get('d1', 'new'))?.predecessorId).toBe('old');
      expect(await store.credentials.listDueRevocations(now(99), 10)).toEqual([]);
      expect((await store.credentials.listDueRevocations(now(100), 10)).map((c) => c.id)).toEqual(['old']);
      expect((await store.credentials.listExpiring(now(0), now(10_000), 10)).map((c) => c.id)).toEqual(['old', 'new']);
      expect((await store.credentials.listExpiring(now(5001), now(10_000), 10)).map((c) => c.id)).toEqual(['new']);
    });

    it('credentials: counts READY and expired ones for the metrics', async () => {
      await store.domains.create(domain('d1'));
      await store.credentials.create({ ...credential('live', 'd1', 'ef01'), expiredAt: now(5000) });
      await store.credentials.create({ ...credential('later', 'd1', 'ef02'), expiredAt: now(9000) });
      await store.credentials.create({ ...credential('old', 'd1', 'ef03'), expiredAt: now(-1) });
      expect(await store.credentials.countByStatus(now())).toEqual({ ready: 2, expired: 1, soonestExpiry: now(5000) });
    });

    it('iam: CRUD with compare-and-set on version', async () => {
      const alice = { login: 'alice', email: '', description: '', group: '' };
      const record: IamRecord = { accountId: 'acme', kind: 'user', id: 'alice', doc: alice, createdAt: now(), updatedAt: now(), version: 1 };
      await store.iam.create(record);
      await expect(store.iam.create(record)).rejects.toEqual(conflict);
      await store.iam.create({ ...record, accountId: 'globex' }); // same id, other account: independent
      expect(await store.iam.replace({ ...record, doc: { ...alice, email: 'a@x' }, version: 2 }, 1)).toBe(true);
      expect(await store.iam.replace({ ...record, doc: { ...alice, description: 'stale' }, version: 2 }, 1)).toBe(false);
      expect((await store.iam.get('acme', 'user', 'alice'))?.doc).toEqual({ ...alice, email: 'a@x' });
      expect((await store.iam.listAll('acme', 'user')).map((r) => r.id)).toEqual(['alice']);
      expect((await store.iam.list('acme', 'group', { limit: 10 })).items).toEqual([]);
      expect(await store.iam.delete('acme', 'user', 'alice')).toBe(true);
      expect(await store.iam.delete('acme', 'user', 'alice')).toBe(false);
      expect(await store.iam.get('globex', 'user', 'alice')).toBeDefined();
    });

    it('secret paths: conflict on create, compare-and-set, prefix pages in path order without gaps or repeats, delete', async () => {
      const secret = (domainId: string, path: string): SecretPathRecord => ({
        domainId, path, casRequired: null, customMetadata: { team: 'a' }, deactivateVersionAfter: null, maxVersions: null, currentVersion: 1,
        versions: [{ id: 1, state: 'active', createdAt: now(), deactivatedAt: null, data: '{"wrapped":1}', bytes: 9 }], createdAt: now(), updatedAt: now(), version: 1,
      });
      const paths = ['app/db', 'app/api', 'app=x', 'app', 'apq', 'b/c/d', 'a-b', 'app/db/replica', 'app.v2'];
      for (const path of paths) await store.secretPaths.create(secret('d1', path));
      await store.secretPaths.create(secret('d2', 'app/db'));
      await expect(store.secretPaths.create(secret('d1', 'app/db'))).rejects.toEqual(conflict);
      expect((await store.secretPaths.get('d1', 'app/db'))?.customMetadata).toEqual({ team: 'a' });
      expect(await store.secretPaths.get('d1', 'nope')).toBeUndefined();
      const first = (await store.secretPaths.get('d1', 'app'))!;
      expect(await store.secretPaths.replace({ ...first, currentVersion: 2, version: 2 }, 1)).toBe(true);
      expect(await store.secretPaths.replace({ ...first, currentVersion: 3, version: 2 }, 1)).toBe(false);
      expect((await store.secretPaths.get('d1', 'app'))?.currentVersion).toBe(2);
      const walk = async (prefix: string | undefined, limit: number) => {
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.secretPaths.list('d1', { ...(prefix === undefined ? {} : { prefix }), ...(after === undefined ? {} : { after }), limit });
          seen.push(...page.items.map((r) => r.path));
          if (!page.next) return seen;
          after = page.next;
        }
      };
      expect(await walk(undefined, 2)).toEqual([...paths].sort());
      expect(await walk('app/', 1)).toEqual(['app/api', 'app/db', 'app/db/replica']);
      expect(await walk('app', 100)).toEqual(['app', 'app.v2', 'app/api', 'app/db', 'app/db/replica', 'app=x']);
      expect(await store.secretPaths.delete('d1', 'app/db')).toBe(true);
      expect(await store.secretPaths.delete('d1', 'app/db')).toBe(false);
      expect((await store.secretPaths.get('d2', 'app/db'))?.path).toBe('app/db');
    });

    it('service keys: state filter, compare-and-set, delete', async () => {
      await store.domains.create(domain('d1'));
      const key = (id: string, state: ServiceKeyRecord['state']): ServiceKeyRecord => ({
        domainId: 'd1', id, name: id, type: 'oct', size: 256, curve: null, operations: ['encrypt'], context: '', state, deactivationReason: null,
        wrappedMaterial: '{}', publicKey: null, createdAt: now(), updatedAt: now(), activatedAt: now(), deactivatedAt: null, version: 1,
      });
      await store.serviceKeys.create(key('k1', 'active'));
      await store.serviceKeys.create(key('k2', 'deactivated'));
      await expect(store.serviceKeys.create(key('k1', 'active'))).rejects.toEqual(conflict);
      expect((await store.serviceKeys.list('d1', { limit: 10 }, 'active')).items.map((k) => k.id)).toEqual(['k1']);
      expect((await store.serviceKeys.list('d1', { limit: 10 })).items.map((k) => k.id)).toEqual(['k1', 'k2']);
      expect(await store.serviceKeys.replace({ ...key('k1', 'deactivated'), version: 2 }, 1)).toBe(true);
      expect(await store.serviceKeys.replace({ ...key('k1', 'active'), version: 2 }, 1)).toBe(false);
      expect((await store.serviceKeys.get('d1', 'k1'))?.state).toBe('deactivated');
      expect(await store.serviceKeys.delete('d1', 'k1')).toBe(true);
      expect(await store.serviceKeys.get('d1', 'k1')).toBeUndefined();
    });

    it('objects: offset pages with total and filters, expiry, compare-and-set, delete', async () => {
      const secretDoc = (payload: string): SecretDoc => ({ algorithm: null, bitLength: null, mode: null, creatorId: 'alice', metadata: {}, payload });
      const object = (id: string, overrides: Partial<ObjectRecordOf<'secret'>> = {}): ObjectRecordOf<'secret'> => ({
        kind: 'secret', id, domainId: 'd1', name: id, type: 'opaque', expiresAt: null, notAfter: null, doc: secretDoc('wrapped'),
        createdAt: now(Number(id.slice(1))), updatedAt: now(), version: 1, ...overrides,
      });
      for (let i = 1; i <= 5; i += 1) await store.objects.create(object(`s${i}`, { type: i % 2 ? 'opaque' : 'certificate', expiresAt: i === 5 ? now(100) : null, notAfter: i === 4 ? now(50) : null }));
      await store.objects.create(object('s9', { domainId: 'd2' }));
      const container: ObjectRecordOf<'container'> = { ...object('s1'), kind: 'container', type: 'certificate', doc: { creatorId: 'alice', secretRefs: [], consumers: [] } };
      await store.objects.create(container); // same id, other kind
      await expect(store.objects.create(object('s1'))).rejects.toEqual(conflict);
      const page = await store.objects.list('d1', 'secret', { offset: 1, limit: 2 });
      expect({ ids: page.items.map((o) => o.id), total: page.total }).toEqual({ ids: ['s2', 's3'], total: 5 });
      expect((await store.objects.list('d1', 'secret', { offset: 0, limit: 10, type: 'certificate' })).items.map((o) => o.id)).toEqual(['s2', 's4']);
      expect((await store.objects.list('d1', 'secret', { offset: 0, limit: 10, name: 's3' })).total).toBe(1);
      expect((await store.objects.list('d1', 'secret', { offset: 0, limit: 10, liveAt: now(100) })).total).toBe(4);
      expect((await store.objects.listExpiring('secret', now(0), now(101))).map((o) => o.id)).toEqual(['s4']);
      expect(await store.objects.listExpiring('secret', now(51), now(1e6))).toEqual([]);
      const first = (await store.objects.get('secret', 's1'))!;
      expect(first.doc).toEqual(secretDoc('wrapped'));
      expect(await store.objects.replace({ ...first, doc: secretDoc('x'), notAfter: now(7), version: 2 }, 1)).toBe(true);
      expect((await store.objects.listExpiring('secret', now(0), now(8))).map((o) => o.id)).toEqual(['s1']);
      expect(await store.objects.replace({ ...first, doc: secretDoc('y'), version: 2 }, 1)).toBe(false);
      expect((await store.objects.get('secret', 's1'))?.doc).toEqual(secretDoc('x'));
      expect((await store.objects.get('container', 's1'))?.type).toBe('certificate');
      expect(await store.objects.delete('secret', 's1')).toBe(true);
      expect(await store.objects.delete('secret', 's1')).toBe(false);
      expect(await store.objects.get('container', 's1')).toBeDefined();
      // The totals follow every create and delete, per domain and kind, expired ones left out when asked.
      expect((await store.objects.list('d1', 'secret', { offset: 0, limit: 1 })).total).toBe(4);
      expect((await store.objects.list('d1', 'secret', { offset: 0, limit: 1, liveAt: now(100) })).total).toBe(3);
      expect((await store.objects.list('d1', 'secret', { offset: 0, limit: 1, liveAt: now(99) })).total).toBe(4);
      expect((await store.objects.list('d1', 'container', { offset: 0, limit: 1 })).total).toBe(1);
      expect((await store.objects.list('d2', 'secret', { offset: 0, limit: 1 })).total).toBe(1);
      expect((await store.objects.list('d3', 'secret', { offset: 0, limit: 1 })).total).toBe(0);

      // Expiries on several days: at every moment the total is what a scan of the live ones counts.
      const DAY = 86_400_000;
      const expiries = [1, 1, 2, 2.5, 3, 10].map((days) => now(days * DAY));
      for (const [i, expiresAt] of expiries.entries()) await store.objects.create(object(`e${i}`, { domainId: 'd4', expiresAt, createdAt: now(i) }));
      await store.objects.create(object('e9', { domainId: 'd4' }));
      expect(await store.objects.replace({ ...object('e5', { domainId: 'd4', createdAt: now(5) }), expiresAt: now(4 * DAY), version: 2 }, 1)).toBe(true); // 10 days → 4
      expect(await store.objects.delete('secret', 'e2')).toBe(true);
      const stored = [now(DAY), now(DAY), now(2.5 * DAY), now(3 * DAY), now(4 * DAY), null];
      for (const liveAt of [0, 0.5, 1, 1.2, 2.5, 2.7, 3, 3.5, 4, 9, 11].map((days) => now(days * DAY))) {
        const live = stored.filter((expiresAt) => expiresAt === null || expiresAt > liveAt).length;
        expect({ liveAt, total: (await store.objects.list('d4', 'secret', { offset: 0, limit: 1, liveAt })).total }).toEqual({ liveAt, total: live });
      }
    });

    it('audit: concurrent appends form one contiguous, correctly linked chain', async () => {
      const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => store.audit.append(JSON.stringify({ i }))));
      expect(appended.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const entries = await store.audit.list(0, 100);
      let previous = GENESIS_HASH;
      for (const entry of entries) {
        expect(entry.prevHash).toBe(previous);
        expect(entry.hash).toBe(chainHash(entry.prevHash, entry.record));
        previous = entry.hash;
      }
      expect((await store.audit.last())?.seq).toBe(50);
      expect(await store.audit.list(48, 10)).toHaveLength(2);
    });

    it('audit: prune removes a leading run, never the tail, and appends still link to the tail', async () => {
      for (let i = 0; i < 5; i += 1) await store.audit.append(JSON.stringify({ i }));
      expect(await store.audit.prune(2)).toBe(2);
      expect((await store.audit.list(0, 10)).map((e) => e.seq)).toEqual([3, 4, 5]);
      expect(await store.audit.prune(99)).toBe(2);
      const tail = (await store.audit.list(0, 10))!;
      expect(tail.map((e) => e.seq)).toEqual([5]);
      const next = await store.audit.append('{"after":"prune"}');
      expect(next).toMatchObject({ seq: 6, prevHash: tail[0]!.hash });
      expect(await store.audit.prune(0)).toBe(0);
    });

    it('durability: what was acknowledged is there after close and reopen', async () => {
      await store.domains.create(domain('durable'));
      await store.credentials.create(credential('c-durable', 'durable', 'cc01'));
      await store.audit.append('{"a":1}');
      await store.close();
      store = await open(`contract-${name}`);
      expect(await store.domains.get('durable')).toBeDefined();
      expect((await store.credentials.getBySerial('durable', 'cc01'))?.id).toBe('c-durable');
      expect((await store.audit.last())?.seq).toBe(1);
    });
  });
}
