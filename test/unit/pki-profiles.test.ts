import { BlockList, isIP } from 'node:net';
import { CLOCK_SKEW_BACKDATE_MS } from '../../src/ca/access-profile';
import { ipBytes } from '../../src/ca/leaf-certificate-der';
import { buildServerProfile, SERVER_CERTIFICATE_DAYS } from '../../src/ca/server-profile';
import { parseSubjectDn } from '../../src/secrets/subject-dn';

/** The 16 bytes as the full, uncompressed IPv6 text (eight 4-digit groups): a form every parser reads the same. */
const fullForm = (bytes: Buffer) => Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16).padStart(4, '0')).join(':');

describe('ipBytes', () => {
  const v6 = ['::', '::1', '1::', 'fe80::1', '2001:db8::8a2e:370:7334', '2001:DB8:0:0:1:0:0:1', '::ffff:192.0.2.1', '::FFFF:C000:0201', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', '2001:db8:0:0:0:0:2:1'];

  it.each(v6)('encodes %s to the 16 bytes Node itself parses it to', (address) => {
    const bytes = ipBytes(address);
    expect(bytes.length).toBe(16);
    // Node's own parser (libuv inet_pton behind BlockList) says the text and our bytes name the same address.
    const list = new BlockList();
    list.addAddress(address, 'ipv6');
    expect(list.check(fullForm(bytes), 'ipv6')).toBe(true);
    const other = new BlockList();
    other.addAddress(fullForm(bytes), 'ipv6');
    expect(other.check(address, 'ipv6')).toBe(true);
  });

  it('writes ::ffff:192.0.2.1 as …ffff c000 0201 (not …ffff 0192)', () => {
    expect(ipBytes('::ffff:192.0.2.1').toString('hex')).toBe('00000000000000000000ffffc0000201');
  });

  it('encodes IPv4 as 4 bytes and refuses what is no address, a zone included', () => {
    expect(ipBytes('192.0.2.1').toString('hex')).toBe('c0000201');
    for (const bad of ['fe80::1%eth0', '1.2.3', 'host.example', '1::2::3']) {
      expect(isIP(bad) === 0 || bad.includes('%')).toBe(true);
      expect(() => ipBytes(bad)).toThrow('not an IP address');
    }
  });
});

describe('the gateway server profile', () => {
  it('is valid for at most 397 days counted inclusively from notBefore, the clock-skew backdate included', () => {
    const profile = buildServerProfile(['kms.example'], new Date('2026-12-01T12:00:00.500Z'));
    const inclusiveMs = profile.notAfter.getTime() - profile.notBefore.getTime() + 1000;
    expect(inclusiveMs).toBe(SERVER_CERTIFICATE_DAYS * 86_400_000);
    expect(profile.notBefore.toISOString()).toBe(new Date(Date.parse('2026-12-01T12:00:00Z') - CLOCK_SKEW_BACKDATE_MS).toISOString());
  });
});

describe('order subject DNs', () => {
  it('puts the RDNs of an RFC 4514 string in certificate order (last first), and the slash form as written', () => {
    const oids = (dn: string) => parseSubjectDn(dn).rdns.map((r) => r.value);
    expect(oids('cn=www.example.com,o=Example,c=FR')).toEqual(['FR', 'Example', 'www.example.com']);
    expect(oids('/C=FR/O=Example/CN=www.example.com')).toEqual(['FR', 'Example', 'www.example.com']);
    expect(oids('cn=only')).toEqual(['only']);
  });
});
