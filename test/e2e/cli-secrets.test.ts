import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { requireBuiltCli, runCli } from '../helpers/cli-runner';
import { createBarbicanUser, keystoneToken } from '../helpers/barbican';
import { createDomain, removeDir, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';


/** `okmsd secret …`: the Barbican API from the built CLI, logged in as an IAM user, files stored and fetched byte for byte. */
let t: TestOkmsd;
const work = tempDir('okmsd-cli-secrets-');
let env: Record<string, string>;

const okmsd = (...args: string[]) => runCli(args, { cwd: work, env });
const json = async (...args: string[]): Promise<any> => {
  const result = await okmsd(...args, '--output', 'json');
  if (result.code !== 0) throw new Error(`okmsd ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
};

beforeAll(async () => {
  requireBuiltCli();
  t = await startTestOkmsd();
  const domain = await createDomain(t, 'cli-secrets');
  expect((await t.api('PUT', `/okms/resource/${domain.id}/name-policy`, { body: { allowedDomains: ['cli.example'] } })).status).toBe(200);
  await createBarbicanUser(t, 'deployer', 'deployer-passphrase', [domain.id]);
  env = { PATH: process.env.PATH!, XDG_CONFIG_HOME: work, OKMSD_URL: t.okmsd.controlUrl, OS_USERNAME: 'deployer', OKMSD_PASSWORD: 'deployer-passphrase', OS_PROJECT_NAME: 'cli-secrets' };
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.crt', '-days', '30', '-subj', '/CN=cli.example'], { cwd: work, stdio: 'pipe' });
  execFileSync('openssl', ['x509', '-in', 'tls.crt', '-outform', 'DER', '-out', 'tls.der'], { cwd: work, stdio: 'pipe' });
});
afterAll(async () => {
  await t.dispose();
  removeDir(work);
});

describe('okmsd secret', () => {
  it('stores PEM and DER files, gives them back byte for byte, bundles them, and refuses to delete what a consumer uses', async () => {
    const cert = await json('secret', 'store', '--file', 'tls.crt', '--type', 'certificate', '--name', 'cli-cert');
    const der = await json('secret', 'store', '--file', 'tls.der', '--type', 'certificate', '--name', 'cli-cert-der');
    const key = await json('secret', 'store', '--file', 'tls.key', '--type', 'private', '--name', 'cli-key');
    expect(cert).toMatchObject({ name: 'cli-cert', secret_type: 'certificate', content_types: { default: 'application/pkix-cert' } });
    for (const [secret, file] of [[cert, 'tls.crt'], [der, 'tls.der'], [key, 'tls.key']] as const) {
      await json('secret', 'get', secret.secret_ref, '--out', `back-${file}`);
      expect(readFileSync(join(work, `back-${file}`)).equals(readFileSync(join(work, file)))).toBe(true);
    }
    expect(statSync(join(work, 'back-tls.key')).mode & 0o777).toBe(0o600);
    expect(((await json('secret', 'list')) as Array<{ name: string }>).map((s) => s.name)).toEqual(expect.arrayContaining(['cli-cert', 'cli-cert-der', 'cli-key']));

    const container = await json('secret', 'container', 'create', '--type', 'certificate', '--name', 'cli-tls', '--secret', `certificate=${cert.secret_ref}`, '--secret', `private_key=${key.secret_ref}`);
    expect(container.secret_refs).toHaveLength(2);
    const token = await keystoneToken(t, 'deployer', 'deployer-passphrase', { name: 'cli-secrets' });
    await fetch(`${container.container_ref}/consumers`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'lb', URL: 'https://lb.example' }) });
    const refused = await okmsd('secret', 'container', 'delete', container.container_ref);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('Conflict: Container has consumers: lb https://lb.example');
    expect((await okmsd('secret', 'delete', key.secret_ref)).code).toBe(5);
    expect((await okmsd('secret', 'container', 'delete', container.container_ref, '--force')).code).toBe(0);
  });

  it('orders a certificate and reports the finished order', async () => {
    const order = await json('secret', 'order', 'certificate', '--subject-dn', 'cn=api.cli.example', '--algorithm', 'ec', '--bit-length', '256');
    expect(order).toMatchObject({ type: 'certificate', status: 'ACTIVE', container_ref: expect.stringContaining('/v1/containers/') });
  });

  it('says what is missing when it cannot log in, and exits 3 on a wrong password', async () => {
    const saved = env;
    try {
      env = { PATH: process.env.PATH!, XDG_CONFIG_HOME: work, OKMSD_URL: t.okmsd.controlUrl };
      const usage = await okmsd('secret', 'list');
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('--user and --project');
      env = { ...saved, OKMSD_PASSWORD: 'wrong' };
      expect((await okmsd('secret', 'list')).code).toBe(3);
    } finally {
      env = saved;
    }
  });
});
