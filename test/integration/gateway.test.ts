import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createDomain, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { requireTools } from '../helpers/outside-tools';
import { mtlsCall } from '../helpers/mtls-client';

const execFileAsync = promisify(execFile);
let now = new Date();
let t: TestOkmsd;
let d1: { id: string };
let d2: { id: string };
const user = (login: string) => `urn:v1:eu:identity:user:root/${login}`;
const random = (domain = d1) => `/api/${domain.id}/v1/random?length=16`;

async function credential(name: string, identityURNs: string[], domain = d1, validity?: number) {
  const response = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name, identityURNs, ...(validity ? { validity } : {}) } });
  expect(response.status).toBe(201);
  return { id: response.json.id as string, cert: response.json.certificatePEM as string, key: response.json.privateKeyPEM as string, serial: response.json.serialNumber as string };
}

beforeAll(async () => {
  t = await startTestOkmsd({ clock: () => now });
  d1 = await createDomain(t, 'gw-1');
  d2 = await createDomain(t, 'gw-2');
  for (const login of ['bob', 'carol', 'erin']) await t.api('POST', '/iam/user', { body: { login } });
  const domainUrn = `urn:v1:eu:resource:okms:${d1.id}`;
  await t.api('POST', '/iam/policy', { body: { name: 'bob-random', identities: [user('bob')], resources: [{ urn: domainUrn }], permissions: { allow: [{ action: 'okms:apikms:random/get' }] } } });
  await t.api('POST', '/iam/policy', { body: { name: 'erin-all', identities: [user('erin')], resources: [{ urn: domainUrn }], permissions: { allow: [{ action: 'okms:apikms:*' }] } } });
  await t.api('POST', '/iam/policy', { body: { name: 'erin-no-random', identities: [user('erin')], resources: [{ urn: domainUrn }], permissions: { deny: [{ action: 'okms:apikms:random/get' }] } } });
});
afterAll(async () => {
  await t.dispose();
});

