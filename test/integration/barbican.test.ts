import { createPublicKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBarbicanUser, keystoneToken } from '../helpers/barbican';
import { createDomain, startTestOkmsd, type TestOkmsd } from '../helpers/harness';

/** The Barbican API over real HTTP with Keystone-style tokens, against a real store. */
let t: TestOkmsd;
let now = new Date();
let project: { id: string; name: string };
let otherProject: { id: string; name: string };
const PASSWORD = 'correct horse battery staple';

interface Call { status: number; headers: Headers; json: any; body: Buffer }
async function call(method: string, path: string, token: string | null, options: { json?: unknown; raw?: string | Buffer; type?: string; headers?: Record<string, string> } = {}): Promise<Call> {
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers['x-auth-token'] = token;
  let body: Buffer | undefined;
  if (options.json !== undefined) (body = Buffer.from(JSON.stringify(options.json))), (headers['content-type'] = 'application/json');
  if (options.raw !== undefined) (body = Buffer.from(options.raw)), (headers['content-type'] = options.type ?? 'text/plain');
  const response = await fetch(`${t.okmsd.controlUrl}${path}`, { method, headers, body: body === undefined ? undefined : new Uint8Array(body) });
  const raw = Buffer.from(await response.arrayBuffer());
  let json: any;
  try {
    json = JSON.parse(raw.toString());
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, body: raw };
}

const login = (user: string, projectName: string) => keystoneToken(t, user, PASSWORD, { name: projectName });
const secretId = (ref: string) => ref.split('/').pop()!;
let alice: string;

beforeAll(async () => {
  t = await startTestOkmsd({ clock: () => now });
  project = await createDomain(t, 'barbican-project');
  expect((await t.api('PUT', `/okms/resource/${project.id}/name-policy`, { body: { allowedDomains: ['example.com', 'csr.example', 'stored.example'] } })).status).toBe(200);
  otherProject = await createDomain(t, 'barbican-other');
  await createBarbicanUser(t, 'alice', PASSWORD, [project.id]);
  await createBarbicanUser(t, 'bob', PASSWORD, [otherProject.id, project.id]);
  await createBarbicanUser(t, 'carol', PASSWORD, [project.id]);
  expect((await t.api('POST', '/iam/user', { body: { login: 'mallory', password: PASSWORD } })).status).toBe(201); // no policy
  alice = await login('alice', project.name);
});
afterAll(async () => {
  await t.dispose();
});

