import { Pkcs10CertificateRequestGenerator, X509Certificate } from '../../src/ca/x509';
import { createDomain, createUsers, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import {
  opensslCsr, opensslCsrAsync, opensslText, opensslVerify, publicKeyOfCert, publicKeyOfPrivate, type CsrKey,
} from '../helpers/openssl';

let t: TestOkmsd;
let domain: { id: string; publicCA: string };
const base = () => `/okms/resource/${domain.id}/credential`;

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'credentials');
  await createUsers(t, 'alice', 'svc', 'bob');
});
afterAll(async () => {
  await t.dispose();
});

/** What every issued access certificate must show to openssl. */
function expectAccessCertificate(certificatePEM: string, credentialId: string, urns: string[], validityDays: number, rsa: boolean) {
  expect(opensslVerify(domain.publicCA, certificatePEM, 'sslclient')).toContain('OK');
  const text = opensslText(certificatePEM);
  expect(text).toContain(`Subject: CN = ${credentialId}`);
  expect(text).toContain('TLS Web Client Authentication');
  expect(text).not.toContain('TLS Web Server Authentication');
  expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
  expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/); // RSA too: client authentication only signs
  expect(text).toContain(rsa ? 'Public Key Algorithm: rsaEncryption' : 'Public Key Algorithm: id-ecPublicKey');
  expect(text).toContain(`othername: UPN::okms.domain:${domain.id}`);
  for (const urn of urns) expect(text).toContain(`URI:${urn}`);
  expect(text).not.toContain('evil');
  expect(text).toContain('Subject Key Identifier');
  expect(text).toContain('Authority Key Identifier');
  const cert = new X509Certificate(certificatePEM);
  const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000;
  expect(days).toBeGreaterThan(validityDays);
  expect(days).toBeLessThan(validityDays + 0.01); // plus the few minutes of backdating
  expect(cert.notBefore.getTime()).toBeLessThan(Date.now());
  expect(cert.serialNumber).toMatch(/^[0-7][0-9a-f]{31}$/);
}

describe('server-generated keys', () => {
  it.each([
    ['ECDSA', undefined, 'EC P-256', /NIST CURVE: P-256/],
    ['RSA', 'RSA', 'RSA 2048', /Public-Key: \(2048 bit\)/],
  ])('%s: returns the PKCS#8 key once, with a certificate that openssl verifies', async (_label, certificateType, keyAlgorithm, keyPattern) => {
    const urns = [rootUrn(), rootUrn('alice')];
    const response = await t.api('POST', base(), {
      body: { name: `srv-${_label}`, description: 'made by a test', identityURNs: urns, validity: 30, ...(certificateType ? { certificateType } : {}) },
    });
    expect(response.status).toBe(201);
    const c = response.json;
    expect(c).toMatchObject({
      name: `srv-${_label}`, description: 'made by a test', identityURNs: urns, status: 'READY', fromCSR: false,
      certificateType: certificateType ?? 'ECDSA', keyAlgorithm,
    });
    expect(c.privateKeyPEM).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicKeyOfPrivate(c.privateKeyPEM)).toBe(publicKeyOfCert(c.certificatePEM));
    expect(opensslText(c.certificatePEM)).toMatch(keyPattern);
    expectAccessCertificate(c.certificatePEM, c.id, urns, 30, certificateType === 'RSA');
    expect(Date.parse(c.expiredAt)).toBe(new X509Certificate(c.certificatePEM).notAfter.getTime());

    const again = await t.api('GET', `${base()}/${c.id}`);
    expect(again.status).toBe(200);
    expect(again.json.privateKeyPEM).toBeUndefined();
    expect(again.json.certificatePEM).toBe(c.certificatePEM);
    const listed = (await t.api('GET', base())).json as Array<Record<string, unknown>>;
    expect(listed.find((x) => x.id === c.id)).toBeDefined();
    expect(listed.every((x) => x.privateKeyPEM === undefined)).toBe(true);
  });

  it('defaults to ECDSA P-256 and 365 days', async () => {
    const c = (await t.api('POST', base(), { body: { name: 'defaults', identityURNs: [rootUrn()] } })).json;
    expect(c.certificateType).toBe('ECDSA');
    expectAccessCertificate(c.certificatePEM, c.id, [rootUrn()], 365, false);
  });
});