describe('mTLS gateway: who may call', () => {
  it('a certificate with the root identity is served, over TLS verified with restEndpointCA', async () => {
    const root = await credential('root', [rootUrn()]);
    const response = await mtlsCall(t, random(), root);
    expect(response.status).toBe(200);
    expect(Buffer.from(response.json.bytes, 'base64')).toHaveLength(16);
    const domain = (await t.api('GET', `/okms/resource/${d1.id}`)).json;
    expect(domain.restEndpoint).toBe(t.okmsd.gatewayUrl);
    expect(domain.restEndpointCA).toBe(t.okmsd.gatewayCaPEM);
  });

  it('an identity allowed by a policy is served; one without a policy, or with an explicit deny, is refused', async () => {
    const bob = await credential('bob', [user('bob')]);
    expect((await mtlsCall(t, random(), bob)).status).toBe(200);
    const carol = await credential('carol', [user('carol')]);
    const refused = await mtlsCall(t, random(), carol);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ reason: 'identity_not_authorized', error_code: expect.any(Number), request_id: expect.any(String) });
    expect((refused.json.error_code >>> 24) & 0xff).toBe(3); // REST major
    const erin = await credential('erin', [user('erin')]);
    expect((await mtlsCall(t, random(), erin)).json).toMatchObject({ reason: 'identity_not_authorized' });
  });

  it.each([
    ['no certificate', async () => ({}), 401, 'cert_missing'],
    ['a self-signed certificate', async () => selfSigned(), 401, 'cert_untrusted'],
    ["another domain's certificate", async () => credential('other', [rootUrn()], d2), 403, 'wrong_domain'],
  ])('%s is refused with a reason', async (_name, make, status, reason) => {
    const response = await mtlsCall(t, random(), (await make()) as { cert?: string; key?: string });
    expect(response.status).toBe(status);
    expect(response.json.reason).toBe(reason);
  });

  it('an expired certificate is refused', async () => {
    const short = await credential('short', [rootUrn()], d1, 1);
    expect((await mtlsCall(t, random(), short)).status).toBe(200);
    now = new Date(Date.now() + 2 * 86_400_000);
    try {
      expect((await mtlsCall(t, random(), short)).json).toMatchObject({ reason: 'cert_expired' });
    } finally {
      now = new Date();
    }
  });

  it('a revocation takes effect at once, on an already-open keep-alive connection too', async () => {
    const victim = await credential('victim', [rootUrn()]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: t.okmsd.gatewayCaPEM, cert: victim.cert, key: victim.key });
    try {
      const first = await mtlsCall(t, random(), { ...victim, agent });
      expect(first.status).toBe(200);
      expect((await t.api('DELETE', `/okms/resource/${d1.id}/credential/${victim.id}`)).status).toBe(204);
      const second = await mtlsCall(t, random(), { ...victim, agent });
      expect(second.localPort).toBe(first.localPort); // the same TLS connection
      expect(second.status).toBe(401);
      expect(second.json.reason).toBe('cert_revoked');
    } finally {
      agent.destroy();
    }
  });

  it('a certificate accepted on one connection is judged again on each new one: other domain, revocation', async () => {
    const reused = await credential('reused', [rootUrn()]);
    for (let i = 0; i < 2; i += 1) expect((await mtlsCall(t, random(), reused)).status).toBe(200); // two connections
    const elsewhere = await mtlsCall(t, random(d2), reused);
    expect({ status: elsewhere.status, reason: elsewhere.json.reason }).toEqual({ status: 403, reason: 'wrong_domain' });
    expect((await t.api('DELETE', `/okms/resource/${d1.id}/credential/${reused.id}`)).status).toBe(204);
    expect((await mtlsCall(t, random(), reused)).json.reason).toBe('cert_revoked');
    const stranger = selfSigned(); // never accepted: refused on every connection
    for (let i = 0; i < 2; i += 1) expect((await mtlsCall(t, random(), stranger)).json.reason).toBe('cert_untrusted');
  });

  it("a certificate whose credential record is gone is refused", async () => {
    const ghost = await credential('ghost', [rootUrn()]);
    const db = new Database(join(t.dataDir, 'okmsd.sqlite'));
    db.prepare('DELETE FROM credentials WHERE id = ?').run(ghost.id);
    db.close();
    expect((await mtlsCall(t, random(), ghost)).json).toMatchObject({ reason: 'cert_unknown' });
  });

  it('curl --cert --key --cacert gets random bytes', async () => {
    requireTools('openssl', 'curl');
    const root = await credential('curl', [rootUrn()]);
    const dir = mkdtempSync(join(tmpdir(), 'okmsd-curl-'));
    writeFileSync(join(dir, 'c.pem'), root.cert);
    writeFileSync(join(dir, 'k.pem'), root.key, { mode: 0o600 });
    writeFileSync(join(dir, 'ca.pem'), t.okmsd.gatewayCaPEM);
    // Asynchronous: the gateway runs in this process, so a blocking child would starve it.
    const { stdout: out } = await execFileAsync('curl', ['-sS', '--fail-with-body', '--cert', join(dir, 'c.pem'), '--key', join(dir, 'k.pem'), '--cacert', join(dir, 'ca.pem'), `${t.okmsd.gatewayUrl}${random()}`]);
    expect(Buffer.from(JSON.parse(out).bytes, 'base64')).toHaveLength(16);
    const { stdout: refused } = await execFileAsync('curl', ['-sS', '--cacert', join(dir, 'ca.pem'), `${t.okmsd.gatewayUrl}${random()}`]);
    expect(JSON.parse(refused).reason).toBe('cert_missing');
    removeDir(dir);
  });
});