describe('Keystone v3 front door', () => {
  it('serves discovery, refuses a wrong password or an unknown project, and revokes tokens', async () => {
    expect((await call('GET', '/v3', null)).json.version).toMatchObject({ id: 'v3.14', status: 'stable', links: [{ rel: 'self', href: `${t.okmsd.controlUrl}/v3/` }] });
    const wrong = await call('POST', '/v3/auth/tokens', null, { json: { auth: { identity: { methods: ['password'], password: { user: { name: 'alice', domain: { name: 'Default' }, password: 'nope' } } }, scope: { project: { name: project.name } } } } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatchObject({ code: 401, title: 'Unauthorized' });
    const unknownProject = await call('POST', '/v3/auth/tokens', null, { json: { auth: { identity: { methods: ['password'], password: { user: { name: 'alice', password: PASSWORD } } }, scope: { project: { name: 'no-such-project' } } } } });
    expect(unknownProject.status).toBe(401);
    const token = await login('alice', project.name);
    const issued = await call('GET', '/v3/auth/tokens', token, { headers: { 'x-subject-token': token } });
    expect(issued.json.token).toMatchObject({ user: { name: 'alice' }, project: { id: project.id }, catalog: expect.arrayContaining([expect.objectContaining({ type: 'key-manager' })]) });
    expect(issued.json.token.catalog[0].endpoints[0].url).toBe(`${t.okmsd.controlUrl}/v1`);
    expect((await call('GET', '/v1/secrets', token)).status).toBe(200);
    expect((await call('DELETE', '/v3/auth/tokens', token, { headers: { 'x-subject-token': token } })).status).toBe(204);
    const revoked = await call('GET', '/v1/secrets', token);
    expect(revoked.status).toBe(401);
    expect(t.logs.join('')).not.toContain(PASSWORD); // nor the token, nor the password, anywhere in the logs or audit
    expect(t.logs.join('')).not.toContain(token);
    expect(JSON.stringify((await t.api('GET', '/audit?limit=1000')).json)).not.toContain(token);
    expect(revoked.json).toMatchObject({ code: 401, title: 'Unauthorized' });
  });

  it('lets tokens expire', async () => {
    const token = await login('alice', project.name);
    now = new Date(now.getTime() + 3601_000);
    try {
      expect((await call('GET', '/v1/secrets', token)).status).toBe(401);
      expect((await t.okmsd.lifecycle.runOnce()).purgedTokens).toBeGreaterThanOrEqual(1); // and then forgotten
      expect((await t.okmsd.lifecycle.runOnce()).purgedTokens).toBe(0);
      expect((await call('GET', '/v1/secrets', alice)).status).toBe(401); // alice's token of an hour ago went too
    } finally {
      now = new Date();
    }
    alice = await login('alice', project.name);
    expect((await call('GET', '/v1/secrets', null)).status).toBe(401);
  });
});

describe('secrets', () => {
  it('stores one-step and two-step secrets, serves payloads per Accept, and keeps payloads out of the store files', async () => {
    const text = await call('POST', '/v1/secrets/', alice, { json: { name: ' db-password ', secret_type: 'passphrase', payload: 'hunter2-barbican-canary', payload_content_type: 'text/plain' } });
    expect(text.status).toBe(201);
    expect(text.headers.get('location')).toBe(text.json.secret_ref);
    const meta = await call('GET', `/v1/secrets/${secretId(text.json.secret_ref)}`, alice);
    expect(meta.json).toEqual({
      secret_ref: text.json.secret_ref, name: 'db-password', secret_type: 'passphrase', status: 'ACTIVE', created: expect.any(String), updated: expect.any(String),
      expiration: null, algorithm: null, bit_length: null, mode: null, creator_id: 'alice', content_types: { default: 'text/plain' },
    });
    const payload = await call('GET', `/v1/secrets/${secretId(text.json.secret_ref)}/payload`, alice, { headers: { accept: 'text/plain' } });
    expect({ status: payload.status, type: payload.headers.get('content-type'), body: payload.body.toString() }).toEqual({ status: 200, type: 'text/plain', body: 'hunter2-barbican-canary' });
    expect((await call('GET', `/v1/secrets/${secretId(text.json.secret_ref)}/payload`, alice, { headers: { accept: 'application/json' } })).status).toBe(406);

    const binary = Buffer.from([0xff, 0x00, 0xfe, 0x10]);
    const twoStep = await call('POST', '/v1/secrets', alice, { json: { name: 'later', secret_type: 'opaque' } });
    expect((await call('GET', `/v1/secrets/${secretId(twoStep.json.secret_ref)}/payload`, alice)).status).toBe(404);
    expect((await call('PUT', `/v1/secrets/${secretId(twoStep.json.secret_ref)}`, alice, { raw: binary.toString('base64'), type: 'application/octet-stream', headers: { 'content-encoding': 'base64' } })).status).toBe(204);
    expect((await call('PUT', `/v1/secrets/${secretId(twoStep.json.secret_ref)}`, alice, { raw: 'again', type: 'text/plain' })).status).toBe(409);
    const back = await call('GET', `/v1/secrets/${secretId(twoStep.json.secret_ref)}/payload`, alice);
    expect(back.body.equals(binary)).toBe(true);
    expect((await call('GET', `/v1/secrets/${secretId(twoStep.json.secret_ref)}/payload`, alice, { headers: { accept: 'text/plain' } })).status).toBe(406); // not UTF-8

    for (const file of readdirSync(t.dataDir).filter((f) => f.startsWith('okmsd.sqlite'))) {
      expect(readFileSync(join(t.dataDir, file)).includes(Buffer.from('hunter2-barbican-canary'))).toBe(false);
    }
    expect(t.logs.join('')).not.toContain('hunter2-barbican-canary');
    expect(JSON.stringify((await t.api('GET', '/audit?limit=1000')).json)).not.toContain('hunter2-barbican-canary');
    expect(t.logs.join('')).not.toContain(binary.toString('base64'));
  });

  it.each([
    ['an unknown content type', { payload: 'x', payload_content_type: 'application/json' }, 400, 'payload_content_type'],
    ['a payload without its content type', { payload: 'x' }, 400, 'payload_content_type'],
    ['an encoding on text/plain', { payload: 'x', payload_content_type: 'text/plain', payload_content_encoding: 'base64' }, 400, 'payload_content_encoding'],
    ['binary without base64', { payload: 'x', payload_content_type: 'application/octet-stream' }, 400, 'payload_content_encoding'],
    ['non-base64 payload', { payload: '%%%not base64%%%', payload_content_type: 'application/octet-stream', payload_content_encoding: 'base64' }, 400, 'payload'],
    ['an empty payload', { payload: '   ', payload_content_type: 'text/plain' }, 400, 'payload'],
    ['a payload over 20,000 bytes', { payload: 'a'.repeat(20_001), payload_content_type: 'text/plain' }, 413, 'payload'],
    ['a certificate secret that is no certificate', { secret_type: 'certificate', payload: Buffer.from('hello').toString('base64'), payload_content_type: 'application/pkix-cert', payload_content_encoding: 'base64' }, 400, 'payload'],
    ['an expiration in the past', { expiration: '2001-01-01T00:00:00' }, 400, 'expiration'],
    ['an unknown secret type', { secret_type: 'magic' }, 400, 'secret_type'],
    ['a certificate sent as a PKCS#8 key', { secret_type: 'certificate', payload: 'AAAA', payload_content_type: 'application/pkcs8', payload_content_encoding: 'base64' }, 400, 'does not fit a certificate secret'],
    ['a symmetric key sent as text', { secret_type: 'symmetric', payload: 'abc', payload_content_type: 'text/plain' }, 400, 'does not fit a symmetric secret'],
    ['a private key sent as a certificate', { secret_type: 'private', payload: 'AAAA', payload_content_type: 'application/pkix-cert', payload_content_encoding: 'base64' }, 400, 'does not fit a private secret'],
    ['an unknown field', { colour: 'blue' }, 400, 'colour'],
  ])('refuses %s with a clear 4xx and writes nothing', async (_name, body, status, field) => {
    const before = (await call('GET', '/v1/secrets?limit=1', alice)).json.total;
    const response = await call('POST', '/v1/secrets', alice, { json: { name: 'bad', ...body } });
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject({ code: status, title: expect.any(String) });
    expect(response.json.description).toContain(field);
    expect((await call('GET', '/v1/secrets?limit=1', alice)).json.total).toBe(before);
  });

  it('refuses a non-JSON body with 415 and a PUT of an unsupported type with 415', async () => {
    expect((await call('POST', '/v1/secrets', alice, { raw: 'name=x', type: 'application/x-www-form-urlencoded' })).status).toBe(415);
    const meta = await call('POST', '/v1/secrets', alice, { json: { name: 'put-type' } });
    expect((await call('PUT', `/v1/secrets/${secretId(meta.json.secret_ref)}`, alice, { raw: '{}', type: 'application/json' })).status).toBe(415);
  });

  it('pages with limit/offset, total and next/previous links, filters by name and type, hides expired secrets', async () => {
    const token = await login('bob', otherProject.name);
    for (let i = 0; i < 5; i += 1) {
      now = new Date(now.getTime() + 1); // the test's clock stands still otherwise: pages are in creation order
      await call('POST', '/v1/secrets', token, { json: { name: `page-${i}`, secret_type: i === 4 ? 'symmetric' : 'opaque' } });
    }
    now = new Date(now.getTime() + 1);
    const soon = new Date(now.getTime() + 60_000).toISOString().replace('Z', '');
    await call('POST', '/v1/secrets', token, { json: { name: 'short-lived', expiration: soon } });
    const page = await call('GET', '/v1/secrets?limit=2&offset=2', token);
    expect(page.json.secrets.map((s: any) => s.name)).toEqual(['page-2', 'page-3']);
    expect(page.json.total).toBe(6);
    expect(page.json.next).toBe(`${t.okmsd.controlUrl}/v1/secrets?limit=2&offset=4`);
    expect(page.json.previous).toBe(`${t.okmsd.controlUrl}/v1/secrets?limit=2&offset=0`);
    expect((await call('GET', '/v1/secrets?name=page-3', token)).json.total).toBe(1);
    expect((await call('GET', '/v1/secrets?secret_type=symmetric', token)).json.secrets.map((s: any) => s.name)).toEqual(['page-4']);
    now = new Date(now.getTime() + 120_000);
    try {
      expect((await call('GET', '/v1/secrets?name=short-lived', token)).json.total).toBe(0);
    } finally {
      now = new Date();
    }
    expect((await call('GET', '/v1/secrets?limit=-1', token)).status).toBe(400);
  });

  it('keeps user metadata', async () => {
    const secret = await call('POST', '/v1/secrets', alice, { json: { name: 'with-metadata' } });
    const id = secretId(secret.json.secret_ref);
    expect((await call('PUT', `/v1/secrets/${id}/metadata`, alice, { json: { metadata: { Owner: 'team-a' } } })).status).toBe(201);
    expect((await call('POST', `/v1/secrets/${id}/metadata`, alice, { json: { key: 'env', value: 'prod' } })).status).toBe(201);
    expect((await call('POST', `/v1/secrets/${id}/metadata`, alice, { json: { key: 'env', value: 'dev' } })).status).toBe(409);
    expect((await call('GET', `/v1/secrets/${id}/metadata`, alice)).json).toEqual({ metadata: { owner: 'team-a', env: 'prod' } });
    expect((await call('GET', `/v1/secrets/${id}/metadata/env`, alice)).json).toEqual({ key: 'env', value: 'prod' });
    expect((await call('DELETE', `/v1/secrets/${id}/metadata/owner`, alice)).status).toBe(204);
    expect((await call('GET', `/v1/secrets/${id}/metadata/owner`, alice)).status).toBe(404);
    expect((await call('PUT', `/v1/secrets/${id}/metadata`, alice, { json: { metadata: { 'bad key!': 'x' } } })).status).toBe(400);
  });
});

describe('containers and consumers', () => {
  const store = async (token: string, body: Record<string, unknown>) => (await call('POST', '/v1/secrets', token, { json: body })).json.secret_ref as string;
  const pemPayload = (pem: string) => ({ payload: Buffer.from(pem).toString('base64'), payload_content_encoding: 'base64' });

  it('checks refs and types, pins secrets while consumers are registered, and forces only on request (audited)', async () => {
    const ca = project as unknown as { publicCA: string };
    const certificate = await store(alice, { name: 'c', secret_type: 'certificate', payload_content_type: 'application/pkix-cert', ...pemPayload(ca.publicCA) });
    const key = await store(alice, { name: 'k', secret_type: 'private', payload_content_type: 'application/octet-stream', ...pemPayload('-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n') });
    const opaque = await store(alice, { name: 'o' });
    const bad = async (body: Record<string, unknown>, status: number, field: string) => {
      const before = (await call('GET', '/v1/containers?limit=1', alice)).json.total;
      const response = await call('POST', '/v1/containers', alice, { json: body });
      expect({ status: response.status, mentions: response.json.description.includes(field) }).toEqual({ status, mentions: true });
      expect((await call('GET', '/v1/containers?limit=1', alice)).json.total).toBe(before);
    };
    await bad({ type: 'certificate', secret_refs: [{ name: 'certificate', secret_ref: `${t.okmsd.controlUrl}/v1/secrets/00000000-0000-4000-8000-000000000000` }] }, 404, "'certificate'");
    await bad({ type: 'certificate', secret_refs: [{ name: 'certificate', secret_ref: `https://elsewhere.example/v1/secrets/${secretId(certificate)}` }] }, 400, 'secret_refs[0].secret_ref');
    await bad({ type: 'certificate', secret_refs: [{ name: 'certificate', secret_ref: opaque }] }, 400, 'must be a certificate secret');
    await bad({ type: 'certificate', secret_refs: [{ name: 'private_key', secret_ref: key }] }, 400, 'needs a "certificate"');
    await bad({ type: 'rsa', secret_refs: [{ name: 'private_key', secret_ref: key }] }, 400, 'public_key');
    await bad({ type: 'generic', secret_refs: [{ name: 'a', secret_ref: opaque }, { name: 'a', secret_ref: key }] }, 400, 'Duplicate reference names');
    await bad({ type: 'magic' }, 400, 'type');

    const created = await call('POST', '/v1/containers/', alice, { json: { name: 'web-tls', type: 'certificate', secret_refs: [{ name: 'certificate', secret_ref: certificate }, { name: 'private_key', secret_ref: key }] } });
    expect(created.status).toBe(201);
    const id = secretId(created.json.container_ref);
    const lb = { name: 'lb-1', URL: 'https://lb.example/listeners/1' };
    const registered = await call('POST', `/v1/containers/${id}/consumers/`, alice, { json: lb });
    expect(registered.status).toBe(200);
    expect(registered.json.consumers).toEqual([lb]);
    expect((await call('POST', `/v1/containers/${id}/consumers`, alice, { json: lb })).json.consumers).toHaveLength(1); // idempotent
    expect((await call('GET', `/v1/containers/${id}/consumers`, alice)).json).toMatchObject({ consumers: [{ ...lb, status: 'ACTIVE' }], total: 1 });

    const refusedContainer = await call('DELETE', `/v1/containers/${id}`, alice);
    expect(refusedContainer.status).toBe(409);
    expect(refusedContainer.json.description).toContain('lb-1 https://lb.example/listeners/1');
    const refusedSecret = await call('DELETE', `/v1/secrets/${secretId(key)}`, alice);
    expect(refusedSecret.status).toBe(409);
    expect(refusedSecret.json.description).toContain('web-tls');
    expect((await call('GET', `/v1/secrets/${secretId(key)}`, alice)).status).toBe(200);

    expect((await call('DELETE', `/v1/containers/${id}/consumers`, alice, { json: { name: 'lb-1', URL: 'https://other' } })).status).toBe(404);
    expect((await call('DELETE', `/v1/secrets/${secretId(key)}?force=true`, alice)).status).toBe(204);
    // Audit records are committed before the reply: the last one is there already.
    const records: any[] = (await t.api('GET', '/audit?limit=1000')).json.map((e: any) => e.record);
    expect(records).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'DELETE /v1/secrets/:id', resource: `/v1/secrets/${secretId(key)}`, decision: 'deny', status: 409, identities: ['urn:v1:eu:identity:user:root/alice'] }),
      expect.objectContaining({ action: 'DELETE /v1/secrets/:id', resource: `/v1/secrets/${secretId(key)}`, decision: 'allow', reason: 'forced', identities: ['urn:v1:eu:identity:user:root/alice'] }),
    ]));
    expect((await call('DELETE', `/v1/containers/${id}/consumers`, alice, { json: lb })).json.consumers).toEqual([]);
    expect((await call('DELETE', `/v1/containers/${id}`, alice)).status).toBe(204);
  });
});

