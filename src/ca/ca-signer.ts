import type { CaKeyAlgorithm } from '../domain/types';
import { CA_KEY_SPECS } from './key-specs';
import { SubjectKeyIdentifierExtension, X509Certificate } from './x509';

/** A loaded issuing CA: its parsed certificate and a non-extractable signing key. Immutable. */
export interface CaSigner {
  readonly certificate: X509Certificate;
  readonly privateKey: CryptoKey;
  readonly algorithm: CaKeyAlgorithm;
  readonly subjectKeyIdHex: string;
  readonly crypto: Crypto;
}

export async function loadCaSigner(
  certificatePEM: string,
  pkcs8: Uint8Array,
  algorithm: CaKeyAlgorithm,
  crypto: Crypto,
): Promise<CaSigner> {
  const certificate = new X509Certificate(certificatePEM);
  const privateKey = await crypto.subtle.importKey('pkcs8', new Uint8Array(pkcs8), CA_KEY_SPECS[algorithm].generate, false, ['sign']);
  const ski = certificate.getExtension(SubjectKeyIdentifierExtension);
  if (!ski) throw new Error('domain CA certificate has no subject key identifier');
  return { certificate, privateKey, algorithm, subjectKeyIdHex: ski.keyId, crypto };
}
