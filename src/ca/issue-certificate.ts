import { derToPem } from './csr-input';
import type { LeafProfile } from './access-profile';
import { encodeCertificate, encodeLeafTbs } from './leaf-certificate-der';
import type { CaSigner } from './ca-signer';
import { signWithCa } from './ca-signature';
import { keyIdentifierHex } from './key-identifier';

export interface IssuedCertificate {
  readonly der: Buffer;
  readonly pem: string;
}

/** Signs an end-entity certificate for `spki` exactly as `profile` says. A CSR, if any, contributes only the key. */
export async function issueLeafCertificate(
  ca: CaSigner,
  profile: LeafProfile,
  spki: Uint8Array,
  serialHex: string,
): Promise<IssuedCertificate> {
  const tbs = encodeLeafTbs({
    profile,
    serialHex,
    signatureAlgorithm: ca.signatureAlgorithmDer,
    issuer: ca.issuerNameDer,
    subjectPublicKeyInfo: spki,
    subjectKeyIdHex: keyIdentifierHex(spki),
    authorityKeyIdHex: ca.subjectKeyIdHex,
  });
  const der = encodeCertificate(tbs, ca.signatureAlgorithmDer, await signWithCa(ca, tbs));
  return { der, pem: derToPem(der, 'CERTIFICATE') };
}
