import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { createDomain, removeDir, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { dropTestDatabases, testMongoUri } from '../helpers/mongo-server';
import { requireTools } from '../helpers/outside-tools';

const run = promisify(execFile);

/**
 * The certificate workflow with the real OpenStack clients from Debian (python-openstackclient 6 with
 * python-barbicanclient 5.4) against okmsd's Keystone and Barbican endpoints: store a certificate, its private key
 * and CA chain, bundle them in a certificate container, order a certificate and wait for ACTIVE, fetch everything
 * back byte-identical, and check expiry and key match with openssl, as an operator would.
 */
const mongoDatabase = `okmsd_openstack_${process.pid}`;
const stores: Array<[string, () => Record<string, string>]> = [
  ['embedded', () => ({})],
  ['mongodb', () => ({ OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: testMongoUri(mongoDatabase), OKMSD_MASTER_KEY: randomBytes(32).toString('base64') })],
];

describe.each(stores)('python-openstackclient and python-barbicanclient against okmsd (%s store)', (_store, storeEnv) => {
  let t: TestOkmsd;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const openstack = async (...args: string[]) => (await run('openstack', args, { env, cwd: work })).stdout.trim();
  const sh = (script: string) => execFileSync('bash', ['-c', script], { cwd: work, env, encoding: 'utf8' }).trim();
  const value = async (column: string, ...args: string[]) => openstack(...args, '-f', 'value', '-c', column);

  beforeAll(async () => {
    requireTools('openstack', 'barbican', 'openssl');
    t = await startTestOkmsd({ env: storeEnv() });
    const domain = await createDomain(t, 'lb-certificates');
    expect((await t.api('PUT', `/okms/resource/${domain.id}/name-policy`, { body: { allowedDomains: ['example.com'] } })).status).toBe(200);
    await t.api('POST', '/iam/user', { body: { login: 'ops', password: 'ops-passphrase-1234' } });
    await t.api('POST', '/iam/user', { body: { login: 'auditor', password: 'auditor-passphrase-1234' } });
    await t.api('POST', '/iam/policy', {
      body: {
        name: 'ops-certificates', identities: ['urn:v1:eu:identity:user:root/ops'],
        resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }, { urn: `urn:v1:eu:resource:okms:${domain.id}/*` }],
        permissions: { allow: [{ action: 'okms:apikms:secret/*' }, { action: 'okms:apikms:container/*' }, { action: 'okms:apikms:order/*' }, { action: 'okms:apikms:ca/get' }] },
      },
    });
    work = mkdtempSync(join(tmpdir(), 'okmsd-openstack-'));
    env = {
      PATH: process.env.PATH, HOME: work, LANG: 'C.UTF-8',
      OS_AUTH_URL: `${t.okmsd.controlUrl}/v3`, OS_IDENTITY_API_VERSION: '3', OS_AUTH_TYPE: 'password',
      OS_USERNAME: 'ops', OS_PASSWORD: 'ops-passphrase-1234', OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_NAME: 'lb-certificates', OS_PROJECT_DOMAIN_NAME: 'Default',
    };
    // An externally issued certificate: a CA, an intermediate chain file and a server certificate with its key.
    sh(`openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=Example Root CA" 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=www.example.com" 2>/dev/null
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 90 2>/dev/null
        cp ca.crt ca-chain.pem`);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
    if (work) removeDir(work);
    await dropTestDatabases(mongoDatabase);
  });

  it('stores certificate, key and chain, bundles them in a certificate container, and gives them back byte-identical', async () => {
    const cert = await value('Secret href', 'secret', 'store', '--name', 'www-cert', '--secret-type', 'certificate', '--payload-content-type', 'application/pkix-cert',
      '--payload-content-encoding', 'base64', '--payload', readFileSync(join(work, 'server.crt')).toString('base64'));
    const key = await value('Secret href', 'secret', 'store', '--name', 'www-key', '--secret-type', 'private', '--payload-content-type', 'application/octet-stream',
      '--payload-content-encoding', 'base64', '--payload', readFileSync(join(work, 'server.key')).toString('base64'));
    const chain = await value('Secret href', 'secret', 'store', '--name', 'www-chain', '--secret-type', 'certificate', '--payload-content-type', 'application/pkix-cert',
      '--payload-content-encoding', 'base64', '--payload', readFileSync(join(work, 'ca-chain.pem')).toString('base64'));
    expect(cert).toMatch(new RegExp(`^${t.okmsd.controlUrl}/v1/secrets/[0-9a-f-]{36}$`));

    const container = await value('Container href', 'secret', 'container', 'create', '--name', 'www-tls', '--type', 'certificate',
      '--secret', `certificate=${cert}`, '--secret', `private_key=${key}`, '--secret', `intermediates=${chain}`);
    expect(await value('Certificate', 'secret', 'container', 'get', container)).toBe(cert);
    expect(await value('Private Key', 'secret', 'container', 'get', container)).toBe(key);
    expect(await value('Intermediates', 'secret', 'container', 'get', container)).toBe(chain);

    for (const [ref, file] of [[cert, 'server.crt'], [key, 'server.key'], [chain, 'ca-chain.pem']] as const) {
      await openstack('secret', 'get', ref, '--file', `back-${file}`);
      expect(readFileSync(join(work, `back-${file}`)).equals(readFileSync(join(work, file)))).toBe(true);
    }
    // The operator's checks on what came back: expiry, and that the key belongs to the certificate.
    expect(sh('openssl x509 -enddate -noout -in back-server.crt')).toBe(sh('openssl x509 -enddate -noout -in server.crt'));
    expect(sh('openssl x509 -noout -modulus -in back-server.crt | openssl md5')).toBe(sh('openssl rsa -noout -modulus -in back-server.key | openssl md5'));
    expect(sh('openssl verify -CAfile back-ca-chain.pem back-server.crt')).toBe('back-server.crt: OK');

    const listed = await openstack('secret', 'list', '-f', 'value', '-c', 'Name');
    expect(listed.split('\n').sort()).toEqual(['www-chain', 'www-cert', 'www-key'].sort());
    expect(await openstack('secret', 'container', 'list', '-f', 'value', '-c', 'Name')).toBe('www-tls');
  }, 120_000);

  it('orders a certificate from the domain CA, waits for ACTIVE and checks it with openssl', async () => {
    const order = await value('Order href', 'secret', 'order', 'create', 'certificate', '--algorithm', 'rsa', '--bit-length', '2048', '--subject-dn', 'cn=lb.example.com,o=Example');
    let status = '';
    for (let i = 0; i < 20 && status !== 'ACTIVE'; i += 1) {
      status = await value('Status', 'secret', 'order', 'get', order);
      if (status !== 'ACTIVE') await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe('ACTIVE');
    const container = await value('Container href', 'secret', 'order', 'get', order);
    await openstack('secret', 'get', await value('Certificate', 'secret', 'container', 'get', container), '--file', 'lb.crt');
    await openstack('secret', 'get', await value('Private Key', 'secret', 'container', 'get', container), '--file', 'lb.key');
    await openstack('secret', 'get', await value('Intermediates', 'secret', 'container', 'get', container), '--file', 'lb-chain.pem');
    expect(sh('openssl x509 -noout -subject -nameopt RFC2253 -in lb.crt')).toBe('subject=CN=lb.example.com,O=Example'); // the DN as it was written (RFC 4514)
    expect(sh('openssl x509 -noout -modulus -in lb.crt | openssl md5')).toBe(sh('openssl rsa -noout -modulus -in lb.key | openssl md5'));
    expect(sh('openssl verify -CAfile lb-chain.pem -purpose sslserver lb.crt')).toBe('lb.crt: OK');
    const days = Number(sh(`echo $(( ( $(date -d "$(openssl x509 -enddate -noout -in lb.crt | cut -d= -f2)" +%s) - $(date +%s) ) / 86400 ))`));
    expect(days).toBeGreaterThan(300);
    expect(await openstack('ca', 'list', '-f', 'value', '-c', 'Plugin Name')).toBe('okmsd');
  }, 120_000);

  it('works through the barbican CLI too, and prints Barbican errors as title: description', async () => {
    const ref = (await run('barbican', ['secret', 'store', '--name', 'via-barbican', '--payload', 'plain text', '-f', 'value', '-c', 'Secret href'], { env, cwd: work })).stdout.trim();
    const payload = (await run('barbican', ['secret', 'get', ref, '--payload', '-f', 'value'], { env, cwd: work })).stdout.trim();
    expect(payload).toBe('plain text');
    const failed = await run('openstack', ['secret', 'store', '--name', 'broken', '--payload-content-type', 'application/octet-stream', '--payload-content-encoding', 'base64', '--payload', '%%%'], { env, cwd: work }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toContain('Bad Request: payload: is not valid base64');
    const denied = await run('openstack', ['secret', 'list'], { env: { ...env, OS_USERNAME: 'auditor', OS_PASSWORD: 'auditor-passphrase-1234' }, cwd: work }).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(denied?.stderr).toContain('Forbidden');
  }, 120_000);
});
