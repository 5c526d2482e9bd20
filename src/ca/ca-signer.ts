import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { CaKeyAlgorithm } from '../domain/types';
import { subjectNameDer } from './certificate-fields';
import { sequence, oid } from './der';
import { CA_KEY_SPECS } from './key-specs';
import { SubjectKeyIdentifierExtension, X509Certificate } from './x509';

/** A loaded issuing CA: what its certificates need from it, parsed once. Immutable. */
export interface CaSigner {
  readonly algorithm: CaKeyAlgorithm;
  readonly certificatePEM: string;
  readonly notAfter: Date;
  readonly subjectKeyIdHex: string;
  /** The CA's subject Name (DER): the issuer of everything it signs. */
  readonly issuerNameDer: Buffer;
  /** AlgorithmIdentifier (DER) of its signatures. */
  readonly signatureAlgorithmDer: Buffer;
  readonly hash: 'sha256' | 'sha384';
  readonly privateKey: KeyObject;
}

export function loadCaSigner(certificatePEM: string, pkcs8: Uint8Array, algorithm: CaKeyAlgorithm): CaSigner {
  const certificate = new X509Certificate(certificatePEM);
  const ski = certificate.getExtension(SubjectKeyIdentifierExtension);
  if (!ski) throw new Error('domain CA certificate has no subject key identifier');
  const spec = CA_KEY_SPECS[algorithm];
  return {
    algorithm,
    certificatePEM,
    notAfter: certificate.notAfter,
    subjectKeyIdHex: ski.keyId,
    issuerNameDer: subjectNameDer(new Uint8Array(certificate.rawData)),
    signatureAlgorithmDer: sequence(oid(spec.signatureOid)),
    hash: spec.hash,
    privateKey: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
  };
}