describe('orders', () => {
  it('fulfils a certificate order from the domain CA with a matching key, as a certificate container', async () => {
    const order = await call('POST', '/v1/orders/', alice, { json: { type: 'certificate', meta: { subject_dn: 'cn=api.example.com,o=Example,c=FR' } } });
    expect(order.status).toBe(202);
    const got = await call('GET', `/v1/orders/${secretId(order.json.order_ref)}`, alice);
    expect(got.json).toMatchObject({ type: 'certificate', status: 'ACTIVE', meta: { subject_dn: 'cn=api.example.com,o=Example,c=FR' }, container_ref: expect.any(String) });
    const container = await call('GET', `/v1/containers/${secretId(got.json.container_ref)}`, alice);
    const refs = Object.fromEntries(container.json.secret_refs.map((r: any) => [r.name, secretId(r.secret_ref)]));
    expect(Object.keys(refs).sort()).toEqual(['certificate', 'intermediates', 'private_key']);
    const pem = (await call('GET', `/v1/secrets/${refs.certificate}/payload`, alice)).body.toString();
    const certificate = new X509Certificate(pem);
    // Issued by the domain's server CA, never by the client-auth CA that the gateway trusts.
    const ca = new X509Certificate((await t.api('GET', `/okms/resource/${project.id}/name-policy`)).json.serverCA);
    expect(certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.verify(new X509Certificate((project as unknown as { publicCA: string }).publicCA).publicKey)).toBe(false);
    expect(certificate.subject).toBe('C=FR\nO=Example\nCN=api.example.com'); // RFC 4514: the string lists the RDNs last first
    expect(certificate.subjectAltName).toBe('DNS:api.example.com');
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const key = (await call('GET', `/v1/secrets/${refs.private_key}/payload`, alice)).body.toString();
    expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toBe(certificate.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect((await call('GET', `/v1/secrets/${refs.intermediates}/payload`, alice)).body.toString().trim()).toBe(ca.toString().trim());
  });

  it('fulfils simple-cmc orders from a CSR and stored-key orders from an rsa container, keeping the key with its owner', async () => {
    const { opensslCsr } = await import('../helpers/openssl');
    const csr = opensslCsr('rsa:2048', '/CN=csr.example/O=Requester');
    const fromCsr = await call('POST', '/v1/orders', alice, { json: { type: 'certificate', meta: { request_type: 'simple-cmc', request_data: Buffer.from(csr.csrPEM).toString('base64') } } });
    const csrOrder = await call('GET', `/v1/orders/${secretId(fromCsr.json.order_ref)}`, alice);
    expect(csrOrder.json.status).toBe('ACTIVE');
    const csrContainer = await call('GET', `/v1/containers/${secretId(csrOrder.json.container_ref)}`, alice);
    expect(csrContainer.json.secret_refs.map((r: any) => r.name).sort()).toEqual(['certificate', 'intermediates']); // no private key: it stayed with the requester
    const issued = new X509Certificate((await call('GET', `/v1/secrets/${secretId(csrContainer.json.secret_refs.find((r: any) => r.name === 'certificate').secret_ref)}/payload`, alice)).body);
    expect(issued.subject).toBe('CN=csr.example\nO=Requester');
    expect(issued.checkPrivateKey((await import('node:crypto')).createPrivateKey(csr.keyPEM))).toBe(true);

    const pair = await call('GET', `/v1/orders/${secretId((await call('POST', '/v1/orders', alice, { json: { type: 'asymmetric', meta: { algorithm: 'rsa', bit_length: 2048 } } })).json.order_ref)}`, alice);
    const stored = await call('POST', '/v1/orders', alice, { json: { type: 'certificate', meta: { request_type: 'stored-key', container_ref: pair.json.container_ref, subject_dn: 'cn=stored.example' } } });
    const storedOrder = await call('GET', `/v1/orders/${secretId(stored.json.order_ref)}`, alice);
    expect(storedOrder.json).toMatchObject({ status: 'ACTIVE', meta: { request_type: 'stored-key', container_ref: pair.json.container_ref } });
    const refs = (await call('GET', `/v1/containers/${secretId(storedOrder.json.container_ref)}`, alice)).json.secret_refs;
    const pairRefs = (await call('GET', `/v1/containers/${secretId(pair.json.container_ref)}`, alice)).json.secret_refs;
    expect(refs.find((r: any) => r.name === 'private_key').secret_ref).toBe(pairRefs.find((r: any) => r.name === 'private_key').secret_ref);
  });

  it('fulfils key and asymmetric orders', async () => {
    const key = await call('GET', `/v1/orders/${secretId((await call('POST', '/v1/orders', alice, { json: { type: 'key', meta: { algorithm: 'aes', bit_length: 256, mode: 'cbc' } } })).json.order_ref)}`, alice);
    expect(key.json).toMatchObject({ status: 'ACTIVE', secret_ref: expect.any(String) });
    expect(key.json).not.toHaveProperty('container_ref');
    expect((await call('GET', `/v1/secrets/${secretId(key.json.secret_ref)}/payload`, alice)).body).toHaveLength(32);
    const pair = await call('GET', `/v1/orders/${secretId((await call('POST', '/v1/orders', alice, { json: { type: 'asymmetric', meta: { algorithm: 'ec', bit_length: 384 } } })).json.order_ref)}`, alice);
    const container = await call('GET', `/v1/containers/${secretId(pair.json.container_ref)}`, alice);
    expect(container.json).toMatchObject({ type: 'rsa' });
    expect(container.json.secret_refs.map((r: any) => r.name).sort()).toEqual(['private_key', 'public_key']);
  });

  it.each([
    ['a weak RSA key', { type: 'asymmetric', meta: { algorithm: 'rsa', bit_length: 1024 } }, 'meta.bit_length'],
    ['a key order without algorithm', { type: 'key', meta: { bit_length: 256 } }, 'meta.algorithm'],
    ['a key size that is no multiple of 8', { type: 'key', meta: { algorithm: 'hmacsha256', bit_length: 100 } }, 'meta.bit_length'],
    ['a malformed subject DN', { type: 'certificate', meta: { subject_dn: 'just text' } }, 'meta.subject_dn'],
    ['a DN without CN', { type: 'certificate', meta: { subject_dn: 'o=Example' } }, 'meta.subject_dn'],
    ['a CN that names no host', { type: 'certificate', meta: { subject_dn: 'cn=Not A Host' } }, 'meta.subject_dn'],
    ['a garbage CSR', { type: 'certificate', meta: { request_type: 'simple-cmc', request_data: 'bm90IGEgY3Ny' } }, 'meta.request_data'],
    ['full CMC', { type: 'certificate', meta: { request_type: 'full-cmc' } }, 'Full CMC'],
    ['another CA', { type: 'certificate', meta: { subject_dn: 'cn=a.example', ca_id: '00000000-0000-4000-8000-000000000000' } }, 'ca_id'],
    ['an unknown order type', { type: 'magic', meta: {} }, 'type'],
  ])('refuses %s with a 400 naming the field and stores no order', async (_name, body, field) => {
    const before = (await call('GET', '/v1/orders?limit=1', alice)).json.total;
    const response = await call('POST', '/v1/orders', alice, { json: body });
    expect(response.status).toBe(400);
    expect(response.json.description).toContain(field);
    expect((await call('GET', '/v1/orders?limit=1', alice)).json.total).toBe(before);
  });
});

describe('ACLs and IAM', () => {
  it('grants reads to listed users of other projects, narrows reads inside the project, and refuses unknown users', async () => {
    const secret = (await call('POST', '/v1/secrets', alice, { json: { name: 'shared', payload: 'acl-payload', payload_content_type: 'text/plain' } })).json.secret_ref as string;
    const id = secretId(secret);
    const bob = await login('bob', otherProject.name);
    const carol = await login('carol', project.name);
    expect((await call('GET', `/v1/secrets/${id}/payload`, bob)).status).toBe(403);
    expect((await call('GET', `/v1/secrets/${id}/acl`, alice)).json).toEqual({ read: { 'project-access': true } });
    const unknown = await call('PUT', `/v1/secrets/${id}/acl`, alice, { json: { read: { users: ['nobody'] } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.description).toContain('read.users[0]');
    expect((await call('PUT', `/v1/secrets/${id}/acl`, alice, { json: { read: { users: ['bob'], 'project-access': false } } })).json.acl_ref).toBe(`${secret}/acl`);
    expect((await call('GET', `/v1/secrets/${id}/payload`, bob)).body.toString()).toBe('acl-payload');
    expect((await call('GET', `/v1/secrets/${id}/payload`, carol)).status).toBe(403); // same project, not listed
    expect((await call('GET', `/v1/secrets/${id}/payload`, alice)).status).toBe(200); // the creator
    expect((await call('DELETE', `/v1/secrets/${id}`, bob)).status).toBe(403); // a read grant only
    expect((await call('PATCH', `/v1/secrets/${id}/acl`, alice, { json: { read: { 'project-access': true } } })).status).toBe(200);
    expect((await call('GET', `/v1/secrets/${id}/acl`, alice)).json.read).toMatchObject({ 'project-access': true, users: ['bob'] });
    expect((await call('GET', `/v1/secrets/${id}/payload`, carol)).status).toBe(200);
    expect((await call('DELETE', `/v1/secrets/${id}/acl`, alice)).status).toBe(200);
    expect((await call('GET', `/v1/secrets/${id}/payload`, bob)).status).toBe(403);
  });

  it('needs an IAM policy: a user without one is refused with 403, and deny wins', async () => {
    const mallory = await login('mallory', project.name);
    const refused = await call('POST', '/v1/secrets', mallory, { json: { name: 'x' } });
    expect(refused.status).toBe(403);
    expect(refused.json.description).toContain('Secret creation attempt not allowed');
    await t.api('POST', '/iam/policy', { body: { name: 'carol-no-delete', identities: ['urn:v1:eu:identity:user:root/carol'], resources: [{ urn: `urn:v1:eu:resource:okms:${project.id}/*` }], permissions: { deny: [{ action: 'okms:apikms:secret/delete' }] } } });
    now = new Date(now.getTime() + 1100); // past the IAM snapshot's bound, on the injected clock
    const carol = await login('carol', project.name);
    const secret = (await call('POST', '/v1/secrets', carol, { json: { name: 'carols' } })).json.secret_ref as string;
    expect((await call('DELETE', `/v1/secrets/${secretId(secret)}`, carol)).status).toBe(403);
    expect((await call('DELETE', `/v1/secrets/${secretId(secret)}`, alice)).status).toBe(204);
  });

  it('makes another account\'s objects indistinguishable from missing ones', async () => {
    const tenant = (await t.api('POST', '/account', { body: { id: 'tenant' } })).json.token as string;
    const domain = (await t.api('POST', '/okms/resource', { body: { name: 'tenant-project' }, token: tenant })).json;
    await createBarbicanUser(t, 'trudy', PASSWORD, [domain.id], { account: 'tenant', token: tenant });
    const token = await keystoneToken(t, 'trudy', PASSWORD, { id: domain.id }, 'tenant');
    const mine = (await call('POST', '/v1/secrets', alice, { json: { name: 'root-only', payload: 'x', payload_content_type: 'text/plain' } })).json.secret_ref as string;
    expect((await call('GET', `/v1/secrets/${secretId(mine)}`, token)).status).toBe(404);
    expect((await call('POST', '/v1/secrets', token, { json: { name: 'tenant-secret' } })).status).toBe(201);
  });
});

describe('the Barbican API on the mTLS gateway', () => {
  const credential = async (name: string, identityURNs: string[]) => {
    const response = await t.api('POST', `/okms/resource/${project.id}/credential`, { body: { name, identityURNs } });
    expect(response.status).toBe(201);
    return { id: response.json.id as string, cert: response.json.certificatePEM as string, key: response.json.privateKeyPEM as string };
  };

  it('takes the access certificate as the login: its domain is the project, its identities go through IAM, every call is audited', async () => {
    const { mtlsCall } = await import('../helpers/mtls-client');
    const alice = await credential('alice-cert', ['urn:v1:eu:identity:user:root/alice']);
    const created = await mtlsCall(t, '/v1/secrets', { ...alice, method: 'POST', body: { name: 'over-mtls', payload: 'mtls-payload', payload_content_type: 'text/plain' } });
    expect(created.status).toBe(201);
    expect(created.json.secret_ref).toMatch(new RegExp(`^${t.okmsd.gatewayUrl}/v1/secrets/`));
    const id = secretId(created.json.secret_ref);
    const meta = await mtlsCall(t, `/v1/secrets/${id}`, alice);
    expect(meta.json).toMatchObject({ name: 'over-mtls', creator_id: 'alice' });
    // The same secret through the Keystone door: one store, one project.
    expect((await call('GET', `/v1/secrets/${id}/payload`, await login('alice', project.name))).body.toString()).toBe('mtls-payload');

    const nobody = await credential('no-policy', ['urn:v1:eu:identity:user:root/mallory']);
    const refused = await mtlsCall(t, '/v1/secrets', nobody);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 403, title: 'Forbidden' });
    expect((await mtlsCall(t, '/v1/secrets', {})).json).toMatchObject({ code: 401, description: expect.stringContaining('cert_missing') });
    expect((await t.api('DELETE', `/okms/resource/${project.id}/credential/${alice.id}`)).status).toBe(204);
    const revoked = await mtlsCall(t, `/v1/secrets/${id}`, alice);
    expect({ status: revoked.status, description: revoked.json.description }).toEqual({ status: 401, description: expect.stringContaining('cert_revoked') });

    const records: any[] = (await t.api('GET', '/audit?limit=1000')).json.map((e: any) => e.record);
    expect(records).toEqual(expect.arrayContaining([
      expect.objectContaining({ plane: 'gateway', action: 'POST /v1/secrets', decision: 'allow', domainId: project.id, identities: ['urn:v1:eu:identity:user:root/alice'] }),
      expect.objectContaining({ plane: 'gateway', action: 'GET /v1/secrets', decision: 'deny', status: 403 }),
    ]));
    // A refusal before the caller is known (here a revoked certificate) is counted, never stored one by one.
    expect(records).not.toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'cert_revoked' })]));
    expect((await t.api('GET', '/metrics', { token: null })).text).toMatch(/okmsd_unauthenticated_refusals_total\{plane="gateway",reason="cert_revoked"\} [1-9]/);
    expect((await mtlsCall(t, `/api/${project.id}/v1/random?length=8`, await credential('root', ['urn:v1:eu:identity:account:root']))).status).toBe(200); // the data plane is untouched
  });
});

