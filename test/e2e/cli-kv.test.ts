import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBuiltCli, runCli } from '../helpers/cli-runner';
import { ADMIN_TOKEN, createDomain, createUsers, removeDir, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';


/** `okmsd secret kv …` over the data plane with a certificate and with a token; `okmsd bootstrap --token`. */
let t: TestOkmsd;
const work = tempDir('okmsd-cli-kv-');
let env: Record<string, string>;
let okmsId: string;

const okmsd = (...args: string[]) => runCli(args, { cwd: work, env });

beforeAll(async () => {
  requireBuiltCli();
  t = await startTestOkmsd();
  okmsId = (await createDomain(t, 'cli-kv')).id;
  await createUsers(t, 'app');
  await t.api('POST', '/iam/policy', { body: { name: 'app-secrets', identities: [rootUrn('app')], resources: [{ urn: `urn:v1:eu:resource:okms:${okmsId}` }, { urn: `urn:v1:eu:resource:okms:${okmsId}/*` }], permissions: { allow: [{ action: 'okms:apikms:secret/*' }] } } });
  env = { PATH: process.env.PATH!, XDG_CONFIG_HOME: work, OKMSD_URL: t.okmsd.controlUrl, OKMSD_ADMIN_TOKEN: ADMIN_TOKEN, OKMSD_DOMAIN: okmsId };
  const credential = (await t.api('POST', `/okms/resource/${okmsId}/credential`, { body: { name: 'cli', identityURNs: [rootUrn()] } })).json;
  writeFileSync(join(work, 'client.crt'), credential.certificatePEM);
  writeFileSync(join(work, 'client.key'), credential.privateKeyPEM, { mode: 0o600 });
});
afterAll(async () => {
  await t.dispose();
  removeDir(work);
});

describe('okmsd secret kv', () => {
  const mtls = ['--cert', 'client.crt', '--key', 'client.key'];

  it('puts, gets, lists and versions secrets over mTLS, paths with slashes as they are', async () => {
    expect((await okmsd('secret', 'kv', 'put', 'team/app/db', 'user=app', 'password=p@ss w/ spaces', ...mtls)).code).toBe(0);
    writeFileSync(join(work, 'v2.json'), JSON.stringify({ user: 'app', password: 'rotated', port: 5432 }));
    const second = await okmsd('secret', 'kv', 'put', 'team/app/db', '--data', '@v2.json', '--cas', '1', ...mtls, '--output', 'json');
    expect(JSON.parse(second.stdout)).toMatchObject({ path: 'team/app/db', version: 2, state: 'active' });
    const stale = await okmsd('secret', 'kv', 'put', 'team/app/db', 'x=y', '--cas', '1', ...mtls);
    expect([stale.code, stale.stderr]).toEqual([6, expect.stringContaining('check-and-set')]);
    expect(JSON.parse((await okmsd('secret', 'kv', 'get', 'team/app/db', ...mtls)).stdout)).toEqual({ user: 'app', password: 'rotated', port: 5432 });
    expect((await okmsd('secret', 'kv', 'get', 'team/app/db', '--version', '1', '--field', 'password', ...mtls)).stdout).toBe('p@ss w/ spaces\n');
    expect((await okmsd('secret', 'kv', 'put', 'team/other', 'a=b', ...mtls)).code).toBe(0);
    const listed = JSON.parse((await okmsd('secret', 'kv', 'list', '--prefix', 'team/', ...mtls, '--output', 'json')).stdout);
    expect(listed.map((r: { path: string; currentVersion: number }) => [r.path, r.currentVersion])).toEqual([['team/app/db', 2], ['team/other', 1]]);
    const versions = JSON.parse((await okmsd('secret', 'kv', 'versions', 'team/app/db', ...mtls, '--output', 'json')).stdout);
    expect(versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([[1, 'active'], [2, 'active']]);
    const missing = await okmsd('secret', 'kv', 'get', 'team/none', ...mtls);
    expect(missing.code).toBe(4);
    expect((await okmsd('secret', 'kv', 'put', 'bad path', 'a=b', ...mtls)).stderr).toContain('path');
  });

  it('works with a personal access token, and bootstrap --auth-method token writes an okms.yaml for token auth (0600)', async () => {
    const boot = await okmsd('bootstrap', '--auth-method', 'token', '--user', 'app', '--expires-in', '1h', '--dir', 'boot');
    expect(boot.code).toBe(0);
    const yaml = readFileSync(join(work, 'boot', 'okms.yaml'), 'utf8');
    const token = readFileSync(join(work, 'boot', 'token'), 'utf8').trim();
    expect(token).toMatch(/^okmsd-pat\./);
    expect(yaml).toContain('        type: token\n');
    expect(yaml).toContain(`        token: ${token}\n`);
    expect(yaml).toContain(`        okmsId: ${okmsId}\n`);
    expect(statSync(join(work, 'boot', 'okms.yaml')).mode & 0o777).toBe(0o600);
    expect(statSync(join(work, 'boot', 'token')).mode & 0o777).toBe(0o600);
    const asApp = ['--data-token', token];
    expect((await okmsd('secret', 'kv', 'put', 'token/made', 'k=v', ...asApp)).code).toBe(0);
    expect(JSON.parse((await okmsd('secret', 'kv', 'get', 'token/made', ...asApp)).stdout)).toEqual({ k: 'v' });
    expect((await okmsd('secret', 'kv', 'get', 'token/made', '--data-token', 'okmsd-pat.0000000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).code).toBe(3);
    expect((await okmsd('bootstrap', '--auth-method', 'token')).stderr).toContain('--user');
  });
});
