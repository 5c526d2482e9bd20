import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bit string of an SPKI, as hex. */
export function keyIdentifierHex(spki: Uint8Array): string {
  const decoded = asn1js.fromBER(spki);
  const sequence = decoded.result;
  const bitString = sequence instanceof asn1js.Sequence ? sequence.valueBlock.value[1] : undefined;
  if (decoded.offset === -1 || !(bitString instanceof asn1js.BitString)) {
    throw new Error('not a SubjectPublicKeyInfo');
  }
  return createHash('sha1').update(bitString.valueBlock.valueHexView).digest('hex');
}
