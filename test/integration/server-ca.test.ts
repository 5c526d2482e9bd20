import { createHash, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBarbicanUser, keystoneToken } from '../helpers/barbican';
import { createDomain, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { crlDerToPem, opensslRun, opensslText, opensslVerify } from '../helpers/openssl';

let t: TestOkmsd;
let domain: { id: string; publicCA: string };
let token: string;

const local = (ref: string) => ref.replace(/^https?:\/\/[^/]+/, t.okmsd.controlUrl);
async function barbican(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(local(path.startsWith('http') ? path : `${t.okmsd.controlUrl}${path}`), { method, headers: { 'x-auth-token': token, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return response.json();
}
async function certificateOf(containerRef: string): Promise<string> {
  const container = await barbican('GET', containerRef);
  const certRef = container.secret_refs.find((r: { name: string }) => r.name === 'certificate').secret_ref;
  return (await fetch(`${local(certRef)}/payload`, { headers: { 'x-auth-token': token, accept: 'application/x-pem-file' } })).text();
}
async function order(subjectDn: string): Promise<{ status: string; error_reason?: string; container_ref?: string }> {
  const created = await barbican('POST', '/v1/orders', { type: 'certificate', meta: { subject_dn: subjectDn } });
  return barbican('GET', created.order_ref);
}

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'server-ca');
  await createBarbicanUser(t, 'web', 'a-long-password-2', [domain.id]);
  token = await keystoneToken(t, 'web', 'a-long-password-2', { id: domain.id });
});
afterAll(() => t.dispose());

describe('TLS server certificates come from a constrained server CA, for allowed names only', () => {
  it('refuses every server certificate while the domain has no name policy (the order ends in ERROR, saying why)', async () => {
    const refused = await order('cn=www.google.com,o=Google');
    expect(refused.status).toBe('ERROR');
    expect(refused.error_reason).toContain('no name policy');
  });

  it('refuses bad policies with a 400 naming the field', async () => {
    const bad = [
      [{ allowedDomains: ['not a domain!'] }, 'allowedDomains[0]'],
      [{ allowedDomains: ['example.com'], allowedIpRanges: ['10.0.0.0/99'] }, 'allowedIpRanges[0]'],
      [{}, 'allowedDomains'],
      [{ allowedDomains: ['example.com'], allowBareDomains: false, allowSubdomains: false }, 'allowSubdomains'],
      [{ allowedDomains: 'example.com' }, 'allowedDomains'],
    ] as const;
    for (const [body, field] of bad) {
      const response = await t.api('PUT', `/okms/resource/${domain.id}/name-policy`, { body });
      expect([response.status, response.json.field ?? response.text]).toEqual([400, field]);
    }
  });

  it('signs only names the policy allows, from a server CA with nameConstraints that openssl enforces', async () => {
    const set = await t.api('PUT', `/okms/resource/${domain.id}/name-policy`, { body: { allowedDomains: ['example.com'] } });
    expect(set.status).toBe(200);
    const serverCA: string = set.json.serverCA;
    const caText = opensslText(serverCA);
    expect(caText).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:example.com\s+Excluded:\s+IP:0.0.0.0\/0.0.0.0\s+IP:0:0:0:0:0:0:0:0\/0:0:0:0:0:0:0:0/);
    expect(caText).not.toContain('Extended Key Usage'); // a root: no EKU; its leaves are serverAuth

    for (const [dn, rule] of [['cn=www.google.com,o=Google', 'allowedDomains: example.com'], ['cn=*.example.com', 'allowWildcards false'], ['cn=127.0.0.1', 'allowedIpRanges'], ['cn=example.com.evil.net', 'allowedDomains']]) {
      const refused = await order(dn!);
      expect([dn, refused.status]).toEqual([dn, 'ERROR']);
      expect(refused.error_reason).toContain(rule);
    }

    const allowed = await order('cn=api.example.com,o=Example');
    expect(allowed.status).toBe('ACTIVE');
    const container = await barbican('GET', allowed.container_ref!);
    const certRef = container.secret_refs.find((r: { name: string }) => r.name === 'certificate').secret_ref;
    const pem = await (await fetch(`${local(certRef)}/payload`, { headers: { 'x-auth-token': token, accept: 'application/x-pem-file' } })).text();
    const chainRef = container.secret_refs.find((r: { name: string }) => r.name === 'intermediates').secret_ref;
    const chain = await (await fetch(`${local(chainRef)}/payload`, { headers: { 'x-auth-token': token, accept: 'application/x-pem-file' } })).text();
    expect(chain.trim()).toBe(serverCA.trim());
    const certificate = new X509Certificate(pem);
    expect(certificate.verify(new X509Certificate(serverCA).publicKey)).toBe(true);
    expect(certificate.verify(new X509Certificate(domain.publicCA).publicKey)).toBe(false); // never the client-auth CA
    expect(opensslVerify(serverCA, pem)).toContain('OK');

    const served = await fetch(`${t.okmsd.controlUrl}/pki/${domain.id}/server-ca.crt`);
    expect(new X509Certificate(Buffer.from(await served.arrayBuffer())).fingerprint256).toBe(new X509Certificate(serverCA).fingerprint256);
  });

  it('widens with the policy: wildcards and an IP range once allowed, under a new server CA', async () => {
    const before = (await t.api('GET', `/okms/resource/${domain.id}/name-policy`)).json;
    const set = await t.api('PUT', `/okms/resource/${domain.id}/name-policy`, { body: { allowedDomains: ['example.com'], allowWildcards: true, allowedIpRanges: ['192.0.2.0/24'] } });
    expect(set.json.version).toBe(before.version + 1);
    expect(set.json.serverCA).not.toBe(before.serverCA);
    expect((await order('cn=*.example.com')).status).toBe('ACTIVE');
    expect((await order('cn=192.0.2.10')).status).toBe('ACTIVE');
    expect((await order('cn=198.51.100.1')).error_reason).toContain('outside the name policy');
    const work = tempDir('okmsd-server-ca-');
    writeFileSync(join(work, 'ca.pem'), set.json.serverCA);
    expect(opensslText(set.json.serverCA)).toMatch(/Permitted:\s+DNS:example.com\s+IP:192.0.2.0\/255.255.255.0/);
  });

  it('publishes revocation of server certificates: CDP and AIA name the server CA, whose CRL and OCSP openssl checks', async () => {
    const policy = (await t.api('GET', `/okms/resource/${domain.id}/name-policy`)).json;
    const work = tempDir('okmsd-server-revoke-');
    const file = (name: string, content: string | Buffer) => {
      writeFileSync(join(work, name), content);
      return join(work, name);
    };
    const ca = file('server-ca.pem', policy.serverCA);
    const issued = await order('cn=revoked.example.com');
    expect(issued.status).toBe('ACTIVE');
    const pem = await certificateOf(issued.container_ref!);
    const cert = file('server.pem', pem);
    const serverCaId = createHash('sha256').update(new X509Certificate(policy.serverCA).raw).digest('hex').slice(0, 32);
    const base = `${t.okmsd.controlUrl}/pki/${domain.id}`;
    const text = opensslText(pem);
    expect(text).toContain(`URI:${base}/crl/${serverCaId}`);
    expect(text).toContain(`OCSP - URI:${base}/ocsp`);
    expect(text).toContain(`CA Issuers - URI:${base}/server-ca.crt`);

    const ask = () => opensslRun(['ocsp', '-issuer', ca, '-cert', cert, '-url', `${base}/ocsp`, '-CAfile', ca]);
    expect((await ask()).out).toContain(`${cert}: good`);
    const crl = async () => {
      await t.okmsd.services.crls.build(domain.id);
      const response = await fetch(`${base}/crl/${serverCaId}`);
      expect(response.status).toBe(200);
      return file(`crl-${Date.now()}.pem`, crlDerToPem(Buffer.from(await response.arrayBuffer())));
    };
    const verify = async (crlFile: string) => opensslRun(['verify', '-crl_check', '-CRLfile', crlFile, '-CAfile', ca, '-purpose', 'sslserver', cert]);
    expect((await verify(await crl())).code).toBe(0);

    const serial = new X509Certificate(pem).serialNumber.toLowerCase();
    const path = `/okms/resource/${domain.id}/server-certificate/${serial}/revoke`;
    // Bad input changes nothing: an unknown reason, a serial that is not hex, a serial never issued.
    expect((await t.api('POST', path, { body: { reason: 'because' } })).json.field).toBe('reason');
    expect((await t.api('POST', `/okms/resource/${domain.id}/server-certificate/xyz/revoke`, { body: {} })).json.field).toBe('serial');
    expect((await t.api('POST', `/okms/resource/${domain.id}/server-certificate/0abc/revoke`, { body: {} })).status).toBe(404);
    expect((await ask()).out).toContain(`${cert}: good`);

    const revoked = await t.api('POST', path, { body: { reason: 'keyCompromise' } });
    expect([revoked.status, revoked.json.serial, revoked.json.reason]).toEqual([200, serial, 'keyCompromise']);
    expect((await t.api('POST', path, { body: {} })).status).toBe(409);
    const after = await ask();
    expect(after.out).toContain(`${cert}: revoked`);
    expect(after.out).toContain('Reason: keyCompromise');
    const verdict = await verify(await crl());
    expect(verdict.code).not.toBe(0);
    expect(verdict.out).toContain('certificate revoked');
  });
});
