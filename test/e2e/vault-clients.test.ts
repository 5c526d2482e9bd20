import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDomain, createUsers, removeDir, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';

/**
 * Real Vault clients against okmsd's Vault KV v2 API (tools/vault-clients/install.sh builds them; .ci/run calls it):
 * hvac, the Python client, through every KV v2 call over mTLS and with a personal access token; and the official Go
 * client (github.com/hashicorp/vault/api), reading with X-Vault-Token as External Secrets Operator does, with
 * VAULT_ADDR=https://<gateway>/api/<okmsId>. They are never skipped: without them the suite fails.
 */
const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
let t: TestOkmsd;
let work: string;
let clients: string;
let domain: { id: string };
let token: string;
let env: Record<string, string>;

beforeAll(async () => {
  clients = (await run('bash', [join(ROOT, 'tools', 'vault-clients', 'install.sh')], { encoding: 'utf8', maxBuffer: 1 << 24 })).stdout.trim().split('\n').pop()!;
  work = tempDir('okmsd-vault-clients-');
  t = await startTestOkmsd();
  domain = await createDomain(t, 'vault-clients');
  await createUsers(t, 'eso');
  await t.api('POST', '/iam/policy', { body: { name: 'eso-secrets', identities: [rootUrn('eso')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}/*` }, { urn: `urn:v1:eu:resource:okms:${domain.id}` }], permissions: { allow: [{ action: 'okms:apikms:secret/*' }] } } });
  token = (await t.api('POST', '/iam/user/eso/token', { body: { description: 'external-secrets' } })).json.token;
  const credential = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'hvac', identityURNs: [rootUrn()] } })).json;
  writeFileSync(join(work, 'client.crt'), credential.certificatePEM);
  writeFileSync(join(work, 'client.key'), credential.privateKeyPEM, { mode: 0o600 });
  writeFileSync(join(work, 'ca.pem'), t.okmsd.gatewayCaPEM);
  env = { PATH: process.env.PATH ?? '', HOME: work, VAULT_ADDR: `${t.okmsd.gatewayUrl}/api/${domain.id}`, VAULT_CACERT: join(work, 'ca.pem') };
}, 600_000);
afterAll(async () => {
  await t?.dispose();
  if (work) removeDir(work);
});

const hvac = async (path: string, auth: Record<string, string>) => {
  const { stdout } = await run(join(clients, 'venv', 'bin', 'python'), [join(ROOT, 'tools', 'vault-clients', 'hvac-run.py'), path], { env: { ...env, ...auth }, encoding: 'utf8' });
  return JSON.parse(stdout) as Record<string, unknown>;
};
const goReader = async (command: string, path: string) => {
  const { stdout } = await run(join(clients, 'bin', 'go-reader'), [command, path], { env: { ...env, VAULT_TOKEN: token }, encoding: 'utf8' });
  return JSON.parse(stdout) as unknown;
};

const EXPECTED = {
  put: 1, put_cas: 2, stale_cas: 'refused', get: { user: 'app', password: 'rotated' }, get_v1: { user: 'app', password: 's3cret' }, patch: 3,
  after_patch: { user: 'app', password: 'rotated', port: '5432' }, after_delete: 'deleted', after_undelete: { user: 'app', password: 'rotated', port: '5432' },
  metadata: { max_versions: 7, current_version: 3, custom_metadata: { owner: 'payments' }, v1_destroyed: true }, subkeys: { user: null, password: null, port: null }, after_metadata_delete: 'gone',
};

describe('real Vault clients against the Vault KV v2 API', () => {
  it('hvac over mTLS: put, cas, get, patch, list, delete, undelete, destroy, metadata, subkeys, metadata delete', async () => {
    const seen = await hvac('apps/db', { CLIENT_CERT: join(work, 'client.crt'), CLIENT_KEY: join(work, 'client.key') });
    expect(seen).toEqual({ ...EXPECTED, list: ['db', 'db/'] });
  });

  it('hvac with a personal access token (X-Vault-Token), no client certificate', async () => {
    const seen = await hvac('tokens/db', { VAULT_TOKEN: token });
    expect(seen).toEqual({ ...EXPECTED, list: ['db', 'db/'] });
  });

  it('the official Go client reads with X-Vault-Token what the OKMS Secret Manager wrote, lists, writes and patches', async () => {
    const { certificatePEM: cert, privateKeyPEM: key } = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'okms', identityURNs: [rootUrn()] } })).json;
    const created = await mtlsCall(t, `/api/${domain.id}/v2/secret`, { method: 'POST', cert, key, body: { path: 'eso/app', version: { data: { apiKey: 'k-123', nested: { a: 1 } } } } });
    expect(created.status).toBe(200);
    expect(await goReader('read', 'eso/app')).toEqual({ data: { apiKey: 'k-123', nested: { a: 1 } }, version: 1 });
    expect(await goReader('list', 'eso')).toEqual(['app']);
    expect(await goReader('write-read', 'eso/go')).toEqual({ data: { written: 'by-go', patched: true }, version: 2 });
    await expect(goReader('read', 'eso/missing')).rejects.toThrow(/secret not found|404/);
  });

  it('refuses a revoked token at once, in Vault\'s error body', async () => {
    const revocable = (await t.api('POST', '/iam/user/eso/token', { body: {} })).json;
    expect((await t.api('DELETE', `/iam/user/eso/token/${revocable.id}`)).status).toBe(204);
    const refused = await mtlsCall(t, `/api/${domain.id}/v1/secret/data/eso/app`, { headers: { 'x-vault-token': revocable.token } });
    expect([refused.status, refused.json]).toEqual([401, { errors: [expect.stringContaining('token_invalid')] }]);
  });
});
