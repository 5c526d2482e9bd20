import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import { OkmsError } from '../domain/errors';
import type { CertificateType } from '../domain/types';
import { readTlv } from './der';
import { encodeEcPublicKey } from './ec-key-encoding';
import { CSR_EC_CURVES, CSR_RSA_BITS } from './key-specs';

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
  readonly request: CertificationRequest;
  /** The DER of certificationRequestInfo, exactly as signed. */
  readonly signed: Buffer;
}

function decodeRequest(der: Buffer): DecodedRequest {
  let outer: { start: number; end: number };
  let info: { start: number; end: number };
  try {
    outer = readTlv(der, 0);
    info = readTlv(der, outer.start);
  } catch {
    throw csrError('ERR_CSR_INVALID', 'is not valid ASN.1 (truncated or corrupt)');
  }
  if (outer.end !== der.length) throw csrError('ERR_CSR_INVALID', `has ${der.length - outer.end} unexpected bytes after the request`);
  try {
    return { request: AsnConvert.parse(der, CertificationRequest), signed: der.subarray(outer.start, info.end) };
  } catch {
    throw csrError('ERR_CSR_INVALID', 'is ASN.1 but not a PKCS#10 CertificationRequest');
  }
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

function describeKey(key: KeyObject, namedParameters: boolean): { certificateType: CertificateType; keyAlgorithm: string } {
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
    const curve = CSR_EC_CURVES[details.namedCurve ?? ''];
    if (!curve) {
      throw csrError('ERR_CSR_KEY_UNSUPPORTED', `EC curve ${details.namedCurve ?? 'unknown'} is not accepted (P-256, P-384 and P-521 are)`);
    }
    return { certificateType: 'ECDSA', keyAlgorithm: `EC ${curve}` };
  }
  throw csrError('ERR_CSR_KEY_UNSUPPORTED', `key type ${key.asymmetricKeyType ?? 'unknown'} is not accepted (RSA and EC are)`);
}

/**
 * Decodes a CSR, checks its key against the accepted types and verifies its signature
 * (proof that the requester holds the private key). Subject and extensions are ignored: the CA sets them.
 */
export async function parseCsr(der: Buffer): Promise<ParsedCsr> {
  const { request, signed } = decodeRequest(der);
  const publicKeyInfo = request.certificationRequestInfo.subjectPKInfo;
  const requested = Buffer.from(AsnConvert.serialize(publicKeyInfo));
  let key: KeyObject;
  try {
    key = createPublicKey({ key: requested, format: 'der', type: 'spki' });
  } catch {
    throw csrError('ERR_CSR_KEY_UNSUPPORTED', 'carries a public key that cannot be decoded');
  }
  // EC parameters: an OBJECT IDENTIFIER names the curve; a SEQUENCE spells it out (explicit parameters).
  const parameters = publicKeyInfo.algorithm.parameters;
  const namedParameters = parameters !== null && parameters !== undefined && new Uint8Array(parameters)[0] === 0x06;
  const described = describeKey(key, namedParameters);
  // The key as issued: RSA as it came (one encoding only), EC re-encoded named-curve and uncompressed.
  const spki = described.certificateType === 'ECDSA' ? encodeEcPublicKey(key) : requested;

  const signatureOid = request.signatureAlgorithm.algorithm;
  const signature = SIGNATURE_HASHES[signatureOid];
  if (!signature) throw csrError('ERR_CSR_SIGNATURE', `signature algorithm ${signatureOid} is not accepted (SHA-256/384/512 with RSA or ECDSA are)`);
  const keyIsRsa = described.certificateType === 'RSA';
  if (keyIsRsa !== signature.name.includes('RSA')) {
    throw csrError('ERR_CSR_SIGNATURE', `signature algorithm ${signature.name} does not fit the ${described.keyAlgorithm} key`);
  }
  const valid = await verifyOnThreadPool(signature.hash, signed, key, Buffer.from(request.signature));
  if (!valid) throw csrError('ERR_CSR_SIGNATURE', 'signature does not verify with the key it carries (no proof of possession)');
  return { spki, ...described };
}
