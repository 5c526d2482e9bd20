/**
 * A minimal DER encoder for the few ASN.1 shapes access certificates, CRLs and OCSP responses need. Encoding by hand
 * is ~50× faster than a schema-driven serializer (issuance is the control plane's hot path; bench/crl shows the same
 * for CRLs); every byte it produces is checked by openssl, and CRLs and OCSP responses by pkilint, in the tests.
 */

/**
 * One TLV, written once into a buffer of its final size: a certificate is ~50 of them, and building each from
 * concatenated pieces (four allocations and two copies apiece) was most of its encoding time. Every byte of the
 * result is written (header, then each part), so the unzeroed allocation never shows old memory.
 */
export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  let length = 0;
  for (const part of content) length += part.length;
  const lengthBytes = length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : length < 0x1000000 ? 3 : 4;
  const out = Buffer.allocUnsafe(2 + lengthBytes + length);
  out[0] = tag;
  if (lengthBytes === 0) out[1] = length;
  else {
    out[1] = 0x80 | lengthBytes;
    for (let i = 0; i < lengthBytes; i += 1) out[2 + i] = Math.floor(length / 256 ** (lengthBytes - 1 - i)) & 0xff;
  }
  let offset = 2 + lengthBytes;
  for (const part of content) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const sequence = (...items: Uint8Array[]): Buffer => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]): Buffer => tlv(0x31, ...items);
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);
export const utf8String = (value: string): Buffer => tlv(0x0c, Buffer.from(value, 'utf8'));
export const TRUE = Buffer.from([0x01, 0x01, 0xff]);
/** [n] EXPLICIT: a constructed context-specific wrapper around one element. */
export const explicit = (tagNumber: number, inner: Uint8Array): Buffer => tlv(0xa0 | tagNumber, inner);
/** [n] IMPLICIT over a primitive type: same content bytes, context-specific tag. */
export const implicitPrimitive = (tagNumber: number, content: Uint8Array): Buffer => tlv(0x80 | tagNumber, content);

/** Content bytes of an IA5String (ASCII only). */
export function ascii(value: string): Buffer {
  if (!/^[\x00-\x7f]*$/.test(value)) throw new Error('IA5String accepts ASCII only');
  return Buffer.from(value, 'ascii');
}

/** A non-negative INTEGER from big-endian hex, in minimal two's-complement form. */
export function integerFromHex(hex: string): Buffer {
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

export const integer = (value: number): Buffer => integerFromHex(value.toString(16));

const oidCache = new Map<string, Buffer>();
export function oid(dotted: string): Buffer {
  let cached = oidCache.get(dotted);
  if (!cached) {
    const arcs = dotted.split('.').map(Number);
    const bytes: number[] = [];
    // The first two arcs travel as one (X*40+Y), base-128 like the rest (2.999 is two bytes).
    for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
      const base128: number[] = [arc & 0x7f];
      for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) base128.unshift(0x80 | (rest & 0x7f));
      bytes.push(...base128);
    }
    cached = tlv(0x06, Buffer.from(bytes));
    oidCache.set(dotted, cached);
  }
  return cached;
}

/** BIT STRING holding whole bytes (keys, signatures). */
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), bytes);

/** A named-bit BIT STRING (keyUsage) from bit numbers, with trailing zero bits removed as DER requires. */
export function namedBits(bitNumbers: readonly number[]): Buffer {
  const highest = Math.max(...bitNumbers);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bitNumbers) bytes[Math.floor(bit / 8)]! |= 0x80 >> bit % 8;
  return tlv(0x03, Buffer.from([7 - (highest % 8)]), bytes);
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), whole seconds, Zulu. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** GeneralizedTime, whole seconds, Zulu (OCSP uses it for every time). */
export function generalizedTime(date: Date): Buffer {
  const iso = date.toISOString();
  return tlv(0x18, Buffer.from(`${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`, 'ascii'));
}

/** Reads one TLV at `offset`: its tag, where its content starts and ends. Definite lengths only (DER). */
export function readTlv(der: Uint8Array, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i += 1) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, start, end };
}

/** The dotted form of an OBJECT IDENTIFIER's content bytes; throws on a malformed encoding. */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0 || content.length > 64) throw new Error('bad OID length');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i += 1) {
    const byte = content[i]!;
    if (value === 0 && byte === 0x80) throw new Error('non-minimal OID arc');
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new Error('OID arc too large');
    if (!(byte & 0x80)) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    } else if (i === content.length - 1) throw new Error('truncated OID');
  }
  return arcs.join('.');
}
