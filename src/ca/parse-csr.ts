import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { CertificateType } from '../domain/types';
import { decodeOid, readTlv } from './der';
import { EC_PUBLIC_KEY, ecCurveByOid, ecCurveByOpensslName, encodeEcPublicKey, importEcPublicPoint, type EcCurve } from './ec-key-encoding';
import type { CsrVerifyWorkers } from './csr-verify-workers';
import { CSR_RSA_BITS } from './key-specs';

export interface ParsedCsr {
  /** SubjectPublicKeyInfo (DER) of the requester's key: the only part of the CSR okmsd uses. */
  readonly spki: Buffer;
  readonly certificateType: CertificateType;
  /** "RSA 3072", "EC P-384", ... */
  readonly keyAlgorithm: string;
}

/** CSR signature algorithms okmsd verifies (proof of possession). SHA-1 and MD5 are refused. */
const SIGNATURE_HASHES: Record<string, { hash: string; name: string }> = {
  '1.2.840.113549.1.1.11': { hash: 'sha256', name: 'sha256WithRSAEncryption' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', name: 'sha384WithRSAEncryption' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', name: 'sha512WithRSAEncryption' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', name: 'ecdsa-with-SHA256' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', name: 'ecdsa-with-SHA384' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', name: 'ecdsa-with-SHA512' },
};

function csrError(code: 'ERR_CSR_INVALID' | 'ERR_CSR_SIGNATURE' | 'ERR_CSR_KEY_UNSUPPORTED', reason: string): OkmsError {
  return new OkmsError(code, `csr: ${reason}`, { field: 'csr', details: { reason } });
}

interface DecodedRequest {
  /** The requester's SubjectPublicKeyInfo, DER, as it stands in the request. */
  readonly spki: Buffer;
  /** The tag of the key algorithm's parameters (0x06: a named curve; 0x30: explicit ones), if any. */
  readonly keyParametersTag: number | undefined;
  /** An EC key on a curve okmsd accepts, named by OID: the curve and the key's point, as the request has it. */
  readonly ec?: { readonly curve: EcCurve; readonly point: Buffer };
  readonly signatureOid: string;
  readonly signature: Buffer;
  /** The DER of certificationRequestInfo, exactly as signed. */
  readonly signed: Buffer;
}

/**
 * PKCS#10 (RFC 2986) by hand, one pass over the DER: SEQUENCE { SEQUENCE { INTEGER 0, Name, SubjectPublicKeyInfo,
 * [0] attributes }, AlgorithmIdentifier, BIT STRING }. Only the key, the signature algorithm and the signature are
 * read; subject and attributes are skipped unread (the CA sets both). A schema-driven decoder cost ~240 µs of the
 * event loop per request; this costs a few.
 */
function decodeRequest(der: Buffer): DecodedRequest {
  const invalid = (reason: string) => csrError('ERR_CSR_INVALID', reason);
  const read = (offset: number, tag: number, what: string) => {
    let item: { tag: number; start: number; end: number };
    try {
      item = readTlv(der, offset);
    } catch {
      throw invalid('is not valid ASN.1 (truncated or corrupt)');
    }
    if (item.tag !== tag) throw invalid(`is ASN.1 but not a PKCS#10 CertificationRequest (${what})`);
    return item;
  };
  const oidAt = (offset: number, what: string) => {
    const item = read(offset, 0x06, what);
    try {
      return { oid: decodeOid(der.subarray(item.start, item.end)), end: item.end };
    } catch {
      throw invalid(`is ASN.1 but not a PKCS#10 CertificationRequest (${what})`);
    }
  };
  const outer = read(0, 0x30, 'request');
  if (outer.end !== der.length) throw invalid(`has ${der.length - outer.end} unexpected bytes after the request`);
  const info = read(outer.start, 0x30, 'certificationRequestInfo');
  const version = read(info.start, 0x02, 'version');
  if (version.end - version.start !== 1 || der[version.start] !== 0) throw invalid('is not a version 1 request');
  const subject = read(version.end, 0x30, 'subject');
  const spkiAt = subject.end;
  const spki = read(spkiAt, 0x30, 'subjectPKInfo');
  const keyAlgorithm = read(spki.start, 0x30, 'subjectPKInfo algorithm');
  const keyOid = oidAt(keyAlgorithm.start, 'key algorithm');
  const keyParametersTag = keyOid.end < keyAlgorithm.end ? der[keyOid.end] : undefined;
  const publicKey = read(keyAlgorithm.end, 0x03, 'subjectPublicKey');
  let ec: DecodedRequest['ec'];
  if (keyOid.oid === EC_PUBLIC_KEY && keyParametersTag === 0x06 && der[publicKey.start] === 0) {
    let curve: EcCurve | undefined;
    try {
      const parameters = readTlv(der, keyOid.end);
      curve = parameters.end === keyAlgorithm.end ? ecCurveByOid(decodeOid(der.subarray(parameters.start, parameters.end))) : undefined;
    } catch {
      curve = undefined; // a malformed curve OID: OpenSSL's decoder refuses it below, as for any undecodable key
    }
    if (curve) ec = { curve, point: der.subarray(publicKey.start + 1, publicKey.end) };
  }
  if (spki.end < info.end && read(spki.end, 0xa0, 'attributes').end !== info.end) throw invalid('has unexpected bytes after its attributes');
  const signatureAlgorithm = read(info.end, 0x30, 'signatureAlgorithm');
  const signatureOid = oidAt(signatureAlgorithm.start, 'signature algorithm');
  const signature = read(signatureAlgorithm.end, 0x03, 'signature');
  if (signature.end !== outer.end) throw invalid('has unexpected bytes after its signature');
  if (signature.end - signature.start < 2 || der[signature.start] !== 0) throw invalid('has a malformed signature BIT STRING');
  return {
    spki: der.subarray(spkiAt, spki.end),
    keyParametersTag,
    ...(ec ? { ec } : {}),
    signatureOid: signatureOid.oid,
    signature: der.subarray(signature.start + 1, signature.end),
    signed: der.subarray(outer.start, info.end),
  };
}

/** crypto.verify with a callback runs on the libuv thread pool; any failure to verify is a plain "no". */
function verifyOnThreadPool(hash: string, data: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      nodeVerify(hash, data, key, signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}

/** The key's type and description; for an EC key also its curve, found once here. */
function describeKey(key: KeyObject, namedParameters: boolean): { certificateType: CertificateType; keyAlgorithm: string; curve?: EcCurve } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < CSR_RSA_BITS.min || bits > CSR_RSA_BITS.max) {
      throw csrError('ERR_CSR_KEY_UNSUPPORTED', `an RSA key of ${bits} bits is not accepted (${CSR_RSA_BITS.min}–${CSR_RSA_BITS.max} bits are)`);
    }
    if (details.publicExponent !== 65537n) {
      throw csrError('ERR_CSR_KEY_UNSUPPORTED', `an RSA key with public exponent ${String(details.publicExponent)} is not accepted (65537 only)`);
    }
    return { certificateType: 'RSA', keyAlgorithm: `RSA ${bits}` };
  }
  if (key.asymmetricKeyType === 'ec') {
    if (!namedParameters) throw csrError('ERR_CSR_KEY_UNSUPPORTED', 'an EC key must name its curve (explicit curve parameters are not accepted)');
    const curve = ecCurveByOpensslName(details.namedCurve ?? '');
    if (!curve) {
      throw csrError('ERR_CSR_KEY_UNSUPPORTED', `EC curve ${details.namedCurve ?? 'unknown'} is not accepted (P-256, P-384 and P-521 are)`);
    }
    return { certificateType: 'ECDSA', keyAlgorithm: `EC ${curve.name}`, curve };
  }
  throw csrError('ERR_CSR_KEY_UNSUPPORTED', `key type ${key.asymmetricKeyType ?? 'unknown'} is not accepted (RSA and EC are)`);
}