describe('audit log', () => {
  it('records allowed and refused calls of known callers, chained; an edited record breaks the chain at that link', async () => {
    const records = (await t.okmsd.store.audit.list(0, 10_000)).map((e) => JSON.parse(e.record));
    expect(records.some((r) => r.decision === 'allow' && r.action === 'okms:apikms:random/get')).toBe(true);
    // Refusals before the caller is known (a revoked or missing certificate) are counted and logged sampled, not stored.
    expect(records.some((r) => r.reason === 'cert_revoked' || r.reason === 'cert_missing')).toBe(false);
    expect((await t.api('GET', '/metrics', { token: null })).text).toMatch(/okmsd_unauthenticated_refusals_total\{plane="gateway",reason="cert_revoked"\} [1-9]/);
    expect(records.some((r) => r.decision === 'deny' && r.reason === 'identity_not_authorized')).toBe(true);
    const text = JSON.stringify(records);
    expect(text).not.toMatch(/PRIVATE KEY|"bytes"/);
    expect(await t.okmsd.audit.verify()).toMatchObject({ intact: true, entries: records.length });

    const db = new Database(join(t.dataDir, 'okmsd.sqlite'));
    const target = db.prepare('SELECT seq, record FROM audit ORDER BY seq LIMIT 1 OFFSET 2').get() as { seq: number; record: string };
    const edited = target.record.includes('"decision":"allow"') ? target.record.replace('"decision":"allow"', '"decision":"deny"') : target.record.replace('"decision":"deny"', '"decision":"allow"');
    expect(edited).not.toBe(target.record);
    db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(edited, target.seq);
    db.close();
    const verdict = await t.okmsd.audit.verify();
    expect(verdict.intact).toBe(false);
    expect(verdict.firstBroken).toEqual({ seq: target.seq, problem: 'hash does not match the record' });
  });
});

function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-self-'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'k.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  execFileSync('openssl', ['req', '-new', '-x509', '-key', join(dir, 'k.pem'), '-subj', '/CN=self', '-days', '1', '-addext', 'extendedKeyUsage=clientAuth', '-out', join(dir, 'c.pem')], { stdio: 'pipe' });
  const result = { cert: execFileSync('cat', [join(dir, 'c.pem')]).toString(), key: execFileSync('cat', [join(dir, 'k.pem')]).toString() };
  removeDir(dir);
  return result;
}

describe('audit over the control plane', () => {
  it('records control-plane changes too, and serves the log and its verification to the root account', async () => {
    const fresh = await startTestOkmsd();
    try {
      const d = await createDomain(fresh, 'audited');
      await fresh.api('POST', `/okms/resource/${d.id}/credential`, { body: { name: 'x', identityURNs: ['urn:v1:eu:identity:user:other/x'] } }); // refused: 403
      // Control-plane records are appended once each response has gone out: wait (bounded) for them to land.
      let records: Array<{ action: string; decision: string; status: number }> = [];
      for (const started = Date.now(); Date.now() - started < 2000 && records.length < 2; await new Promise((r) => setTimeout(r, 20))) {
        const page = await fresh.api('GET', '/audit?limit=1000');
        expect(page.status).toBe(200);
        records = page.json.map((e: { record: { action: string; decision: string; status: number } }) => e.record);
      }
      expect(records).toEqual(expect.arrayContaining([
        expect.objectContaining({ plane: 'control', action: 'POST /okms/resource', decision: 'allow', status: 201 }),
        expect.objectContaining({ plane: 'control', action: 'POST /okms/resource/:okmsId/credential', decision: 'deny', status: 403, reason: 'ERR_IDENTITY_NOT_OWNED' }),
      ]));
      expect((await fresh.api('POST', '/audit/verify')).json).toMatchObject({ intact: true });
      const tenant = (await fresh.api('POST', '/account', { body: { id: 'tenant' } })).json.token as string;
      expect((await fresh.api('GET', '/audit', { token: tenant })).status).toBe(403);
    } finally {
      await fresh.stop();
      removeDir(fresh.dataDir);
    }
  });
});

