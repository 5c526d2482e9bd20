import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDomain, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { createBarbicanUser, keystoneToken } from '../helpers/barbican';
import { mtlsCall } from '../helpers/mtls-client';
import { opensslCsr } from '../helpers/openssl';

/** Renewal with overlap and lineage, scheduled revocation, and expiry alerts (log, signed webhook, gauges), on an injected clock. */
const DAY = 86_400_000;
const SECRET = 'webhook-hmac-key-0123456789';
let t: TestOkmsd;
let now = new Date(); // real time at first: TLS clients check the gateway's certificate against the real clock
let domain: { id: string; name: string };
let receiver: Server;
const received: Array<{ body: string; headers: Record<string, string | string[] | undefined> }> = [];

const credential = async (name: string, body: Record<string, unknown> = {}) => {
  const response = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name, identityURNs: [rootUrn()], ...body } });
  expect(response.status).toBe(201);
  return response.json as { id: string; certificatePEM: string; privateKeyPEM?: string };
};
const verified = (r: (typeof received)[number]) => {
  const expected = Buffer.from(`v1=${createHmac('sha256', SECRET).update(`${String(r.headers['x-okmsd-timestamp'])}.${r.body}`).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-okmsd-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
};

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += String(c)));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  t = await startTestOkmsd({
    clock: () => now,
    env: { OKMSD_LIFECYCLE_INTERVAL: '0', OKMSD_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/okmsd`, OKMSD_WEBHOOK_SECRET: SECRET, OKMSD_RENEW_GRACE_DAYS: '10' },
  });
  domain = await createDomain(t, 'lifecycle');
});
afterAll(async () => {
  await t.dispose();
  receiver.close();
});

describe('renewal', () => {
  it('issues a successor with the same identities, keeps lineage, and revokes the old one when the overlap ends', async () => {
    const old = await credential('svc', { description: 'payments' });
    const renewed = await t.api('POST', `/okms/resource/${domain.id}/credential/${old.id}/renew`, { body: { overlapSeconds: 3600 } });
    expect(renewed.status).toBe(201);
    expect(renewed.json).toMatchObject({ name: 'svc', description: 'payments', identityURNs: [rootUrn()], predecessorId: old.id, predecessorRevokeAt: new Date(now.getTime() + 3600_000).toISOString() });
    expect(renewed.json.privateKeyPEM).toMatch(/BEGIN PRIVATE KEY/);
    expect((await t.api('GET', `/okms/resource/${domain.id}/credential/${old.id}`)).json).toMatchObject({ successorId: renewed.json.id, revokeAt: renewed.json.predecessorRevokeAt });
    expect((await t.api('POST', `/okms/resource/${domain.id}/credential/${old.id}/renew`, { body: {} })).status).toBe(409);

    const random = `/api/${domain.id}/v1/random?length=8`;
    expect((await mtlsCall(t, random, { cert: old.certificatePEM, key: old.privateKeyPEM! })).status).toBe(200); // still valid in the overlap
    expect((await t.okmsd.lifecycle.runOnce()).revoked).toEqual([]);
    now = new Date(now.getTime() + 2 * 3600_000);
    expect((await t.okmsd.lifecycle.runOnce()).revoked).toEqual([old.id]);
    expect((await t.api('GET', `/okms/resource/${domain.id}/credential/${old.id}`)).status).toBe(404);
    expect((await t.api('POST', `/okms/resource/${domain.id}/credential/${old.id}/renew`, { body: {} })).status).toBe(404); // never after revocation
    expect((await mtlsCall(t, random, { cert: old.certificatePEM, key: old.privateKeyPEM! })).json.reason).toBe('cert_revoked');
    expect((await mtlsCall(t, random, { cert: renewed.json.certificatePEM, key: renewed.json.privateKeyPEM })).status).toBe(200);
  });

  it('never gives a CSR-born credential a server-made key, and renews it from a new CSR', async () => {
    const csrBorn = await credential('from-csr', { csr: opensslCsr('P-256').csrPEM });
    const refused = await t.api('POST', `/okms/resource/${domain.id}/credential/${csrBorn.id}/renew`, { body: {} });
    expect(refused.status).toBe(400);
    expect(refused.json.field).toBe('csr');
    const renewed = await t.api('POST', `/okms/resource/${domain.id}/credential/${csrBorn.id}/renew`, { body: { csr: opensslCsr('P-256').csrPEM, overlapSeconds: 0 } });
    expect(renewed.status).toBe(201);
    expect(renewed.json).toMatchObject({ fromCSR: true, predecessorId: csrBorn.id, predecessorRevokeAt: null });
    expect(renewed.json).not.toHaveProperty('privateKeyPEM');
    expect((await t.api('GET', `/okms/resource/${domain.id}/credential/${csrBorn.id}`)).status).toBe(404); // no overlap: revoked at once
  });

  it('allows renewal within the grace window after expiry, not after it', async () => {
    const shortLived = await credential('short', { validity: 1 });
    const other = await credential('short-2', { validity: 1 });
    now = new Date(now.getTime() + 5 * DAY);
    const late = await t.api('POST', `/okms/resource/${domain.id}/credential/${shortLived.id}/renew`, { body: { overlapSeconds: 3600 } });
    expect(late.status).toBe(201);
    expect(late.json.predecessorRevokeAt).toBeNull(); // already expired: no overlap
    now = new Date(now.getTime() + 10 * DAY);
    const tooLate = await t.api('POST', `/okms/resource/${domain.id}/credential/${other.id}/renew`, { body: {} });
    expect(tooLate.status).toBe(400);
    expect(tooLate.json.message).toContain('more than 10 days ago');
  });
});