describe('never a 500', () => {
  it('answers every Barbican and Keystone route with a 4xx for junk ids, bodies and headers', async () => {
    const document = (await t.api('GET', '/openapi.json')).json as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.keys(document.paths).filter((p) => p.startsWith('/v1') || p.startsWith('/v3'));
    expect(paths.length).toBeGreaterThan(15);
    const bodies: Array<{ raw: string; type: string }> = [
      { raw: '{"nonsense": true}', type: 'application/json' }, { raw: '[1,2', type: 'application/json' }, { raw: 'x'.repeat(70_000), type: 'text/plain' },
      { raw: '{"type": "certificate", "meta": {"request_type": "stored-key", "subject_dn": "cn=a.example", "container_ref": "not-a-ref"}}', type: 'application/json' },
      { raw: '{"read": {"users": [1]}}', type: 'application/json' }, { raw: 'payload', type: 'application/x-www-form-urlencoded' },
    ];
    const statuses = new Map<string, number>();
    for (const path of paths) {
      for (const method of Object.keys(document.paths[path]!)) {
        for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', '..%2F..']) {
          const concrete = path.replace(/\{[^}]+\}/g, id);
          for (const body of method === 'get' ? [undefined] : bodies) {
            const response = await fetch(`${t.okmsd.controlUrl}${concrete}`, {
              method: method.toUpperCase(),
              headers: { 'x-auth-token': alice, accept: 'application/weird', ...(body ? { 'content-type': body.type } : {}) },
              body: body?.raw,
            });
            statuses.set(`${method.toUpperCase()} ${concrete} ${body?.raw.slice(0, 20) ?? ''}`, response.status);
            await response.arrayBuffer();
          }
        }
      }
    }
    const failures = [...statuses].filter(([, status]) => status >= 500);
    expect(failures).toEqual([]);
    // The calls got past authentication to the checks they exercise.
    for (const expected of [400, 404, 413, 415]) expect([...statuses.values()]).toContain(expected);
    expect(t.logs.join('')).not.toMatch(/"level":50/);
  });
});
