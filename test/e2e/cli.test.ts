import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, requireBuiltCli, runCli } from '../helpers/cli-runner';
import { removeDir, tempDir } from '../helpers/harness';
import { opensslCsr } from '../helpers/openssl';
import { writeFileSync } from 'node:fs';

const TOKEN = 'cli-test-admin-token-0123456789';

let server: ChildProcess;
let url = '';
const work = tempDir('okmsd-cli-');
const home = tempDir('okmsd-cli-home-');

/** Runs the built CLI against the server this file starts. */
const okmsd = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: work, env: { PATH: process.env.PATH, XDG_CONFIG_HOME: home, OKMSD_URL: url, OKMSD_ADMIN_TOKEN: TOKEN, ...env } });

beforeAll(async () => {
  requireBuiltCli();
  server = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH, OKMSD_DATA_DIR: join(work, 'data'), OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  url = await new Promise<string>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`okmsd exited with ${code}: ${out}`)));
    server.stdout!.on('data', (c) => {
      out += String(c);
      const match = /"controlUrl":"([^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
  });
});
afterAll(async () => {
  if (server.exitCode === null) await new Promise((resolve) => (server.once('exit', resolve), server.kill('SIGTERM')));
  removeDir(work);
  removeDir(home);
});

describe('okmsd CLI (the built binary, against a real server)', () => {
  let domainId = '';

  it('token create|list|revoke: the new token works, the list shows no secret, a revoked token is refused', async () => {
    const created = await okmsd(['token', 'create', '--description', 'cli test', '--expires-in', '1h', '--output', 'json']);
    expect(created.code).toBe(0);
    const { id, token, expiresAt } = JSON.parse(created.stdout) as { id: string; token: string; expiresAt: string };
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(3_500_000);
    expect((await okmsd(['domain', 'list', '--output', 'json'], { OKMSD_ADMIN_TOKEN: token })).code).toBe(0);
    const listed = await okmsd(['token', 'list']);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(token.split('.')[2]!);
    const out = join(work, 'ci.token');
    const toFile = await okmsd(['token', 'create', '--out', out, '--output', 'json']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(toFile.stdout).not.toContain(readFileSync(out, 'utf8').trim());
    expect((await okmsd(['token', 'revoke', id])).stdout).toBe(`revoked ${id}\n`);
    const refused = await okmsd(['domain', 'list'], { OKMSD_ADMIN_TOKEN: token });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('401');
    expect((await okmsd(['token', 'create', '--expires-in', 'soon'])).stderr).toContain('--expires-in');
  });

  it('creates and lists domains; --output json is parseable', async () => {
    const created = await okmsd(['domain', 'create', '--name', 'cli', '--output', 'json']);
    expect(created.code).toBe(0);
    domainId = JSON.parse(created.stdout).id;
    const listed = await okmsd(['domain', 'list']);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+REGION/);
    expect(listed.stdout).toContain(domainId);
  });

  it('issues a credential with the key written 0600 and never printed unless asked', async () => {
    const created = await okmsd(['credential', 'create', '--domain', domainId, '--name', 'svc', '--identity', 'urn:v1:eu:identity:account:root', '--out-cert', 'svc.crt', '--out-key', 'svc.key']);
    expect(created.code).toBe(0);
    expect(created.stdout).not.toContain('PRIVATE KEY');
    expect(statSync(join(work, 'svc.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(work, 'svc.key'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    const verified = await okmsd(['verify', 'cert', 'svc.crt', '--key', 'svc.key', '--output', 'json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ okmsId: domainId, keyMatches: true });
  });

  it('takes a CSR file as it is', async () => {
    writeFileSync(join(work, 'req.csr'), opensslCsr('P-384').csrPEM);
    expect((await okmsd(['iam', 'user', 'create', 'alice'])).code).toBe(0);
    const created = await okmsd(['credential', 'create', '--domain', domainId, '--name', 'csr', '--identity', 'urn:v1:eu:identity:user:root/alice', '--csr', 'req.csr', '--output', 'json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ fromCSR: true, keyAlgorithm: 'EC P-384' });
  });

  it('bootstrap writes a ready okms-cli profile, and key commands work over mTLS with it', async () => {
    const boot = await okmsd(['bootstrap', '--domain', domainId, '--identity', 'urn:v1:eu:identity:account:root', '--dir', 'client']);
    expect(boot.code).toBe(0);
    const dir = join(work, 'client');
    expect(statSync(join(dir, 'client.key')).mode & 0o777).toBe(0o600);
    const yaml = readFileSync(join(dir, 'okms.yaml'), 'utf8');
    expect(yaml).toMatch(/endpoint: https:\/\/127\.0\.0\.1:\d+/);
    expect(yaml).toContain(`ca: ${join(dir, 'ca.pem')}`);
    // The kmip section beside restapi: the same certificate, the KMIP endpoint the domain advertises.
    expect(yaml).toMatch(new RegExp(`    kmip:\n      endpoint: 127\\.0\\.0\\.1:\\d+\n      ca: ${join(dir, 'ca.pem').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n      auth:\n        type: mtls\n        cert: .*client\\.crt\n        key: .*client\\.key\n`));
    const mtls = ['--cert', join(dir, 'client.crt'), '--key', join(dir, 'client.key')];
    const key = await okmsd(['key', 'create', ...mtls, '--name', 'cli-key', '--output', 'json']);
    expect(key.code).toBe(0);
    const keyId = JSON.parse(key.stdout).id as string;
    const ciphertext = (await okmsd(['key', 'encrypt', keyId, 'hello from the cli', '--context', 'c1', ...mtls])).stdout.trim();
    expect(ciphertext.split('.')).toHaveLength(5);
    const plaintext = await okmsd(['key', 'decrypt', keyId, ciphertext, '--context', 'c1', ...mtls]);
    expect(plaintext.stdout).toBe('hello from the cli');
    const wrong = await okmsd(['key', 'decrypt', keyId, ciphertext, '--context', 'c2', ...mtls]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/^okmsd: .*decryption failed/);
  });

  it('profiles, meaningful exit codes and one-line errors', async () => {
    expect((await okmsd(['profile', 'set', '--domain', domainId])).code).toBe(0);
    expect((await okmsd(['credential', 'list'])).stdout).toContain('svc'); // domain from the profile
    const bad = await okmsd(['credential', 'create', '--name', 'x', '--identity', 'urn:v1:eu:identity:user:other/x']);
    expect(bad.code).toBe(3);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).not.toMatch(/\bat .+\.js:\d+/);
    expect((await okmsd(['domain', 'get', '00000000-0000-4000-8000-000000000000'])).code).toBe(4);
    expect((await okmsd(['domain', 'list'], { OKMSD_ADMIN_TOKEN: 'wrong-token-wrong-token' })).code).toBe(3);
    expect((await okmsd(['no-such-command'])).code).toBe(2);
    expect((await okmsd(['credential', 'create', '--help'])).code).toBe(0);
    expect((await okmsd(['audit', 'verify'])).stdout).toMatch(/^intact: \d+ entries/);
    expect((await okmsd(['audit', 'prune', '--before', '2000-01-01'])).stdout).toBe('pruned 0 entries\n');
    expect((await okmsd(['audit', 'prune', '--before', 'yesterday'])).code).toBe(2);
  });
});

describe('okmsd CLI: IAM, renew, signatures, paging', () => {
  let domainId = '';
  beforeAll(async () => {
    domainId = JSON.parse((await okmsd(['domain', 'create', '--name', 'cli-2', '--output', 'json'])).stdout).id;
  });

  it('manages IAM entities and policies, and explain follows them', async () => {
    expect((await okmsd(['iam', 'user', 'create', 'dora', '--email', 'dora@example.com'])).code).toBe(0);
    expect((await okmsd(['iam', 'group', 'create', 'crypto', '--member', 'urn:v1:eu:identity:user:root/dora'])).code).toBe(0);
    const policy = await okmsd([
      'iam', 'policy', 'create', '--name', 'crypto-encrypt', '--identity', 'urn:v1:eu:identity:group:root/crypto',
      '--resource', `urn:v1:eu:resource:okms:${domainId}`, '--allow', 'okms:apikms:serviceKey/encrypt', '--output', 'json',
    ]);
    expect(policy.code).toBe(0);
    expect(JSON.parse(policy.stdout).permissions.allow).toEqual([{ action: 'okms:apikms:serviceKey/encrypt' }]);
    expect((await okmsd(['iam', 'user', 'list'])).stdout).toContain('urn:v1:eu:identity:user:root/dora');
    const dora = JSON.parse((await okmsd(['credential', 'create', '--domain', domainId, '--name', 'dora', '--identity', 'urn:v1:eu:identity:user:root/dora', '--output', 'json'])).stdout);
    const allowed = await okmsd(['iam', 'explain', '--domain', domainId, '--credential', dora.id, '--action', 'okms:apikms:serviceKey/encrypt', '--output', 'json']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({ allowed: true, reason: 'allowed_by_policy' });
    expect((await okmsd(['iam', 'group', 'delete', 'crypto'])).code).toBe(0);
    const denied = await okmsd(['iam', 'explain', '--domain', domainId, '--credential', dora.id, '--action', 'okms:apikms:serviceKey/encrypt']);
    expect(denied.code).toBe(3);
    expect((await okmsd(['iam', 'policy', 'create'])).code).toBe(2);
  });

  it('renews a credential: a successor with the same name and identities, the old one revoked', async () => {
    const old = JSON.parse((await okmsd(['credential', 'create', '--domain', domainId, '--name', 'rotating', '--identity', 'urn:v1:eu:identity:account:root', '--output', 'json'])).stdout);
    const renewed = await okmsd(['credential', 'renew', old.id, '--domain', domainId, '--out-key', 'rotating.key', '--output', 'json']);
    expect(renewed.code).toBe(0);
    const successor = JSON.parse(renewed.stdout);
    expect(successor).toMatchObject({ name: 'rotating', identityURNs: ['urn:v1:eu:identity:account:root'], status: 'READY' });
    expect(successor.id).not.toBe(old.id);
    expect(statSync(join(work, 'rotating.key')).mode & 0o777).toBe(0o600);
    expect((await okmsd(['credential', 'get', old.id, '--domain', domainId])).code).toBe(4);
    expect(successor.predecessorId).toBe(old.id);
    const overlapping = await okmsd(['credential', 'renew', successor.id, '--domain', domainId, '--overlap', '600', '--output', 'json']);
    expect(overlapping.stderr).toContain('the old credential is revoked at');
    const kept = JSON.parse((await okmsd(['credential', 'get', successor.id, '--domain', domainId, '--output', 'json'])).stdout);
    expect(kept).toMatchObject({ successorId: JSON.parse(overlapping.stdout).id, revokeAt: expect.any(String) });
  });

  it('signs and verifies over mTLS', async () => {
    await okmsd(['bootstrap', '--domain', domainId, '--identity', 'urn:v1:eu:identity:account:root', '--dir', 'signer']);
    const mtls = ['--cert', join(work, 'signer', 'client.crt'), '--key', join(work, 'signer', 'client.key')];
    const key = JSON.parse((await okmsd(['key', 'create', ...mtls, '--name', 'sig', '--type', 'EC', '--curve', 'P-256', '--output', 'json'])).stdout);
    const signature = (await okmsd(['key', 'sign', key.id, 'signed text', '-a', 'ES256', ...mtls])).stdout.trim();
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    const valid = await okmsd(['key', 'verify', key.id, 'signed text', signature, '-a', 'ES256', ...mtls]);
    expect(valid).toMatchObject({ code: 0, stdout: 'valid\n' });
    const invalid = await okmsd(['key', 'verify', key.id, 'other text', signature, '-a', 'ES256', ...mtls]);
    expect(invalid).toMatchObject({ code: 6, stdout: 'invalid\n' });
  });

  it('lists every page, with progress on stderr', async () => {
    for (let i = 0; i < 5; i += 1) await okmsd(['credential', 'create', '--domain', domainId, '--name', `bulk-${i}`, '--identity', 'urn:v1:eu:identity:account:root']);
    const listed = await okmsd(['credential', 'list', '--domain', domainId, '--page-size', '2', '--output', 'json']);
    const names = JSON.parse(listed.stdout).map((c: { name: string }) => c.name);
    expect(names.filter((n: string) => n.startsWith('bulk-'))).toHaveLength(5);
    expect(listed.stderr).toContain('fetched');
  });

  it('rotates a domain CA: stage (publicCA lists both), refuse a second stage, switch with an overlap, refuse a bad overlap', async () => {
    const domain = JSON.parse((await okmsd(['domain', 'create', '--name', 'cli-rotate', '--output', 'json'])).stdout);
    const staged = await okmsd(['domain', 'rotate-ca', domain.id, '--output', 'json']);
    expect(staged.code).toBe(0);
    expect(JSON.parse(staged.stdout)).toMatchObject({ caRotation: { successorStaged: true, previousRetiresAt: null } });
    expect(JSON.parse(staged.stdout).publicCA.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect((await okmsd(['domain', 'rotate-ca', domain.id])).code).not.toBe(0); // one successor at a time
    const switched = JSON.parse((await okmsd(['domain', 'rotate-ca', domain.id, '--switch', '--overlap-seconds', '600', '--output', 'json'])).stdout);
    expect(switched.caRotation).toMatchObject({ successorStaged: false, previousRetiresAt: expect.any(String) });
    expect((await okmsd(['domain', 'rotate-ca', domain.id, '--switch', '--overlap-seconds', 'soon'])).code).not.toBe(0);
  });

  it('revoke-server-cert takes a serial as openssl prints it and says why when the server CA never issued it', async () => {
    const unknown = await okmsd(['domain', 'revoke-server-cert', domainId, '0A:BC:01', '--reason', 'keyCompromise']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('no server certificate 0abc01');
    const badReason = await okmsd(['domain', 'revoke-server-cert', domainId, '0abc01', '--reason', 'because']);
    expect(badReason.stderr).toContain('reason');
  });
});
