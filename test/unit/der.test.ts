import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import { decodeOid, tlv, integerFromHex, namedBits, oid, readTlv, time } from '../../src/ca/der';
import { keyIdentifierHex } from '../../src/ca/key-identifier';
import { SubjectKeyIdentifierExtension } from '../../src/ca/x509';

describe('DER encoder', () => {
  it.each([
    ['00', '020100'],
    ['7f', '02017f'],
    ['80', '02020080'],
    ['0000ff', '020200ff'],
    ['0102', '02020102'],
  ])('INTEGER %s', (hex, der) => expect(integerFromHex(hex).toString('hex')).toBe(der));

  it('encodes OIDs as asn1js does', () => {
    for (const dotted of ['2.5.29.17', '1.3.6.1.4.1.311.20.2.3', '1.2.840.10045.4.3.2', '1.3.6.1.5.5.7.3.2']) {
      const decoded = asn1js.fromBER(oid(dotted));
      expect((decoded.result as asn1js.ObjectIdentifier).valueBlock.toString()).toBe(dotted);
    }
  });

  it('encodes keyUsage named bits minimally', () => {
    expect(namedBits([0]).toString('hex')).toBe('03020780'); // digitalSignature
    expect(namedBits([0, 2]).toString('hex')).toBe('030205a0'); // + keyEncipherment
    expect(namedBits([5, 6]).toString('hex')).toBe('03020106'); // keyCertSign + cRLSign
  });

  it('uses UTCTime until 2049 and GeneralizedTime from 2050', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(time(new Date('2049-12-31T23:59:59Z'))[0]).toBe(0x17);
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1').slice(2)).toBe('20500101000000Z');
    expect(time(new Date('2050-01-01T00:00:00Z'))[0]).toBe(0x18);
  });

  it('reads long-form lengths and refuses truncation', () => {
    const long = Buffer.concat([Buffer.from([0x04, 0x82, 0x01, 0x00]), Buffer.alloc(256)]);
    expect(readTlv(long, 0)).toEqual({ tag: 0x04, start: 4, end: 260 });
    expect(() => readTlv(long.subarray(0, 100), 0)).toThrow('truncated');
  });
});

describe('tlv', () => {
  it.each([0, 1, 127, 128, 255, 256, 65_535, 65_536, 16_777_215, 16_777_216])('writes a %i-byte content with its minimal DER length, read back by readTlv and asn1js', (length) => {
    const content = Buffer.alloc(length, 0xab);
    const half = Math.floor(length / 2);
    const encoded = tlv(0x04, content.subarray(0, half), content.subarray(half));
    const item = readTlv(encoded, 0);
    expect(item).toEqual({ tag: 0x04, start: encoded.length - length, end: encoded.length });
    expect(encoded.subarray(item.start).equals(content)).toBe(true);
    const header = length < 0x80 ? 2 : 2 + Math.ceil(Math.log2(length + 1) / 8);
    expect(item.start).toBe(header);
    if (length < 100_000) expect(Buffer.from((asn1js.fromBER(encoded).result as asn1js.OctetString).valueBlock.valueHexView).equals(content)).toBe(true);
  });
});

describe('decodeOid', () => {
  it.each(['1.2.840.10045.4.3.2', '1.2.840.113549.1.1.11', '2.5.29.17', '1.3.6.1.4.1.311.21.7', '2.999.3', '0.9.2342.19200300.100.1.1'])('reads back %s as the encoder wrote it and asn1js reads it', (dotted) => {
    const encoded = oid(dotted);
    const item = readTlv(encoded, 0);
    expect(decodeOid(encoded.subarray(item.start, item.end))).toBe(dotted);
    expect((asn1js.fromBER(encoded).result as asn1js.ObjectIdentifier).valueBlock.toString()).toBe(dotted);
  });

  it.each([
    ['empty', []],
    ['truncated (the last byte continues)', [0x2a, 0x86]],
    ['a non-minimal arc (leading 0x80)', [0x2a, 0x80, 0x01]],
    ['an arc past 2^53', [0x2a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]],
  ])('refuses %s', (_, bytes) => {
    expect(() => decodeOid(Uint8Array.from(bytes as number[]))).toThrow();
  });
});

describe('keyIdentifierHex', () => {
  it.each([
    ['ec', { namedCurve: 'P-256' }],
    ['ec', { namedCurve: 'P-521' }],
    ['rsa', { modulusLength: 2048 }],
  ] as const)('matches @peculiar/x509 for %s %j', async (type, options) => {
    const { publicKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const reference = await SubjectKeyIdentifierExtension.create(new Uint8Array(spki));
    expect(keyIdentifierHex(spki)).toBe(reference.keyId);
    expect(createPublicKey({ key: spki, format: 'der', type: 'spki' }).type).toBe('public');
  });

  it('refuses something that is not an SPKI', () => {
    expect(() => keyIdentifierHex(Buffer.from('300302010a', 'hex'))).toThrow('not a SubjectPublicKeyInfo');
  });
});
