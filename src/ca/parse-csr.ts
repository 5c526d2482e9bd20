import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { CertificationRequest } from 'pkijs';
import { OkmsError } from '../domain/errors';
import type { CertificateType } from '../domain/types';
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

function decodeRequest(der: Buffer): CertificationRequest {
  const ber = asn1js.fromBER(new Uint8Array(der));
  if (ber.offset === -1) throw csrError('ERR_CSR_INVALID', `is not valid ASN.1 (${ber.result.error || 'truncated or corrupt'})`);
  if (ber.offset !== der.length) throw csrError('ERR_CSR_INVALID', `has ${der.length - ber.offset} unexpected bytes after the request`);
  try {
    return new CertificationRequest({ schema: ber.result });
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

function describeKey(key: KeyObject): { certificateType: CertificateType; keyAlgorithm: string } {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < CSR_RSA_BITS.min || bits > CSR_RSA_BITS.max) {
      throw csrError('ERR_CSR_KEY_UNSUPPORTED', `an RSA key of ${bits} bits is not accepted (${CSR_RSA_BITS.min}–${CSR_RSA_BITS.max} bits are)`);
    }
    return { certificateType: 'RSA', keyAlgorithm: `RSA ${bits}` };
  }
  if (key.asymmetricKeyType === 'ec') {
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
  const request = decodeRequest(der);
  const spki = Buffer.from(request.subjectPublicKeyInfo.toSchema().toBER(false));
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw csrError('ERR_CSR_KEY_UNSUPPORTED', 'carries a public key that cannot be decoded');
  }
  const described = describeKey(key);

  const signatureOid = request.signatureAlgorithm.algorithmId;
  const signature = SIGNATURE_HASHES[signatureOid];
  if (!signature) throw csrError('ERR_CSR_SIGNATURE', `signature algorithm ${signatureOid} is not accepted (SHA-256/384/512 with RSA or ECDSA are)`);
  const keyIsRsa = described.certificateType === 'RSA';
  if (keyIsRsa !== signature.name.includes('RSA')) {
    throw csrError('ERR_CSR_SIGNATURE', `signature algorithm ${signature.name} does not fit the ${described.keyAlgorithm} key`);
  }
  const valid = await verifyOnThreadPool(signature.hash, Buffer.from(request.tbsView), key, Buffer.from(request.signatureValue.valueBlock.valueHexView));
  if (!valid) throw csrError('ERR_CSR_SIGNATURE', 'signature does not verify with the key it carries (no proof of possession)');
  return { spki, ...described };
}