/**
 * Decodes a CSR, checks its key against the accepted types and verifies its signature
 * (proof that the requester holds the private key). Subject and extensions are ignored: the CA sets them.
 * With `verifier`, an EC key's import and check run on its threads; anything they cannot settle takes the path below.
 */
export async function parseCsr(der: Buffer, verifier?: CsrVerifyWorkers): Promise<ParsedCsr> {
  const decoded = decodeRequest(der);
  const signature = SIGNATURE_HASHES[decoded.signatureOid];
  // A point the workers could not import is not tried again from its numbers: straight to OpenSSL's decoder.
  let pointRefused = false;
  if (verifier && decoded.ec && signature && !signature.name.includes('RSA')) {
    const { curve, point } = decoded.ec;
    const checked = await verifier.check({ curve: curve.name, hash: signature.hash, signed: decoded.signed, signature: decoded.signature, point });
    if (checked.outcome === 'valid') return { spki: Buffer.from(checked.spki), certificateType: 'ECDSA', keyAlgorithm: `EC ${curve.name}` };
    if (checked.outcome === 'invalid') throw badSignature();
    pointRefused = checked.outcome === 'undecodable';
  }
  const { key, spki, ...described } = (decoded.ec && !pointRefused && importEcKey(decoded.ec)) || importAnyKey(decoded);

  if (!signature) throw csrError('ERR_CSR_SIGNATURE', `signature algorithm ${decoded.signatureOid} is not accepted (SHA-256/384/512 with RSA or ECDSA are)`);
  const keyIsRsa = described.certificateType === 'RSA';
  if (keyIsRsa !== signature.name.includes('RSA')) {
    throw csrError('ERR_CSR_SIGNATURE', `signature algorithm ${signature.name} does not fit the ${described.keyAlgorithm} key`);
  }
  const valid = await verifyOnThreadPool(signature.hash, decoded.signed, key, decoded.signature);
  if (!valid) throw badSignature();
  return { spki, ...described };
}

const badSignature = () => csrError('ERR_CSR_SIGNATURE', 'signature does not verify with the key it carries (no proof of possession)');

type ImportedKey = { key: KeyObject; spki: Buffer; certificateType: CertificateType; keyAlgorithm: string };

/**
 * The common case, an EC key on an accepted curve with a compressed or uncompressed point, from its numbers:
 * a third of the event-loop time of parsing the SPKI DER. Anything else (other point forms) takes the general path.
 */
function importEcKey({ curve, point }: NonNullable<DecodedRequest['ec']>): ImportedKey | undefined {
  let imported: { key: KeyObject; spki: Buffer };
  try {
    imported = importEcPublicPoint(curve, point);
  } catch {
    return undefined;
  }
  return { ...imported, certificateType: 'ECDSA', keyAlgorithm: `EC ${curve.name}` };
}

/** Any key OpenSSL decodes, checked against the accepted types; EC keys re-encoded named-curve and uncompressed. */
function importAnyKey({ spki: requested, keyParametersTag }: DecodedRequest): ImportedKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: requested, format: 'der', type: 'spki' });
  } catch {
    throw csrError('ERR_CSR_KEY_UNSUPPORTED', 'carries a public key that cannot be decoded');
  }
  // EC parameters: an OBJECT IDENTIFIER names the curve; a SEQUENCE spells it out (explicit parameters).
  const { curve, ...described } = describeKey(key, keyParametersTag === 0x06);
  if (!curve) return { key, spki: Buffer.from(requested), ...described }; // RSA as it came: one encoding only
  const jwk = key.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { key, spki: encodeEcPublicKey(curve, point), ...described };
}
