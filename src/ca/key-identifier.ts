import { createHash } from 'node:crypto';
import { readTlv } from './der';

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bit string of an SPKI, as hex. */
export function keyIdentifierHex(spki: Uint8Array): string {
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const outer = readTlv(spki, 0);
  const algorithm = outer.tag === 0x30 ? readTlv(spki, outer.start) : undefined;
  const bits = algorithm && algorithm.tag === 0x30 ? readTlv(spki, algorithm.end) : undefined;
  if (!bits || bits.tag !== 0x03 || bits.end !== outer.end) throw new Error('not a SubjectPublicKeyInfo');
  // The first content byte counts unused bits (always 0 for keys); the hash covers the key bytes after it.
  return createHash('sha1').update(spki.subarray(bits.start + 1, bits.end)).digest('hex');
}
