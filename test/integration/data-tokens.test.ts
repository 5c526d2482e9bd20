import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, createDomain, createUsers, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';

let t: TestOkmsd;
let now = new Date('2026-12-01T12:00:00Z');
let domain: { id: string };
let keyId: string;

const b64 = (text: string) => Buffer.from(text).toString('base64');
const encrypt = (token: string, header: 'bearer' | 'vault' = 'bearer', okmsId = domain.id) =>
  mtlsCall(t, `/api/${okmsId}/v1/servicekey/${keyId}/encrypt`, { method: 'POST', body: { plaintext: b64('hello') }, headers: header === 'bearer' ? { authorization: `Bearer ${token}` } : { 'x-vault-token': token } });
const newToken = async (login: string, body: unknown = {}) => {
  const created = await t.api('POST', `/iam/user/${login}/token`, { body });
  expect(created.status).toBe(201);
  return created.json as { id: string; token: string; expiresAt: string | null; identityURN: string };
};

beforeAll(async () => {
  t = await startTestOkmsd({ clock: () => now });
  domain = await createDomain(t, 'tokens');
  await createUsers(t, 'alice', 'bob');
  const policy = await t.api('POST', '/iam/policy', {
    body: { name: 'alice-encrypts', identities: ['urn:v1:eu:identity:user:root/alice'], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }, { urn: `urn:v1:eu:resource:okms:${domain.id}/*` }], permissions: { allow: [{ action: 'okms:apikms:serviceKey/encrypt' }] } },
  });
  expect(policy.status).toBe(201);
  const { cert, key } = await issueRoot();
  keyId = (await mtlsCall(t, `/api/${domain.id}/v1/servicekey`, { method: 'POST', cert, key, body: { name: 'k' } })).json.id;
});
afterAll(() => t.dispose());

async function issueRoot() {
  const credential = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'root', identityURNs: ['urn:v1:eu:identity:account:root'] } });
  return { cert: credential.json.certificatePEM as string, key: credential.json.privateKeyPEM as string };
}

describe('personal access tokens on the data plane', () => {
  it("speak for their user on the gateway's TLS port without a client certificate, by Bearer and by X-Vault-Token, through IAM", async () => {
    const alice = await newToken('alice', { description: 'ci' });
    expect(alice.token).toMatch(/^okmsd-pat\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(alice.identityURN).toBe('urn:v1:eu:identity:user:root/alice');
    for (const header of ['bearer', 'vault'] as const) {
      const encrypted = await encrypt(alice.token, header);
      expect([header, encrypted.status]).toEqual([header, 200]);
      expect(encrypted.json.ciphertext).toEqual(expect.any(String));
    }
    // IAM decides as for a certificate naming alice: she may encrypt, not decrypt; bob may do nothing.
    const decrypt = await mtlsCall(t, `/api/${domain.id}/v1/servicekey/${keyId}/decrypt`, { method: 'POST', body: { ciphertext: 'a.b.c' }, headers: { authorization: `Bearer ${alice.token}` } });
    expect([decrypt.status, decrypt.json.reason]).toEqual([403, 'identity_not_authorized']);
    const bob = await newToken('bob');
    expect((await encrypt(bob.token)).status).toBe(403);
    // Listed without the secret; the audit record names the token, never its secret.
    const listed = await t.api('GET', '/iam/user/alice/token');
    expect(listed.json).toEqual([{ id: alice.id, description: 'ci', createdAt: now.toISOString(), expiresAt: null, identityURN: alice.identityURN }]);
    const audit = await t.api('GET', '/audit?limit=1000');
    const entries = JSON.stringify(audit.json);
    expect(entries).toContain(`"tokenId":"${alice.id}"`);
    expect(entries).not.toContain(alice.token.split('.')[2]);
  });

  it('is refused at once when revoked, once expired, for another account, for a re-created user, and never in the place of an admin token (and back)', async () => {
    const token = await newToken('alice', { expiresInSeconds: 3600 });
    expect((await encrypt(token.token)).status).toBe(200);
    now = new Date(now.getTime() + 3601_000);
    const expired = await encrypt(token.token);
    expect([expired.status, expired.json.reason]).toEqual([401, 'token_invalid']);

    const revoked = await newToken('alice');
    expect((await encrypt(revoked.token)).status).toBe(200);
    expect((await t.api('DELETE', `/iam/user/bob/token/${revoked.id}`)).status).toBe(404); // another user's token
    expect((await t.api('DELETE', `/iam/user/alice/token/${revoked.id}`)).status).toBe(204);
    expect((await encrypt(revoked.token)).json.reason).toBe('token_invalid');

    const forged = `${revoked.token.slice(0, -4)}AAAA`;
    expect((await encrypt(forged)).status).toBe(401);
    expect((await encrypt('not-a-token')).status).toBe(401);
    expect((await mtlsCall(t, `/api/${domain.id}/v1/servicekey/${keyId}/encrypt`, { method: 'POST', body: { plaintext: b64('x') }, headers: { authorization: 'Basic YTpi' } })).json.reason).toBe('token_invalid');

    // An admin token is no data-plane token, and a data-plane token administers nothing.
    expect((await encrypt(ADMIN_TOKEN)).status).toBe(401);
    const live = await newToken('alice');
    expect((await t.api('GET', '/okms/resource', { token: live.token })).status).toBe(401);
    expect((await t.api('GET', '/token')).json.map((x: { id: string }) => x.id)).not.toContain(live.id);

    // Another account's domain: the token belongs to root, not to it.
    const other = await t.api('POST', '/account', { body: { id: 'globex' } });
    expect(other.status).toBe(201);
    const otherDomain = await createDomain(t, 'globex-domain', other.json.token);
    expect((await encrypt(live.token, 'bearer', otherDomain.id)).json.reason).toBe('wrong_domain');

    // The user deleted and re-created: the old token does not speak for the new one.
    expect((await t.api('DELETE', '/iam/user/alice')).status).toBe(204);
    await createUsers(t, 'alice');
    expect((await encrypt(live.token)).json.reason).toBe('token_invalid');
  });

  it('refuses bad input with a 400 naming the field, and tokens for identities that do not exist', async () => {
    expect((await t.api('POST', '/iam/user/alice/token', { body: { expiresInSeconds: 5 } })).json.field).toBe('expiresInSeconds');
    expect((await t.api('POST', '/iam/user/alice/token', { body: { scope: 'all' } })).status).toBe(400);
    expect((await t.api('POST', '/iam/user/nobody/token', { body: {} })).json.field).toBe('login');
    expect((await t.api('POST', '/iam/serviceAccount/nobody/token', { body: {} })).json.field).toBe('id');
  });

  it('stores only the hash: no token secret in the data directory', async () => {
    const token = await newToken('alice');
    const secret = token.token.split('.')[2]!;
    for (const name of readdirSync(t.dataDir)) {
      const path = join(t.dataDir, name);
      try {
        expect(readFileSync(path).includes(Buffer.from(secret))).toBe(false);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EISDIR') throw error;
      }
    }
  });
});