describe('expiry alerts', () => {
  it('raises one alert per threshold for credentials and certificate secrets, as a signed webhook, a log event and gauges', async () => {
    // A fresh domain and the real time again, so that only what this test makes can alert.
    now = new Date();
    domain = await createDomain(t, 'expiry');
    await t.okmsd.lifecycle.runOnce();
    received.length = 0;
    const soon = await credential('expires-in-45-days', { validity: 45 });
    await credential('expires-in-a-year');
    // A certificate secret (20 days left) in a container with a consumer, stored through the Barbican API.
    const dir = mkdtempSync(join(tmpdir(), 'okmsd-expiry-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=shop.example', '-days', '20'], { stdio: 'pipe' });
    await createBarbicanUser(t, 'lbadmin', 'lbadmin-passphrase', [domain.id]);
    const login = () => keystoneToken(t, 'lbadmin', 'lbadmin-passphrase', { id: domain.id });
    let token = await login();
    const barbican = (method: string, path: string, body: unknown) => fetch(`${t.okmsd.controlUrl}${path}`, { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const secret = await barbican('POST', '/v1/secrets', { name: 'shop-cert', secret_type: 'certificate', payload: readFileSync(join(dir, 'c.pem')).toString('base64'), payload_content_type: 'application/pkix-cert', payload_content_encoding: 'base64' });
    const container = await barbican('POST', '/v1/containers', { name: 'shop-tls', type: 'certificate', secret_refs: [{ name: 'certificate', secret_ref: secret.secret_ref }] });
    await barbican('POST', `/v1/containers/${container.container_ref.split('/').pop()}/consumers`, { name: 'lb-7', URL: 'https://lb.example/7' });
    removeDir(dir);

    const first = await t.okmsd.lifecycle.runOnce();
    expect(first.alerts.map((a) => [a.kind, a.name, a.thresholdDays])).toEqual(expect.arrayContaining([['credential', 'expires-in-45-days', 60], ['certificateSecret', 'shop-cert', 30]]));
    expect(first.alerts).toHaveLength(2);
    expect(first.alerts.find((a) => a.kind === 'certificateSecret')!.containers).toEqual([{ id: container.container_ref.split('/').pop(), name: 'shop-tls', consumers: [{ name: 'lb-7', URL: 'https://lb.example/7' }] }]);
    expect(received).toHaveLength(2);
    expect(received.every(verified)).toBe(true);
    expect(received.map((r) => JSON.parse(r.body).id).sort()).toEqual([soon.id, secret.secret_ref.split('/').pop()].sort());
    expect(t.logs.join('')).toContain('expires-in-45-days expires in 45 days');

    expect((await t.okmsd.lifecycle.runOnce()).alerts).toEqual([]); // once per threshold
    const metrics = await (await fetch(`${t.okmsd.controlUrl}/metrics`)).text();
    expect(metrics).toContain('okmsd_expiring{kind="credential",within_days="60"} 2'); // with short-2 of the renewal tests, 1.1 days left
    expect(metrics).toContain('okmsd_expiring{kind="certificateSecret",within_days="30"} 1');
    expect(metrics).toContain('okmsd_expiry_soonest_days{kind="certificateSecret"} 20');

    now = new Date(now.getTime() + 21 * DAY); // the 20-day certificate is past; the 45-day credential has 24 days left
    const later = await t.okmsd.lifecycle.runOnce();
    expect(later.alerts.map((a) => [a.name, a.thresholdDays])).toEqual([['expires-in-45-days', 30]]);
    expect(received).toHaveLength(3);
    expect(verified({ ...received[2]!, body: received[2]!.body.replace('45', '46') })).toBe(false); // the signature covers the body

    // "Store the new certificate, update the container": the consumers stay and are told.
    token = await login(); // 21 days later: the first token has long expired
    const fresh = await barbican('POST', '/v1/secrets', { name: 'shop-cert-2026', secret_type: 'certificate', payload: Buffer.from((await t.api('GET', `/okms/resource/${domain.id}`)).json.publicCA as string).toString('base64'), payload_content_type: 'application/pkix-cert', payload_content_encoding: 'base64' });
    const containerId = container.container_ref.split('/').pop();
    const rotated = await barbican('POST', `/v1/containers/${containerId}/rotate`, { secret_refs: [{ name: 'certificate', secret_ref: fresh.secret_ref }] });
    expect(rotated.secret_refs).toEqual([{ name: 'certificate', secret_ref: fresh.secret_ref }]);
    expect(rotated.consumers).toEqual([{ name: 'lb-7', URL: 'https://lb.example/7' }]);
    const told = received.map((r) => JSON.parse(r.body)).find((e) => e.event === 'okmsd.container.rotated');
    expect(told).toMatchObject({ container_ref: container.container_ref, replaced: [{ name: 'certificate', from: secret.secret_ref, to: fresh.secret_ref }], consumers: [{ name: 'lb-7', URL: 'https://lb.example/7' }] });
    expect(received.every(verified)).toBe(true);
    const wrongType = await barbican('POST', `/v1/containers/${containerId}/rotate`, { secret_refs: [{ name: 'private_key', secret_ref: fresh.secret_ref }] });
    expect(wrongType.code).toBe(400);
  });
});