describe('several okmsd nodes on one store', () => {
  it('a credential revoked through node A is refused by node B within a second', async () => {
    const nodeB = await startTestOkmsd({ dataDir: t.dataDir });
    try {
      const shared = await credential('shared', [rootUrn()]);
      const viaB = (path: string) => mtlsCall({ ...t, okmsd: nodeB.okmsd } as TestOkmsd, path, shared);
      expect((await viaB(random())).status).toBe(200);
      expect((await t.api('DELETE', `/okms/resource/${d1.id}/credential/${shared.id}`)).status).toBe(204); // through node A
      const started = Date.now();
      let reason = '';
      while (Date.now() - started < 1000) {
        reason = (await viaB(random())).json.reason ?? '';
        if (reason === 'cert_revoked') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(reason).toBe('cert_revoked');
    } finally {
      await nodeB.stop();
    }
  });

  it("a certificate whose identities differ from its credential record is refused", async () => {
    const changed = await credential('changed', [rootUrn()]);
    const db = new Database(join(t.dataDir, 'okmsd.sqlite'));
    db.prepare('UPDATE credentials SET identity_urns = ? WHERE id = ?').run(JSON.stringify([user('bob')]), changed.id);
    db.close();
    expect((await mtlsCall(t, random(), changed)).json).toMatchObject({ reason: 'cert_identity_mismatch' });
  });
});

describe('behind a TLS-terminating proxy (off by default)', () => {
  it('takes the forwarded certificate only from a trusted proxy address', async () => {
    const root = await credential('proxied', [rootUrn()]);
    const header = { 'x-client-cert': encodeURIComponent(root.cert) };
    // Default: no trusted proxy, so the header is refused, not silently ignored.
    expect((await mtlsCall(t, random(), { headers: header })).json).toMatchObject({ reason: 'untrusted_proxy' });
    for (const [trusted, expected] of [['127.0.0.0/8', 200], ['10.0.0.0/8', 401]] as const) {
      const node = await startTestOkmsd({ dataDir: t.dataDir, env: { OKMSD_TRUSTED_PROXIES: trusted } });
      try {
        const via = (options: Parameters<typeof mtlsCall>[2]) => mtlsCall({ ...t, okmsd: node.okmsd } as TestOkmsd, random(), options);
        const response = await via({ headers: header });
        expect(response.status).toBe(expected);
        if (expected === 401) expect(response.json.reason).toBe('untrusted_proxy');
        if (expected === 200) {
          // The forwarded certificate is checked like a TLS one: a revoked or foreign one is refused.
          const foreign = await credential('proxied-foreign', [rootUrn()], d2);
          expect((await via({ headers: { 'x-client-cert': encodeURIComponent(foreign.cert) } })).json.reason).toBe('wrong_domain');
          expect((await via({ headers: { 'x-client-cert': 'garbage' } })).json.reason).toBe('cert_untrusted');
        }
      } finally {
        await node.stop();
      }
    }
  });
});

describe('gateway TLS settings', () => {
  const connect = (options: ConnectionOptions) =>
    new Promise<TLSSocket>((resolve, reject) => {
      const url = new URL(t.okmsd.gatewayUrl);
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port), ca: t.okmsd.gatewayCaPEM, ...options }, () => resolve(socket));
      socket.once('error', reject);
    });

  it('refuses TLS 1.1 and CBC suites; speaks TLS 1.3 and resumes sessions', async () => {
    await expect(connect({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
    await expect(connect({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA' })).rejects.toThrow();
    const first = await connect({ maxVersion: 'TLSv1.2' });
    expect(first.getCipher().name).toMatch(/GCM|CHACHA20/);
    const session = first.getSession();
    first.end();
    const resumed = await connect({ maxVersion: 'TLSv1.2', session });
    expect(resumed.isSessionReused()).toBe(true);
    resumed.end();
    const modern = await connect({});
    expect(modern.getProtocol()).toBe('TLSv1.3');
    modern.end();
  });
});
