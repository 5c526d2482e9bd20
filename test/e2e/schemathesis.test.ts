import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN, createDomain, removeDir, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';

/**
 * schemathesis (PyPI; tools/schemathesis/install.sh, which .ci/run calls) against the OpenAPI document okmsd serves,
 * on each plane as its clients reach it: the control plane with an admin token and a Keystone token, the OKMS data
 * plane over mTLS with an issued certificate, and the Barbican API on the gateway over the same mTLS. Any server
 * error or any response that contradicts the document fails the run; the few rules JSON Schema cannot state are
 * named one by one in tools/schemathesis/schemathesis.toml. The seed is fixed so a CI run can be replayed
 * (ST_SEED=random to explore); ST_EXAMPLES sets the examples per operation.
 */
const ROOT = join(__dirname, '..', '..');
const ST = process.env.SCHEMATHESIS_BIN ?? join(ROOT, '.cache', 'schemathesis', 'bin', 'st');
const CONFIG = join(ROOT, 'tools', 'schemathesis', 'schemathesis.toml');
const EXAMPLES = process.env.ST_EXAMPLES ?? '20';
const SEED = process.env.ST_SEED === 'random' ? [] : ['--seed', process.env.ST_SEED ?? '1'];
const PASSWORD = 'schemathesis-password-0123';

let t: TestOkmsd;
let work: string;
let okmsId: string;
let keystoneToken: string;

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(ST, ['--config-file', CONFIG, 'run', `${t.okmsd.controlUrl}/openapi.json`, '-n', EXAMPLES, ...SEED, '--workers', '2', '--no-color', '--phases', 'examples,fuzzing,stateful', '--generation-database', 'none', ...args], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: work, ST_OKMS_ID: okmsId, SCHEMATHESIS_TELEMETRY: 'false' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** The run passed: exit 0, and its summary counts no failure and no error. */
function expectClean(result: { code: number | null; out: string }): void {
  const summary = result.out.slice(result.out.lastIndexOf('SUMMARY'));
  if (result.code !== 0) throw new Error(`schemathesis failed (exit ${result.code}):\n${result.out.slice(-12_000)}`);
  expect(summary).toMatch(/Tested: [1-9]\d*/);
  expect(summary).not.toMatch(/Failures:|Errors:/);
  // The counts, for the record of a CI run: operations tested and cases generated.
  process.stdout.write(`schemathesis: ${/Tested: \d+/.exec(summary)?.[0]}, ${/\d+ generated[^\n]*/.exec(summary)?.[0]}\n`);
}

beforeAll(async () => {
  if (!existsSync(ST)) throw new Error(`${ST} is missing: run "bash tools/schemathesis/install.sh" (.ci/run does)`);
  work = tempDir('okmsd-schemathesis-');
  t = await startTestOkmsd();
  okmsId = (await createDomain(t, 'schemathesis')).id;
  await t.api('POST', '/iam/user', { body: { login: 'st', password: PASSWORD } });
  const resources = [{ urn: `urn:v1:eu:resource:okms:${okmsId}` }, { urn: `urn:v1:eu:resource:okms:${okmsId}/*` }];
  await t.api('POST', '/iam/policy', { body: { name: 'st-all', identities: [rootUrn('st')], resources, permissions: { allow: [{ action: 'okms:*' }] } } });
  const login = await t.api('POST', '/v3/auth/tokens', {
    token: null,
    body: { auth: { identity: { methods: ['password'], password: { user: { name: 'st', domain: { name: 'Default' }, password: PASSWORD } } }, scope: { project: { id: okmsId } } } },
  });
  keystoneToken = login.headers.get('x-subject-token')!;
  const credential = (await t.api('POST', `/okms/resource/${okmsId}/credential`, { body: { name: 'schemathesis', identityURNs: [rootUrn(), rootUrn('st')] } })).json;
  writeFileSync(join(work, 'client.crt'), credential.certificatePEM);
  writeFileSync(join(work, 'client.key'), credential.privateKeyPEM, { mode: 0o600 });
  writeFileSync(join(work, 'gateway-ca.pem'), t.okmsd.gatewayCaPEM);
});
afterAll(async () => {
  await t?.dispose();
  if (work) removeDir(work);
});

const mtls = () => ['--url', t.okmsd.gatewayUrl, '--request-cert', join(work, 'client.crt'), '--request-cert-key', join(work, 'client.key'), '--tls-verify', join(work, 'gateway-ca.pem')];

describe('schemathesis against the served OpenAPI document: 0 server errors, 0 contradictions', () => {
  it('control plane (admin token; Keystone token for /v1 and /v3)', async () => {
    expectClean(await run(['--url', t.okmsd.controlUrl, '-H', `Authorization: Bearer ${ADMIN_TOKEN}`, '-H', `X-Auth-Token: ${keystoneToken}`, '--exclude-tag', 'data plane']));
  }, 600_000);

  // The client certificate is sent with every request (it is the TLS session's), so ignored_auth, which drops a
  // request's credentials to see them refused, cannot apply: the mTLS refusals are tested in gateway.test.ts, the
  // token refusals (the data plane's other schemes) in data-tokens.test.ts.
  it('OKMS data plane over mTLS', async () => {
    expectClean(await run([...mtls(), '--include-tag', 'data plane', '--exclude-checks', 'ignored_auth']));
  }, 600_000);

  it('Barbican API on the gateway over mTLS', async () => {
    expectClean(await run([...mtls(), '--include-path-regex', '^/v1', '--exclude-checks', 'ignored_auth']));
  }, 600_000);
});
