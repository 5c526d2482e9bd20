import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createDomain, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';
import { opensslText, opensslVerify } from '../helpers/openssl';

const run = promisify(execFile);
let t: TestOkmsd;
let domain: { id: string; publicCA: string };
let now = new Date(); // real time at first: TLS clients check the gateway's certificate against the real clock
const random = () => `/api/${domain.id}/v1/random?length=8`;

async function credential(name: string) {
  const response = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name, identityURNs: [rootUrn()] } });
  expect(response.status).toBe(201);
  return { id: response.json.id as string, cert: response.json.certificatePEM as string, key: response.json.privateKeyPEM as string };
}
const issuerOf = (pem: string) => new X509Certificate(pem).issuer;
const pemsOf = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

beforeAll(async () => {
  t = await startTestOkmsd({ clock: () => now });
  domain = await createDomain(t, 'rotating');
});
afterAll(() => t.dispose());

describe('CA rotation without mTLS downtime', () => {
  it('stages a successor, switches to it, and keeps old-CA clients working through the overlap while new ones work at once', async () => {
    const oldCa = domain.publicCA;
    const before = await credential('before');
    expect((await mtlsCall(t, random(), before)).status).toBe(200);

    // 1. Stage: both CAs are trusted and published; issuance stays with the old CA.
    const staged = await t.api('POST', `/okms/resource/${domain.id}/ca/rotate`);
    expect(staged.status).toBe(201);
    expect(staged.json.caRotation).toEqual({ successorStaged: true, previousRetiresAt: null });
    const stagedBundle = pemsOf(staged.json.publicCA);
    expect(stagedBundle).toHaveLength(2);
    expect(stagedBundle[0]!.trim()).toBe(oldCa.trim());
    const bundle = await fetch(`${t.okmsd.controlUrl}/pki/${domain.id}/ca-bundle.pem`);
    expect(bundle.headers.get('etag')).toMatch(/^"[\w-]{22}"$/);
    expect(pemsOf(await bundle.text())).toEqual(stagedBundle);
    const stillOld = await credential('still-old');
    expect(issuerOf(stillOld.cert)).toBe(issuerOf(before.cert));
    expect((await t.api('POST', `/okms/resource/${domain.id}/ca/rotate`)).status).toBe(409); // one successor at a time
    now = new Date(now.getTime() + 1100); // every node sees a domain's CAs change within the 1 s bound (the injected clock)

    // 2. Switch: the successor issues; the old CA's certificates keep working for the overlap.
    const switched = await t.api('POST', `/okms/resource/${domain.id}/ca/switch`, { body: { overlapSeconds: 3600 } });
    expect(switched.status).toBe(200);
    const newCa = stagedBundle[1]!;
    expect(pemsOf(switched.json.publicCA).map((p) => p.trim())).toEqual([newCa.trim(), oldCa.trim()]);
    expect(switched.json.caRotation.previousRetiresAt).toBe(new Date(now.getTime() + 3600_000).toISOString());
    now = new Date(now.getTime() + 1100);
    const after = await credential('after');
    expect(opensslVerify(newCa, after.cert, 'sslclient')).toContain('OK');
    expect(issuerOf(after.cert)).toBe(new X509Certificate(newCa).subject);
    expect((await mtlsCall(t, random(), after)).status).toBe(200); // a new client works at once
    expect((await mtlsCall(t, random(), before)).status).toBe(200); // an old one keeps working
    expect((await t.api('POST', `/okms/resource/${domain.id}/ca/switch`)).status).toBe(409); // nothing staged

    // Revocation still reaches relying parties for certificates of either CA: each CA has its CRL, OCSP answers for both.
    const generation = (pem: string) => createHash('sha256').update(new X509Certificate(pem).raw).digest('hex').slice(0, 32);
    const oldCrlUrl = `${t.okmsd.controlUrl}/pki/${domain.id}/crl/${generation(oldCa)}`;
    expect(opensslText(before.cert)).toContain(`URI:${oldCrlUrl}`);
    expect(opensslText(after.cert)).toContain(`URI:${t.okmsd.controlUrl}/pki/${domain.id}/crl/${generation(newCa)}`);
    expect((await t.api('DELETE', `/okms/resource/${domain.id}/credential/${before.id}`)).status).toBe(204);
    await t.okmsd.services.crls.build(domain.id);
    const work = tempDir('okmsd-rotation-');
    const file = (name: string, content: string | Buffer) => (writeFileSync(join(work, name), content), join(work, name));
    const oldCrl = file('old.crl', Buffer.from(await (await fetch(oldCrlUrl)).arrayBuffer()));
    expect(execFileSync('openssl', ['crl', '-inform', 'DER', '-in', oldCrl, '-CAfile', file('old-ca.pem', oldCa), '-noout'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    // Asynchronously: openssl talks to the okmsd in this very process, whose event loop must keep running.
    const ocsp = (await run('openssl', ['ocsp', '-issuer', join(work, 'old-ca.pem'), '-cert', file('before.pem', before.cert), '-url', `${t.okmsd.controlUrl}/pki/${domain.id}/ocsp`, '-CAfile', join(work, 'old-ca.pem')], { encoding: 'utf8' })).stdout;
    expect(ocsp).toContain('before.pem: revoked'); // answered and signed by the old CA, for its own certificate
    const still = await credential('still-trusted');
    expect((await mtlsCall(t, random(), still)).status).toBe(200);

    // 3. After the overlap the old CA is retired: its certificates are refused; new ones keep working.
    expect((await mtlsCall(t, random(), stillOld)).status).toBe(200); // the old CA's, never revoked: fine in the overlap
    now = new Date(now.getTime() + 3601_000);
    const retired = await mtlsCall(t, random(), stillOld); // …and refused once its CA has retired
    expect([retired.status, retired.json.reason]).toEqual([401, 'cert_untrusted']);
    expect((await mtlsCall(t, random(), after)).status).toBe(200);
    expect(pemsOf((await t.api('GET', `/okms/resource/${domain.id}`)).json.publicCA)).toHaveLength(1);
  });
});
