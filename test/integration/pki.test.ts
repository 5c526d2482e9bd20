import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDomain, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { crlDerToPem, opensslRun, opensslText } from '../helpers/openssl';
import { requireTools } from '../helpers/outside-tools';

let t: TestOkmsd;
let domain: { id: string; publicCA: string };
let work: string;

const openssl = opensslRun;

const file = (name: string, content: string | Buffer) => {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
};

async function issue(name: string): Promise<{ id: string; certificatePEM: string }> {
  const response = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name, identityURNs: [rootUrn()] } });
  expect(response.status).toBe(201);
  return response.json;
}

async function crlPem(): Promise<string> {
  await t.okmsd.services.crls.build(domain.id);
  const response = await fetch(`${t.okmsd.controlUrl}/pki/${domain.id}/crl`);
  expect([response.status, response.headers.get('content-type')]).toEqual([200, 'application/pkix-crl']);
  return crlDerToPem(Buffer.from(await response.arrayBuffer()));
}

beforeAll(async () => {
  requireTools('openssl');
  t = await startTestOkmsd();
  domain = await createDomain(t, 'pki');
  work = tempDir('okmsd-pki-');
});
afterAll(() => t.dispose());

describe('revocation for relying parties', () => {
  it('names the CRL, the OCSP responder and the CA certificate in every access certificate, all on plain HTTP', async () => {
    const credential = await issue('named');
    const text = opensslText(credential.certificatePEM);
    const base = `${t.okmsd.controlUrl}/pki/${domain.id}`;
    expect(text).toMatch(new RegExp(`X509v3 CRL Distribution Points:\\s+Full Name:\\s+URI:${base}/crl/[0-9a-f]{32}\\n`));
    expect(text).toContain(`OCSP - URI:${base}/ocsp`);
    expect(text).toContain(`CA Issuers - URI:${base}/ca.crt`);
    const ca = await fetch(`${base}/ca.crt`);
    expect(ca.headers.get('content-type')).toBe('application/pkix-cert');
    const caPem = (await openssl(['x509', '-inform', 'DER', '-in', file('ca.der', Buffer.from(await ca.arrayBuffer()))])).out;
    expect(caPem.replace(/\s+/g, '')).toBe(domain.publicCA.replace(/\s+/g, ''));
  });

  it('publishes a CRL signed by the domain CA that openssl verifies, and a revoked credential fails openssl verify -crl_check', async () => {
    const ca = file('ca.pem', domain.publicCA);
    const credential = await issue('to-revoke');
    const cert = file('revoked.pem', credential.certificatePEM);
    const before = file('before.crl', await crlPem());
    expect((await openssl(['crl', '-in', before, '-CAfile', ca, '-noout'])).out).toContain('verify OK');
    expect((await openssl(['verify', '-crl_check', '-CRLfile', before, '-CAfile', ca, '-purpose', 'sslclient', cert])).code).toBe(0);
    expect((await t.api('DELETE', `/okms/resource/${domain.id}/credential/${credential.id}`)).status).toBe(204);
    const after = file('after.crl', await crlPem());
    const listed = (await openssl(['crl', '-in', after, '-noout', '-text'])).out;
    const serial = (await openssl(['x509', '-in', cert, '-noout', '-serial'])).out.trim().split('=')[1]!;
    expect(listed).toContain(`Serial Number: ${serial}`);
    expect(listed).toMatch(/X509v3 CRL Number:\s+\d+/);
    expect(listed).toContain('Cessation Of Operation');
    const verdict = await openssl(['verify', '-crl_check', '-CRLfile', after, '-CAfile', ca, '-purpose', 'sslclient', cert]);
    expect(verdict.code).not.toBe(0);
    expect(verdict.out).toContain('certificate revoked');
  });

  it('answers OCSP (POST, with a nonce, as openssl ocsp asks): good before the DELETE, revoked after, signed by the CA', async () => {
    const ca = file('ca.pem', domain.publicCA);
    const credential = await issue('ocsp');
    const cert = file('ocsp.pem', credential.certificatePEM);
    const url = `${t.okmsd.controlUrl}/pki/${domain.id}/ocsp`;
    const ask = () => openssl(['ocsp', '-issuer', ca, '-cert', cert, '-url', url, '-CAfile', ca]);
    const good = await ask();
    expect(good.out).toContain('Response verify OK');
    expect(good.out).toContain(`${cert}: good`);
    expect(good.out).not.toContain('WARNING: no nonce');
    expect((await t.api('DELETE', `/okms/resource/${domain.id}/credential/${credential.id}`)).status).toBe(204);
    const revoked = await ask();
    expect(revoked.out).toContain(`${cert}: revoked`);
    expect(revoked.out).toContain('Reason: cessationOfOperation');
  });

  it('answers OCSP by GET too, says unknown for a serial it never issued, and malformedRequest for garbage', async () => {
    const ca = file('ca.pem', domain.publicCA);
    const credential = await issue('ocsp-get');
    const request = file('req.der', '');
    await openssl(['ocsp', '-issuer', ca, '-cert', file('get.pem', credential.certificatePEM), '-no_nonce', '-reqout', request]);
    const encoded = encodeURIComponent((await import('node:fs')).readFileSync(request).toString('base64'));
    const response = await fetch(`${t.okmsd.controlUrl}/pki/${domain.id}/ocsp/${encoded}`);
    expect(response.headers.get('content-type')).toBe('application/ocsp-response');
    const answer = file('get.resp', Buffer.from(await response.arrayBuffer()));
    expect((await openssl(['ocsp', '-respin', answer, '-issuer', ca, '-CAfile', ca, '-resp_text'])).out).toMatch(/Cert Status: good/);
    const unknown = await openssl(['ocsp', '-issuer', ca, '-serial', '0x1234', '-url', `${t.okmsd.controlUrl}/pki/${domain.id}/ocsp`, '-CAfile', ca]);
    expect(unknown.out).toContain('0x1234: unknown');
    const garbage = await fetch(`${t.okmsd.controlUrl}/pki/${domain.id}/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: 'not DER' });
    expect([garbage.status, Buffer.from(await garbage.arrayBuffer()).toString('hex')]).toEqual([200, '30030a0101']); // OCSPResponse { malformedRequest }
  });

  it('is 404 for a domain that does not exist and 400 for an id that is no UUID, naming the parameter', async () => {
    const missing = await t.api('GET', '/pki/00000000-0000-4000-8000-000000000000/crl', { token: null });
    expect([missing.status, missing.json.field ?? missing.json.message]).toEqual([404, 'okmsId']);
    const bad = await t.api('GET', '/pki/not-a-uuid/crl', { token: null });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('okmsId');
  });
});
