import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDomain, createUsers, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall, type MtlsResponse } from '../helpers/mtls-client';

let t: TestOkmsd;
let domain: { id: string };
let cert: string;
let key: string;
let readerToken: string;

const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<MtlsResponse> =>
  mtlsCall(t, `/api/${domain.id}${path}`, { method, cert, key, ...(body === undefined ? {} : { body }), headers });

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'secrets');
  const credential = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'root', identityURNs: [rootUrn()] } });
  ({ certificatePEM: cert, privateKeyPEM: key } = credential.json);
  await createUsers(t, 'reader');
  await t.api('POST', '/iam/policy', {
    body: { name: 'read-metadata', identities: [rootUrn('reader')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}/*` }], permissions: { allow: [{ action: 'okms:apikms:secret/get' }, { action: 'okms:apikms:secret/version/getData' }] }, conditions: {} },
  });
  await t.api('POST', '/iam/policy', {
    body: { name: 'no-db-data', identities: [rootUrn('reader')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}/secret/app/db` }], permissions: { deny: [{ action: 'okms:apikms:secret/version/getData' }] } },
  });
  readerToken = (await t.api('POST', '/iam/user/reader/token', { body: {} })).json.token;
});
afterAll(() => t.dispose());

describe('the OKMS Secret Manager (v2) over mTLS', () => {
  it('creates a secret, reads it with and without data, versions it under check-and-set, and keeps maxVersions', async () => {
    const created = await call('POST', '/v2/secret', { path: 'app/db', version: { data: { user: 'app', password: 'hunter2-very-secret' } }, metadata: { maxVersions: 3, customMetadata: { team: 'payments' } } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ path: 'app/db', metadata: { currentVersion: 1, oldestVersion: 1, maxVersions: 3, casRequired: false, customMetadata: { team: 'payments' }, urn: `urn:v1:eu:resource:okms:${domain.id}/secret/app/db` } });
    expect((await call('POST', '/v2/secret', { path: 'app/db', version: { data: {} } })).status).toBe(409);

    const plain = await call('GET', '/v2/secret/app%2Fdb');
    expect(plain.json.version).toMatchObject({ id: 1, state: 'active' });
    expect(plain.json.version).not.toHaveProperty('data');
    expect((await call('GET', '/v2/secret/app%2Fdb?includeData=true')).json.version.data).toEqual({ user: 'app', password: 'hunter2-very-secret' });

    expect((await call('PUT', '/v2/secret/app%2Fdb?cas=1', { version: { data: { v: 2 } } })).json.metadata.currentVersion).toBe(2);
    const stale = await call('PUT', '/v2/secret/app%2Fdb?cas=1', { version: { data: { v: 'lost' } } });
    expect([stale.status, stale.json.errors[0]]).toEqual([400, expect.stringContaining('cas: check-and-set')]);
    for (const v of [3, 4]) expect((await call('POST', '/v2/secret/app%2Fdb/version', { data: { v } })).json).toMatchObject({ id: v, state: 'active' });
    const versions = await call('GET', '/v2/secret/app%2Fdb/version');
    expect(versions.json.map((v: { id: number }) => v.id)).toEqual([2, 3, 4]); // maxVersions 3: version 1 is gone
    expect((await call('GET', '/v2/secret/app%2Fdb/version/1')).status).toBe(404);
    expect((await call('GET', '/v2/secret/app%2Fdb?version=3&includeData=true')).json.version.data).toEqual({ v: 3 });
  });

  it('changes version states: deactivated keeps the data unreadable until activated, deleted erases it for good', async () => {
    await call('POST', '/v2/secret', { path: 'states', version: { data: { a: 1 } } });
    const off = await call('PUT', '/v2/secret/states/version/1', { state: 'deactivated' });
    expect(off.json).toMatchObject({ id: 1, state: 'deactivated', deactivatedAt: expect.any(String) });
    expect((await call('GET', '/v2/secret/states/version/1?includeData=true')).json.data).toBeNull();
    expect((await call('PUT', '/v2/secret/states/version/1', { state: 'active' })).json.state).toBe('active');
    expect((await call('GET', '/v2/secret/states/version/1?includeData=true')).json.data).toEqual({ a: 1 });
    expect((await call('PUT', '/v2/secret/states/version/1', { state: 'deleted' })).json.state).toBe('deleted');
    const back = await call('PUT', '/v2/secret/states/version/1', { state: 'active' });
    expect([back.status, back.json.errors[0]]).toEqual([409, expect.stringContaining('deleted')]);
    expect((await call('DELETE', '/v2/secret/states')).status).toBe(204);
    expect((await call('GET', '/v2/secret/states')).status).toBe(404);
  });

  it('applies the domain secretConfig: casRequired makes every write name the version it replaces', async () => {
    expect((await call('GET', '/v2/secretConfig')).json).toEqual({ casRequired: false, deactivateVersionAfter: null, maxVersions: 10 });
    expect((await call('PUT', '/v2/secretConfig', { casRequired: true, maxVersions: 20 })).json).toEqual({ casRequired: true, deactivateVersionAfter: null, maxVersions: 20 });
    await call('POST', '/v2/secret', { path: 'guarded', version: { data: { a: 1 } } });
    const unguarded = await call('POST', '/v2/secret/guarded/version', { data: { a: 2 } });
    expect([unguarded.status, unguarded.json.errors[0]]).toEqual([400, expect.stringContaining('cas: check-and-set is required')]);
    expect((await call('POST', '/v2/secret/guarded/version?cas=1', { data: { a: 2 } })).status).toBe(200);
    await call('PUT', '/v2/secretConfig', { casRequired: false, maxVersions: 10 });
  });

  it('lists in pages with X-Pagination-Size and X-Pagination-Cursor, without gaps or repeats', async () => {
    for (let i = 0; i < 23; i += 1) await call('POST', '/v2/secret', { path: `bulk/item-${String(i).padStart(2, '0')}`, version: { data: { i } } });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call('GET', '/v2/secret', undefined, { 'x-pagination-size': '10', ...(cursor ? { 'x-pagination-cursor': cursor } : {}) });
      expect(page.status).toBe(200);
      seen.push(...page.json.map((s: { path: string }) => s.path));
      cursor = page.headers['x-pagination-cursor-next'] as string | undefined;
    } while (cursor);
    expect(seen.filter((p) => p.startsWith('bulk/'))).toEqual(Array.from({ length: 23 }, (_, i) => `bulk/item-${String(i).padStart(2, '0')}`));
    expect(new Set(seen).size).toBe(seen.length);
    expect((await call('GET', '/v2/secret', undefined, { 'x-pagination-size': '5' })).json.errors[0]).toContain('X-Pagination-Size');
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const bad: Array<[string, string, unknown, string]> = [
      ['POST', '/v2/secret', { path: 'bad path', version: { data: {} } }, 'path'],
      ['POST', '/v2/secret', { path: 'trailing/', version: { data: {} } }, 'path'],
      ['POST', '/v2/secret', { path: 'ok', version: { data: 'not an object' } }, 'version.data'],
      ['POST', '/v2/secret', { path: 'ok', version: { data: {} }, metadata: { maxVersions: 24001 } }, 'metadata.maxVersions'],
      ['POST', '/v2/secret', { path: 'ok', version: { data: {} }, metadata: { deactivateVersionAfter: 'soon' } }, 'metadata.deactivateVersionAfter'],
      ['POST', '/v2/secret', { path: 'ok', version: { data: {} }, metadata: { customMetadata: { k: 'white space' } } }, 'metadata.customMetadata.k'],
      ['PUT', '/v2/secret/app%2Fdb/version/2', { state: 'gone' }, 'state'],
    ];
    for (const [method, path, body, field] of bad) {
      const response = await call(method, path, body);
      expect([path, response.status, response.json.errors[0]]).toEqual([path, 400, expect.stringContaining(field)]);
    }
    expect((await call('GET', '/v2/secret/ok')).status).toBe(404);
    expect((await call('GET', '/v2/secret/app%2Fdb?includeData=maybe')).status).toBe(400);
    expect((await call('GET', '/v2/secret/app%2Fdb/version/0')).status).toBe(400);
  });

  it('answers a token caller through IAM: metadata yes, the data of a denied secret no', async () => {
    const asReader = (path: string) => mtlsCall(t, `/api/${domain.id}${path}`, { headers: { authorization: `Bearer ${readerToken}` } });
    expect((await asReader('/v2/secret/app%2Fdb')).status).toBe(200);
    expect((await asReader('/v2/secret/app%2Fdb?includeData=true')).status).toBe(403);
    await call('POST', '/v2/secret', { path: 'app/api', version: { data: { key: 'k' } } });
    expect((await asReader('/v2/secret/app%2Fapi?includeData=true')).json.version.data).toEqual({ key: 'k' });
    const write = await mtlsCall(t, `/api/${domain.id}/v2/secret`, { method: 'POST', body: { path: 'x', version: { data: {} } }, headers: { authorization: `Bearer ${readerToken}` } });
    expect(write.status).toBe(403);
  });

  it('stores data only wrapped: no plaintext in the data directory', async () => {
    const files = readdirSync(t.dataDir).map((name) => join(t.dataDir, name)).filter((path) => statSync(path).isFile());
    for (const file of files) expect([file, readFileSync(file).includes('hunter2-very-secret')]).toEqual([file, false]);
  });
});

describe('the Vault KV v2 API over the same secrets', () => {
  const vault = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(method, `/v1/secret/${path}`, body, headers);

  it("reads what the Secret Manager wrote (paths unencoded, as Vault clients send them), in OKMS's Vault envelope", async () => {
    const read = await vault('GET', 'data/app/api');
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ request_id: expect.any(String), data: { data: { key: 'k' }, metadata: { version: 1, destroyed: false, deletion_time: '', created_time: expect.any(String), custom_metadata: null } } });
    expect((await vault('GET', 'metadata/app?list=true')).json.data.keys).toEqual(['api', 'db']);
    expect((await vault('GET', 'metadata?list=true')).json.data.keys).toEqual(expect.arrayContaining(['app/', 'bulk/', 'guarded']));
  });

  it('writes with cas, merge-patches, soft-deletes, undeletes, destroys, and answers errors as Vault does', async () => {
    expect((await vault('POST', 'data/vault/one', { data: { a: 1, b: { c: 2 } }, options: { cas: 0 } })).json.data.version).toBe(1);
    expect((await vault('POST', 'data/vault/one', { data: { a: 9 }, options: { cas: 0 } })).json).toEqual({ errors: [expect.stringContaining('check-and-set')] });
    const patched = await mtlsCall(t, `/api/${domain.id}/v1/secret/data/vault/one`, { method: 'PATCH', cert, key, raw: JSON.stringify({ data: { a: null, d: 4 } }), headers: { 'content-type': 'application/merge-patch+json' } });
    expect(patched.json.data.version).toBe(2);
    expect((await vault('GET', 'data/vault/one')).json.data.data).toEqual({ b: { c: 2 }, d: 4 });
    expect((await vault('GET', 'subkeys/vault/one')).json.data.subkeys).toEqual({ b: { c: null }, d: null });
    expect((await vault('DELETE', 'data/vault/one')).status).toBe(204);
    const deleted = await vault('GET', 'data/vault/one');
    expect([deleted.status, deleted.json.data.metadata.deletion_time]).toEqual([404, expect.any(String)]);
    expect((await vault('POST', 'undelete/vault/one', { versions: [2] })).status).toBe(204);
    expect((await vault('GET', 'data/vault/one')).status).toBe(200);
    expect((await vault('PUT', 'destroy/vault/one', { versions: [1] })).status).toBe(204);
    expect((await vault('GET', 'metadata/vault/one')).json.data.versions['1']).toMatchObject({ destroyed: true });
    expect((await vault('POST', 'metadata/vault/one', { max_versions: 5, custom_metadata: { owner: 'ops' } })).status).toBe(204);
    expect((await call('GET', '/v2/secret/vault%2Fone')).json.metadata).toMatchObject({ maxVersions: 5, customMetadata: { owner: 'ops' } });
    expect((await vault('GET', 'data/nothing/here')).json).toEqual({ errors: [expect.stringContaining('no secret')] });
    expect((await vault('POST', 'data/vault/one', { data: 'text' })).status).toBe(400);
    expect((await vault('DELETE', 'metadata/vault/one')).status).toBe(204);
    expect((await vault('GET', 'metadata/vault/one')).status).toBe(404);
  });
});
