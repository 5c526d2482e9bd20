import { createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';

let t: TestOkmsd;
let domain: { id: string; publicCA: string };
const ENCRYPT = 'okms:apikms:serviceKey/encrypt';
const user = (login: string) => `urn:v1:eu:identity:user:root/${login}`;
const keyUrn = (id: string) => `urn:v1:eu:resource:okms:${domain.id}/serviceKey/${id}`;

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'iam');
});
afterAll(async () => {
  await t.dispose();
});

async function credential(name: string, identityURNs: string[], d = domain) {
  const response = await t.api('POST', `/okms/resource/${d.id}/credential`, { body: { name, identityURNs } });
  expect(response.status).toBe(201);
  return response.json as { id: string; certificatePEM: string };
}

const explain = async (body: Record<string, unknown>) => t.api('POST', '/iam/explain', { body: { okmsId: domain.id, action: ENCRYPT, ...body } });

describe('IAM entities', () => {
  it('users: create (password stored hashed, never shown), get, list, update, delete', async () => {
    const created = await t.api('POST', '/iam/user', { body: { login: 'alice', email: 'alice@example.com', description: 'dev', password: 'correct horse battery staple' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ login: 'alice', urn: user('alice'), email: 'alice@example.com', passwordSet: true });
    expect(created.text).not.toContain('correct horse');
    expect(created.text).not.toContain('scrypt');
    expect((await t.api('POST', '/iam/user', { body: { login: 'alice' } })).status).toBe(409);
    const updated = await t.api('PUT', '/iam/user/alice', { body: { email: 'alice@corp.example' } });
    expect(updated.json).toMatchObject({ email: 'alice@corp.example', description: 'dev', passwordSet: true });
    const listed = (await t.api('GET', '/iam/user')).json as Array<{ login: string }>;
    expect(listed.map((u) => u.login)).toContain('alice');
    await t.api('POST', '/iam/user', { body: { login: 'temp' } });
    expect((await t.api('DELETE', '/iam/user/temp')).status).toBe(204);
    expect((await t.api('GET', '/iam/user/temp')).json).toMatchObject({ code: 'ERR_NOT_FOUND', field: 'login' });
  });

  it('groups and service accounts; members must be users or service accounts of the account', async () => {
    const sa = await t.api('POST', '/iam/serviceAccount', { body: { id: 'ci-runner', name: 'CI' } });
    expect(sa.json).toMatchObject({ id: 'ci-runner', urn: 'urn:v1:eu:identity:credential:root/ci-runner' });
    const generated = await t.api('POST', '/iam/serviceAccount', { body: { name: 'generated' } });
    expect(generated.json.id).toMatch(/^sa-[0-9a-f]{12}$/);
    const ops = await t.api('POST', '/iam/group', { body: { name: 'ops', members: [user('alice'), 'urn:v1:eu:identity:credential:root/ci-runner'] } });
    expect(ops.status).toBe(201);
    expect(ops.json).toMatchObject({ name: 'ops', urn: 'urn:v1:eu:identity:group:root/ops' });
    const foreign = await t.api('POST', '/iam/group', { body: { name: 'bad', members: ['urn:v1:eu:identity:user:globex/eve'] } });
    expect(foreign.json).toMatchObject({ code: 'ERR_IDENTITY_NOT_OWNED', field: 'members[0]' });
    const nested = await t.api('POST', '/iam/group', { body: { name: 'bad', members: ['urn:v1:eu:identity:group:root/ops'] } });
    expect(nested.json).toMatchObject({ code: 'ERR_URN_INVALID', field: 'members[0]' });
  });

  it('policies take the OVH IAM v2 body and refuse what they cannot mean', async () => {
    const body = {
      name: 'ops-encrypt',
      description: 'ops may encrypt',
      identities: ['urn:v1:eu:identity:group:root/ops'],
      resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }],
      permissions: { allow: [{ action: 'okms:apikms:serviceKey/*' }], except: [{ action: 'okms:apikms:serviceKey/delete' }], deny: [] },
    };
    const created = await t.api('POST', '/iam/policy', { body });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ ...body, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const bad = async (patch: Record<string, unknown>) => (await t.api('POST', '/iam/policy', { body: { ...body, ...patch } })).json;
    expect(await bad({ identities: ['urn:v1:eu:identity:user:globex/eve'] })).toMatchObject({ code: 'ERR_IDENTITY_NOT_OWNED', field: 'identities[0]' });
    expect(await bad({ resources: [{ urn: 'arn:aws:kms:x' }] })).toMatchObject({ code: 'ERR_URN_INVALID', field: 'resources[0].urn' });
    expect(await bad({ permissions: { allow: [{ action: 'kms:Encrypt' }] } })).toMatchObject({ code: 'ERR_VALIDATION', field: 'permissions.allow[0].action' });
    expect(await bad({ conditions: { sourceIps: ['10.0.0.0/33'] } })).toMatchObject({ code: 'ERR_VALIDATION', field: 'conditions.sourceIps[0]' });
    expect(await bad({ permissions: { allow: 'everything' } })).toMatchObject({ code: 'ERR_VALIDATION', field: 'permissions.allow' });
  });
});