describe('CSR path with keys made by openssl req', () => {
  it.each<[CsrKey, string, string]>([
    ['rsa:2048', 'RSA', 'RSA 2048'],
    ['rsa:3072', 'RSA', 'RSA 3072'],
    ['rsa:4096', 'RSA', 'RSA 4096'],
    ['P-256', 'ECDSA', 'EC P-256'],
    ['P-384', 'ECDSA', 'EC P-384'],
    ['P-521', 'ECDSA', 'EC P-521'],
  ])('%s: signs the CSR key and ignores its subject and SANs', async (key, type, keyAlgorithm) => {
    const { csrPEM, keyPEM } = await opensslCsrAsync(key);
    const urns = [rootUrn('svc')];
    const response = await t.api('POST', base(), { body: { name: `csr-${key}`, identityURNs: urns, csr: csrPEM, validity: 10 } });
    expect(response.status).toBe(201);
    const c = response.json;
    expect(c).toMatchObject({ fromCSR: true, certificateType: type, keyAlgorithm, status: 'READY' });
    expect(c.privateKeyPEM).toBeUndefined();
    expect(publicKeyOfCert(c.certificatePEM)).toBe(publicKeyOfPrivate(keyPEM));
    expectAccessCertificate(c.certificatePEM, c.id, urns, 10, type === 'RSA');
  });

  it('accepts a CSR made by the library (WebCrypto) too', async () => {
    const keys = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
    const csr = await Pkcs10CertificateRequestGenerator.create({ name: 'CN=lib', keys, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } });
    const response = await t.api('POST', base(), { body: { name: 'lib-csr', identityURNs: [rootUrn()], csr: csr.toString('pem'), certificateType: 'RSA' } });
    expect(response.status).toBe(201);
    expectAccessCertificate(response.json.certificatePEM, response.json.id, [rootUrn()], 365, true);
  });

  describe('every way a CSR arrives', () => {
    const { csrPEM } = opensslCsr('P-256');
    const der = Buffer.from(csrPEM.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const query = `name=raw&identityURNs=${encodeURIComponent(rootUrn())}&identityURNs=${encodeURIComponent(rootUrn('bob'))}&validity=7`;
    it.each<[string, () => Promise<{ status: number; json: any }>]>([
      ['JSON string with \\n escapes', () => t.api('POST', base(), { body: { name: 'j', identityURNs: [rootUrn()], csr: csrPEM } })],
      ['JSON with literal backslash-n', () => t.api('POST', base(), { body: { name: 'j', identityURNs: [rootUrn()], csr: csrPEM.replace(/\n/g, '\\n') } })],
      ['JSON with CRLF', () => t.api('POST', base(), { body: { name: 'j', identityURNs: [rootUrn()], csr: csrPEM.replace(/\n/g, '\r\n') } })],
      ['JSON without final newline, with spaces', () => t.api('POST', base(), { body: { name: 'j', identityURNs: [rootUrn()], csr: `  ${csrPEM.trim()}  ` } })],
      ['JSON with base64 DER', () => t.api('POST', base(), { body: { name: 'j', identityURNs: [rootUrn()], csr: der.toString('base64') } })],
      ['raw PEM body, application/pkcs10', () => t.api('POST', `${base()}?${query}`, { raw: csrPEM, contentType: 'application/pkcs10' })],
      ['raw PEM body, application/x-pem-file', () => t.api('POST', `${base()}?${query}`, { raw: csrPEM, contentType: 'application/x-pem-file' })],
      ['raw DER body, application/pkcs10', () => t.api('POST', `${base()}?${query}`, { raw: der, contentType: 'application/pkcs10' })],
    ])('%s', async (_name, send) => {
      const response = await send();
      expect(response.status).toBe(201);
      expect(response.json.fromCSR).toBe(true);
      expect(opensslVerify(domain.publicCA, response.json.certificatePEM)).toContain('OK');
    });

    it('takes the query fields of a raw-body request, typed', async () => {
      const response = await t.api('POST', `${base()}?${query}`, { raw: csrPEM, contentType: 'application/pkcs10' });
      expect(response.json).toMatchObject({ name: 'raw', identityURNs: [rootUrn(), rootUrn('bob')] });
      const cert = new X509Certificate(response.json.certificatePEM);
      expect(Math.round((cert.notAfter.getTime() - Date.now()) / 86_400_000)).toBe(7);
    });
  });

  it('infers certificateType from the CSR and refuses a contradiction', async () => {
    const { csrPEM } = opensslCsr('rsa:2048');
    const inferred = await t.api('POST', base(), { body: { name: 'infer', identityURNs: [rootUrn()], csr: csrPEM } });
    expect(inferred.json.certificateType).toBe('RSA');
    const contradiction = await t.api('POST', base(), { body: { name: 'x', identityURNs: [rootUrn()], csr: csrPEM, certificateType: 'ECDSA' } });
    expect(contradiction.status).toBe(400);
    expect(contradiction.json).toMatchObject({ code: 'ERR_CSR_KEY_MISMATCH', field: 'certificateType' });
  });
});

describe('revocation', () => {
  it('DELETE revokes at once: the serial joins the revocation list and the record is gone', async () => {
    const c = (await t.api('POST', base(), { body: { name: 'to-revoke', identityURNs: [rootUrn()] } })).json;
    const deleted = await t.api('DELETE', `${base()}/${c.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const revoked = await t.okmsd.store.revocations.get(domain.id, c.serialNumber);
    expect(revoked).toMatchObject({ credentialId: c.id, serial: c.serialNumber });
    expect((await t.api('GET', `${base()}/${c.id}`)).status).toBe(404);
    expect((await t.api('DELETE', `${base()}/${c.id}`)).status).toBe(404);
  });
});

describe('credential listing', () => {
  it('pages through every credential once, in creation order', async () => {
    const fresh = await createDomain(t, 'listing');
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      ids.push((await t.api('POST', `/okms/resource/${fresh.id}/credential`, { body: { name: `c${i}`, identityURNs: [rootUrn()] } })).json.id);
    }
    const seen: string[] = [];
    let next: string | null = '';
    while (next !== null) {
      const page = await t.api('GET', `/okms/resource/${fresh.id}/credential?limit=3${next ? `&cursor=${next}` : ''}`);
      seen.push(...page.json.map((c: { id: string }) => c.id));
      next = page.headers.get('x-pagination-cursor-next');
    }
    expect(seen).toEqual(ids);
  });
});

describe('status', () => {
  it('reports EXPIRED once expiredAt has passed', async () => {
    let now = new Date();
    const clocked = await startTestOkmsd({ clock: () => now });
    try {
      const d = await createDomain(clocked, 'clock');
      const c = (await clocked.api('POST', `/okms/resource/${d.id}/credential`, { body: { name: 'short', identityURNs: [rootUrn()], validity: 1 } })).json;
      expect(c.status).toBe('READY');
      now = new Date(Date.now() + 2 * 86_400_000);
      expect((await clocked.api('GET', `/okms/resource/${d.id}/credential/${c.id}`)).json.status).toBe('EXPIRED');
    } finally {
      await clocked.stop();
      removeDir(clocked.dataDir);
    }
  });
});
