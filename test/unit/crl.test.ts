import { X509Certificate, X509Crl } from '../../src/ca/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateList, CRLReason } from '@peculiar/asn1-x509';
import { buildCrl } from '../../src/ca/crl';
import { openServices, type ServiceSet } from '../helpers/services';

let s: ServiceSet;
afterAll(() => s.close());
beforeAll(async () => {
  s = await openServices();
});

describe('buildCrl (hand DER), read back by the maintained parsers', () => {
  it('writes every entry with its serial, time and reason, the CRL number and the authority key id, and a signature that verifies', async () => {
    const domain = await s.newDomain();
    const ca = await s.domains.signer(domain);
    const entries = [
      { serial: '0102030405060708090a0b0c0d0e0f10', revokedAt: '2026-11-30T10:00:00.000Z', reason: 'keyCompromise' },
      { serial: '7f00000000000000000000000000ffff', revokedAt: '2026-11-30T11:00:00.000Z', reason: 'cessationOfOperation' },
      { serial: '80', revokedAt: '2026-11-30T12:00:00.000Z', reason: 'test' }, // high bit: a sign byte; unknown reason: no code
    ];
    const der = await buildCrl(ca, { entries, thisUpdate: new Date('2026-12-01T00:00:00Z'), nextUpdate: new Date('2026-12-02T00:00:00Z'), crlNumber: 1764547200123n });
    const parsed = AsnConvert.parse(der, CertificateList);
    const list = parsed.tbsCertList;
    expect(list.version).toBe(1);
    expect(list.thisUpdate.getTime().toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(list.nextUpdate!.getTime().toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(list.revokedCertificates!.map((r) => Buffer.from(r.userCertificate).toString('hex'))).toEqual(['0102030405060708090a0b0c0d0e0f10', '7f00000000000000000000000000ffff', '0080']);
    expect(list.revokedCertificates!.map((r) => r.revocationDate.getTime().toISOString())).toEqual(entries.map((e) => e.revokedAt));
    const reasons = list.revokedCertificates!.map((r) => (r.crlEntryExtensions?.[0] ? AsnConvert.parse(r.crlEntryExtensions[0].extnValue, CRLReason).reason : undefined));
    expect(reasons).toEqual([1, 5, undefined]);
    const crl = new X509Crl(new Uint8Array(der));
    expect(crl.getExtension('2.5.29.20')).toBeDefined();
    expect(Buffer.from(crl.getExtension('2.5.29.35')!.value).toString('hex')).toContain(ca.subjectKeyIdHex);
    const caCertificate = new X509Certificate(domain.caCertificatePEM);
    expect(await crl.verify({ publicKey: await caCertificate.publicKey.export() })).toBe(true);
  });

  it('writes an empty CRL without a revokedCertificates field (RFC 5280 §5.1.2.6)', async () => {
    const domain = await s.newDomain();
    const der = await buildCrl(await s.domains.signer(domain), { entries: [], thisUpdate: new Date(), nextUpdate: new Date(Date.now() + 1000), crlNumber: 1n });
    expect(AsnConvert.parse(der, CertificateList).tbsCertList.revokedCertificates).toBeUndefined();
  });
});
