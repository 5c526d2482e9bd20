import { isIP } from 'node:net';
import { UPN_OID, type GeneralNameSpec, type LeafProfile, type RevocationUrls } from './access-profile';
import { ascii, bitString, tlv, explicit, implicitPrimitive, integer, integerFromHex, namedBits, octetString, oid, sequence, set, time, TRUE, utf8String } from './der';

const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
} as const;

const KEY_USAGE_BITS = { digitalSignature: 0, keyEncipherment: 2 } as const;

function extension(extnId: string, critical: boolean, value: Uint8Array): Buffer {
  return critical ? sequence(oid(extnId), TRUE, octetString(value)) : sequence(oid(extnId), octetString(value));
}

export interface TbsInput {
  readonly profile: LeafProfile;
  readonly serialHex: string;
  /** DER AlgorithmIdentifier of the CA's signature, also repeated outside the TBS. */
  readonly signatureAlgorithm: Uint8Array;
  /** The CA certificate's subject Name, as DER, copied byte for byte into the issuer field. */
  readonly issuer: Uint8Array;
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly subjectKeyIdHex: string;
  readonly authorityKeyIdHex: string;
}

const ipv4Bytes = (address: string): number[] => address.split('.').map(Number);

/**
 * IPv4 or IPv6 text to its 4 or 16 network-order bytes, every IPv6 form included: `::` anywhere, an embedded
 * IPv4 tail (`::ffff:192.0.2.1`, two 16-bit groups), upper or lower case. A zone (`fe80::1%eth0`) names no address.
 */
export function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(ipv4Bytes(address));
  if (isIP(address) !== 6 || address.includes('%')) throw new Error(`not an IP address: ${address}`);
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const groups = (part: string): number[] =>
    (part ? part.split(':') : []).flatMap((group) => {
      if (!group.includes('.')) return [parseInt(group, 16)];
      const [a, b, c, d] = ipv4Bytes(group) as [number, number, number, number];
      return [(a << 8) | b, (c << 8) | d];
    });
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array<number>(8 - left.length - right.length).fill(0);
  return Buffer.from([...left, ...middle, ...right].flatMap((g) => [g >> 8, g & 0xff]));
}

function generalName(name: GeneralNameSpec): Buffer {
  switch (name.type) {
    case 'upn': // otherName [0] { type-id, [0] EXPLICIT UTF8String }
      return explicit(0, Buffer.concat([oid(UPN_OID), explicit(0, utf8String(name.value))]));
    case 'dns': // dNSName [2] IMPLICIT IA5String
      return implicitPrimitive(2, ascii(name.value));
    case 'uri': // uniformResourceIdentifier [6] IMPLICIT IA5String
      return implicitPrimitive(6, ascii(name.value));
    case 'ip': // iPAddress [7] IMPLICIT OCTET STRING
      return implicitPrimitive(7, ipBytes(name.value));
  }
}

/** The TBSCertificate of an end-entity certificate: exactly what `profile` says, nothing from a CSR but the key. */
export function encodeLeafTbs(input: TbsInput): Buffer {
  const { profile } = input;
  const keyUsageBits = [KEY_USAGE_BITS.digitalSignature, ...(profile.keyUsage.keyEncipherment ? [KEY_USAGE_BITS.keyEncipherment] : [])];
  const subjectAltNames = sequence(...profile.subjectAltNames.map(generalName));
  const extensions = sequence(
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, namedBits(keyUsageBits)),
    extension(OID.extKeyUsage, false, sequence(...profile.extendedKeyUsage.map(oid))),
    extension(OID.subjectAltName, false, subjectAltNames),
    extension(OID.subjectKeyIdentifier, false, octetString(Buffer.from(input.subjectKeyIdHex, 'hex'))),
    extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, Buffer.from(input.authorityKeyIdHex, 'hex')))),
    ...(profile.revocation ? revocationExtensions(profile.revocation) : []),
  );
  return sequence(
    explicit(0, integer(2)),
    integerFromHex(input.serialHex),
    input.signatureAlgorithm,
    input.issuer,
    sequence(time(profile.notBefore), time(profile.notAfter)),
    subjectName(profile),
    input.subjectPublicKeyInfo,
    explicit(3, extensions),
  );
}

/**
 * CRL Distribution Points: one DistributionPoint { distributionPoint [0] { fullName [0] { URI } } }; Authority
 * Information Access: the OCSP responder and the CA certificate, each an AccessDescription { method, URI }.
 */
function revocationExtensions(urls: RevocationUrls): Buffer[] {
  const uri = (value: string) => implicitPrimitive(6, ascii(value));
  return [
    extension(OID.crlDistributionPoints, false, sequence(sequence(explicit(0, explicit(0, uri(urls.crlUrl)))))),
    extension(OID.authorityInfoAccess, false, sequence(sequence(oid(OID.ocsp), uri(urls.ocspUrl)), sequence(oid(OID.caIssuers), uri(urls.caIssuersUrl)))),
  ];
}

const COUNTRY_NAME = '2.5.4.6';

function subjectName(profile: LeafProfile): Buffer {
  const rdns = profile.subjectRdns ?? [{ oid: OID.commonName, value: profile.subjectCommonName }];
  // countryName is a PrintableString (RFC 5280); every other attribute a UTF8String.
  return sequence(...rdns.map((rdn) => set(sequence(oid(rdn.oid), rdn.oid === COUNTRY_NAME ? tlv(0x13, Buffer.from(rdn.value, 'ascii')) : utf8String(rdn.value)))));
}

export function encodeCertificate(tbs: Uint8Array, signatureAlgorithm: Uint8Array, signature: Uint8Array): Buffer {
  return sequence(tbs, signatureAlgorithm, bitString(signature));
}