describe('POST /iam/explain', () => {
  it('allows through a group, explains which policy, and stops once the group is deleted', async () => {
    await t.api('POST', '/iam/user', { body: { login: 'bob' } });
    await t.api('POST', '/iam/group', { body: { name: 'crypto', members: [user('bob')] } });
    await t.api('POST', '/iam/policy', {
      body: { name: 'crypto-encrypt', identities: ['urn:v1:eu:identity:group:root/crypto'], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }], permissions: { allow: [{ action: ENCRYPT }] } },
    });
    const bob = await credential('bob', [user('bob')]);
    const allowed = await explain({ credentialId: bob.id, resource: keyUrn('k1') });
    expect(allowed.status).toBe(200);
    expect(allowed.json).toMatchObject({
      allowed: true,
      reason: 'allowed_by_policy',
      identities: { certificate: [user('bob')], effective: [user('bob'), 'urn:v1:eu:identity:group:root/crypto'], ignored: [] },
      policies: [{ name: 'crypto-encrypt', outcome: 'allow' }],
    });
    const sign = await explain({ credentialId: bob.id, action: 'okms:apikms:serviceKey/sign' });
    expect(sign.json).toMatchObject({ allowed: false, reason: 'no_policy_allows', policies: [{ outcome: 'action_not_listed' }] });

    expect((await t.api('DELETE', '/iam/group/crypto')).status).toBe(204);
    const after = await explain({ credentialId: bob.id });
    expect(after.json).toMatchObject({ allowed: false, reason: 'no_policy_allows', identities: { effective: [user('bob')] } });
  });

  it('a deleted user stops counting on the next call', async () => {
    await t.api('POST', '/iam/user', { body: { login: 'carol' } });
    await t.api('POST', '/iam/policy', {
      body: { name: 'carol', identities: [user('carol')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }], permissions: { allow: [{ action: 'okms:apikms:*' }] } },
    });
    const carol = await credential('carol', [user('carol')]);
    expect((await explain({ credentialId: carol.id })).json.allowed).toBe(true);
    await t.api('DELETE', '/iam/user/carol');
    const after = (await explain({ credentialId: carol.id })).json;
    expect(after).toMatchObject({ allowed: false, identities: { effective: [], ignored: [{ urn: user('carol'), reason: 'no such user' }] } });
  });

  it('the root identity bypasses IAM; a certificate PEM can be explained too', async () => {
    const root = await credential('root', [rootUrn()]);
    expect((await explain({ credentialId: root.id })).json).toMatchObject({ allowed: true, reason: 'root_identity' });
    expect((await explain({ certificatePEM: root.certificatePEM })).json).toMatchObject({ allowed: true, reason: 'root_identity' });
  });

  it("a certificate of another domain, or a resource of another domain, is never allowed", async () => {
    const other = await createDomain(t, 'other');
    const foreign = await credential('foreign-root', [rootUrn()], other);
    expect((await explain({ certificatePEM: foreign.certificatePEM })).json).toMatchObject({ allowed: false, reason: 'wrong_domain' });
    const root = await credential('root2', [rootUrn()]);
    const crossResource = await explain({ credentialId: root.id, resource: `urn:v1:eu:resource:okms:${other.id}` });
    expect(crossResource.json).toMatchObject({ allowed: false, reason: 'wrong_domain' });
  });

  it('refuses unknown actions and half-specified requests', async () => {
    expect((await explain({ certificatePEM: 'x', action: 'okms:apikms:nothing' })).json).toMatchObject({ code: 'ERR_VALIDATION', field: 'action' });
    expect((await explain({})).json).toMatchObject({ code: 'ERR_VALIDATION' });
    expect((await explain({ certificatePEM: 'not a certificate' })).json).toMatchObject({ code: 'ERR_VALIDATION', field: 'certificatePEM' });
  });
});

describe('IAM is per account', () => {
  it("another account sees none of root's entities", async () => {
    const acme = (await t.api('POST', '/account', { body: { id: 'acme-iam' } })).json.token as string;
    expect((await t.api('GET', '/iam/user', { token: acme })).json).toEqual([]);
    expect((await t.api('GET', '/iam/user/alice', { token: acme })).status).toBe(404);
    const mine = await t.api('POST', '/iam/user', { body: { login: 'alice' }, token: acme });
    expect(mine.json.urn).toBe('urn:v1:eu:identity:user:acme-iam/alice');
  });
});
