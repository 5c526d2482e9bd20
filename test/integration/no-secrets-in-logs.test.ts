import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, createDomain, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';

/**
 * Feeds secrets through every endpoint that takes or returns one — admin tokens, passwords, private keys
 * (generated and imported), plaintexts, data keys, signatures' messages — then searches every log line, every
 * audit record and the store's files for them.
 */
describe('no secret reaches the logs, the audit log or the store in clear', () => {
  let t: TestOkmsd;
  const secrets: Array<[string, string]> = [];

  beforeAll(async () => {
    t = await startTestOkmsd();
    const domain = await createDomain(t, 'secrets');
    const account = await t.api('POST', '/account', { body: { id: 'tenant' } });
    secrets.push(['account token', account.json.token], ['root admin token (sent on every call)', ADMIN_TOKEN]);
    const password = `pw-${randomBytes(12).toString('hex')}`;
    await t.api('POST', '/iam/user', { body: { login: 'carol', password } });
    await t.api('PUT', '/iam/user/carol', { body: { password: `${password}-2` } });
    secrets.push(['password', password], ['new password', `${password}-2`]);
    const cred = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'c', identityURNs: [rootUrn()] } })).json;
    secrets.push(['credential private key', cred.privateKeyPEM.split('\n')[1]]);
    const mtls = { cert: cred.certificatePEM as string, key: cred.privateKeyPEM as string };
    const api = (method: string, path: string, body?: unknown) => mtlsCall(t, `/api/${domain.id}/v1${path}`, { ...mtls, method, body });

    const key = (await api('POST', '/servicekey', { name: 'k', type: 'oct' })).json.id;
    const plaintext = `plain-${randomBytes(16).toString('hex')}`;
    await api('POST', `/servicekey/${key}/encrypt`, { plaintext: Buffer.from(plaintext).toString('base64'), context: 'ctx' });
    secrets.push(['plaintext (base64)', Buffer.from(plaintext).toString('base64')], ['plaintext', plaintext]);
    const dataKey = (await api('POST', `/servicekey/${key}/datakey`, { size: 256 })).json;
    secrets.push(['data key', dataKey.plaintext]);
    await api('POST', `/servicekey/${key}/decrypt`, { ciphertext: 'not.a.valid.jwe.token', context: 'ctx' }); // a failure, logged
    const imported = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    await api('POST', '/servicekey', { name: 'imp', keys: [imported] });
    secrets.push(['imported JWK d', String(imported.d)]);
    const oct = randomBytes(32).toString('base64url');
    await api('POST', '/servicekey', { name: 'imp-oct', keys: [{ kty: 'oct', k: oct }] });
    secrets.push(['imported oct k', oct]);
    // A failing request that carries a secret in its body.
    await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'bad', identityURNs: ['nope'], csr: cred.privateKeyPEM } });
    await t.stop();
  });
  afterAll(() => removeDir(t.dataDir));

  it('has fed at least 10 secrets', () => expect(secrets.length).toBeGreaterThanOrEqual(10));

  it('no log line holds any of them', () => {
    const logs = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThan(10);
    for (const [what, secret] of secrets) expect({ what, found: logs.includes(secret) }).toEqual({ what, found: false });
  });

  it('no store file (audit records included) holds any of them', () => {
    const files = readdirSync(t.dataDir).filter((f) => f.startsWith('okmsd.sqlite')).map((f) => readFileSync(join(t.dataDir, f)));
    expect(files.length).toBeGreaterThan(0);
    for (const [what, secret] of secrets) {
      for (const content of files) expect({ what, found: content.includes(Buffer.from(secret)) }).toEqual({ what, found: false });
    }
  });
});
