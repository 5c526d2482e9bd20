import { randomBytes } from 'node:crypto';
import { decode, encode, LIMITS, messageLength, TtlvError, type TtlvItem } from '../../src/kmip/ttlv';

const hex = (text: string) => Buffer.from(text.replace(/[\s|]/g, ''), 'hex');

/**
 * The byte examples of the KMIP 1.x specification (§9.1.2, "Examples"), tag 0x420020 throughout: each decodes to
 * its item and encodes back to the same bytes.
 */
const EXAMPLES: Array<[string, TtlvItem, string]> = [
  ['Integer 8', { tag: 0x420020, type: 'integer', value: 8 }, '42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00'],
  ['Long Integer 123456789000000000', { tag: 0x420020, type: 'longInteger', value: 123456789000000000n }, '42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00'],
  ['Big Integer 1234567890000000000000000000', { tag: 0x420020, type: 'bigInteger', value: hex('0000000003FD35EB6BC2DF4618080000') }, '42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00'],
  ['Enumeration 255', { tag: 0x420020, type: 'enumeration', value: 255 }, '42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00'],
  ['Boolean True', { tag: 0x420020, type: 'boolean', value: true }, '42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01'],
  ['Text String "Hello World"', { tag: 0x420020, type: 'textString', value: 'Hello World' }, '42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00'],
  ['Byte String 0x010203', { tag: 0x420020, type: 'byteString', value: hex('010203') }, '42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00'],
  ['Date-Time 2008-03-14T11:56:40Z', { tag: 0x420020, type: 'dateTime', value: BigInt(Date.UTC(2008, 2, 14, 11, 56, 40) / 1000) }, '42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8'],
  ['Interval 10 days', { tag: 0x420020, type: 'interval', value: 864000 }, '42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00'],
  [
    'Structure of an Enumeration 254 and an Integer 255',
    { tag: 0x420020, type: 'structure', value: [{ tag: 0x420004, type: 'enumeration', value: 254 }, { tag: 0x420005, type: 'integer', value: 255 }] },
    '42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 | 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00',
  ],
];

/** A Discover Versions request as a client sends it: a realistic message to cut and flip. */
const REQUEST = encode({
  tag: 0x420078, type: 'structure', value: [
    { tag: 0x420077, type: 'structure', value: [
      { tag: 0x420069, type: 'structure', value: [{ tag: 0x42006a, type: 'integer', value: 1 }, { tag: 0x42006b, type: 'integer', value: 2 }] },
      { tag: 0x42000d, type: 'integer', value: 1 },
    ] },
    { tag: 0x42000f, type: 'structure', value: [{ tag: 0x42005c, type: 'enumeration', value: 30 }, { tag: 0x420079, type: 'structure', value: [{ tag: 0x420094, type: 'textString', value: 'id-1' }] }] },
  ],
});

/** Decoding untrusted bytes ends in an item or a TtlvError, and nothing else. */
function decodesOrRefuses(bytes: Buffer): 'item' | 'refused' {
  try {
    decode(bytes);
    return 'item';
  } catch (error) {
    if (error instanceof TtlvError) return 'refused';
    throw error;
  }
}

describe('TTLV', () => {
  it.each(EXAMPLES)('%s: the specification bytes decode to the item and encode back', (_name, item, bytes) => {
    expect(encode(item)).toEqual(hex(bytes));
    expect(decode(hex(bytes))).toEqual(item);
  });

  it('refuses what is malformed, naming why', () => {
    expect(() => decode(hex('42 00 20 | 02 | 00 00 00 08 | 00 00 00 08 00 00 00 00'))).toThrow('integer of length 8');
    expect(() => decode(hex('42 00 20 | 07 | 00 00 00 20 | 48 65'))).toThrow('value runs past');
    expect(() => decode(hex('99 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00'))).toThrow('not a KMIP tag');
    expect(() => decode(hex('42 00 20 | 0B | 00 00 00 04 | 00 00 00 08 00 00 00 00'))).toThrow('unknown type');
    expect(() => decode(hex('42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 02'))).toThrow('a boolean is 0 or 1');
    expect(() => decode(hex('42 00 20 | 07 | 00 00 00 02 | FF FE 00 00 00 00 00 00'))).toThrow('not UTF-8');
    expect(() => decode(Buffer.concat([REQUEST, Buffer.alloc(8)]))).toThrow('bytes after');
    expect(() => messageLength(hex('42 00 78 | 01 | 7F FF FF FF'))).toThrow('over the');
    expect(() => messageLength(hex('42 00 78 | 02 | 00 00 00 04'))).toThrow('a KMIP message is a structure');
  });

  it('bounds nesting depth and item count', () => {
    let deep: TtlvItem = { tag: 0x420020, type: 'integer', value: 1 };
    for (let i = 0; i < LIMITS.maxDepth + 2; i += 1) deep = { tag: 0x420020, type: 'structure', value: [deep] };
    expect(() => decode(encode(deep))).toThrow('nested deeper');
    const wide: TtlvItem = { tag: 0x420020, type: 'structure', value: Array.from({ length: LIMITS.maxItems + 1 }, () => ({ tag: 0x420020, type: 'boolean', value: true }) as TtlvItem) };
    expect(() => decode(encode(wide))).toThrow('more than');
  });

  it('fuzz: every truncation, 5,000 bit flips and 5,000 random messages decode or are refused, never throw otherwise', () => {
    const outcomes = { item: 0, refused: 0 };
    for (let cut = 0; cut < REQUEST.length; cut += 1) outcomes[decodesOrRefuses(REQUEST.subarray(0, cut))] += 1;
    for (let i = 0; i < 5000; i += 1) {
      const flipped = Buffer.from(REQUEST);
      flipped[i % flipped.length]! ^= 1 << (i % 8);
      outcomes[decodesOrRefuses(flipped)] += 1;
    }
    for (let i = 0; i < 5000; i += 1) {
      const random = randomBytes(8 + (i % 200));
      random[0] = 0x42; // mostly past the first check, so that the deeper ones run
      outcomes[decodesOrRefuses(random)] += 1;
    }
    expect(outcomes.item + outcomes.refused).toBe(REQUEST.length + 10_000);
    expect(outcomes.refused).toBeGreaterThan(5000);
  });
});
