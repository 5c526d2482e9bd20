import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBarbicanUser, keystoneToken } from '../helpers/barbican';
import { createDomain, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';

/** POST /okms/verify: the operator's openssl checks (expiry, key match, chain) as one call. */
let t: TestOkmsd;
let domain: { id: string; name: string; publicCA: string };
let work: string;
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
const file = (name: string) => readFileSync(join(work, name), 'utf8');

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'verify');
  work = mkdtempSync(join(tmpdir(), 'okmsd-verify-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=Ops Root');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=api.example');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '10');
});
afterAll(async () => {
  await t.dispose();
  removeDir(work);
});

const verify = (body: Record<string, unknown>) => t.api('POST', '/okms/verify', { body });

describe('certificate verification', () => {
  it('reports subject, expiry, key match and the chain to the domain CA for an access credential', async () => {
    const a = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'a', identityURNs: [rootUrn()], validity: 30 } })).json;
    const b = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'b', identityURNs: [rootUrn()] } })).json;
    const good = await verify({ certificate: a.certificatePEM, privateKey: a.privateKeyPEM, okmsId: domain.id });
    expect(good.status).toBe(200);
    expect(good.json).toMatchObject({ subject: `CN=${a.id}`, daysToExpiry: 29, expired: false, publicKey: { type: 'ec', curve: 'prime256v1' }, keyMatches: true, chain: { verifies: true, problem: null } });
    expect(good.json.subjectAltNames).toContain(`URI:${rootUrn()}`);
    expect((await verify({ certificate: a.certificatePEM, privateKey: b.privateKeyPEM })).json.keyMatches).toBe(false);
    expect(t.logs.join('')).not.toContain(a.privateKeyPEM.split('\n')[1]);
  });

  it('follows an external chain of any key types, and says why a chain does not verify', async () => {
    const chained = await verify({ certificate: file('leaf.crt'), privateKey: file('leaf.key'), chain: file('ca.crt') });
    expect(chained.json).toMatchObject({ subject: 'CN=api.example', issuer: 'CN=Ops Root', publicKey: { type: 'ec', curve: 'secp384r1' }, keyMatches: true, daysToExpiry: 9, chain: { verifies: true, anchor: 'CN=Ops Root', path: ['CN=api.example', 'CN=Ops Root'] } });
    expect((await verify({ certificate: file('leaf.crt') })).json.chain).toMatchObject({ verifies: false, problem: expect.stringContaining('no issuer for CN=api.example') });
    expect((await verify({ certificate: file('leaf.crt'), chain: file('ca.crt'), okmsId: domain.id })).json.chain).toMatchObject({ verifies: false, problem: expect.stringContaining('not at the expected CA') });
    const selfSigned = await verify({ certificate: file('ca.crt'), privateKey: file('ca.key') });
    expect(selfSigned.json).toMatchObject({ publicKey: { type: 'rsa', bits: 2048 }, keyMatches: true, chain: { verifies: false, problem: 'the certificate is self-signed' } });
  });

  it('checks a Barbican certificate container by its ref', async () => {
    expect((await t.api('PUT', `/okms/resource/${domain.id}/name-policy`, { body: { allowedDomains: ['web.example'] } })).status).toBe(200);
    await createBarbicanUser(t, 'ops', 'ops-passphrase-123', [domain.id]);
    const token = await keystoneToken(t, 'ops', 'ops-passphrase-123', { id: domain.id });
    const ordered = await (await fetch(`${t.okmsd.controlUrl}/v1/orders`, { method: 'POST', headers: { 'x-auth-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'certificate', meta: { subject_dn: 'cn=web.example', algorithm: 'ec', bit_length: 256 } }) })).json() as { order_ref: string };
    const order = await (await fetch(ordered.order_ref, { headers: { 'x-auth-token': token } })).json() as { container_ref: string };
    const report = await verify({ containerRef: order.container_ref });
    expect(report.json).toMatchObject({ subject: 'CN=web.example', keyMatches: true, chain: { verifies: true, anchor: expect.stringContaining(domain.id) } });
  });

  it.each<[string, Record<string, string>, string]>([
    ['no certificate at all', {}, 'certificate'],
    ['a certificate that is not PEM', { certificate: 'hello' }, 'certificate'],
    ['a key that is not a key', { certificate: 'CERT', privateKey: 'nope' }, 'privateKey'],
    ['an unknown domain', { certificate: 'CERT', okmsId: '00000000-0000-4000-8000-000000000000' }, 'okmsId'],
    ['an unknown container', { containerRef: 'http://x/v1/containers/00000000-0000-4000-8000-000000000000' }, 'containerRef'],
  ])('refuses %s with a 4xx naming the field', async (_name, body, field) => {
    const certificate = body.certificate === 'CERT' ? file('leaf.crt') : body.certificate;
    const response = await verify({ ...body, ...(certificate === undefined ? {} : { certificate }) });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.json.field).toBe(field);
  });
});
