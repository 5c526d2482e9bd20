import { sign } from 'node:crypto';
import { derToPem } from './csr-input';
import type { LeafProfile } from './access-profile';
import { encodeCertificate, encodeLeafTbs } from './leaf-certificate-der';
import type { CaSigner } from './ca-signer';
import { keyIdentifierHex } from './key-identifier';

export interface IssuedCertificate {
  readonly der: Buffer;
  readonly pem: string;
}

function signAsync(ca: CaSigner, data: Buffer): Promise<Buffer> {
  // The callback form signs on the libuv thread pool; ECDSA signatures come out DER-encoded, as X.509 wants.
  return new Promise((resolve, reject) => sign(ca.hash, data, ca.privateKey, (err, signature) => (err ? reject(err) : resolve(signature))));
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
  const der = encodeCertificate(tbs, ca.signatureAlgorithmDer, await signAsync(ca, tbs));
  return { der, pem: derToPem(der, 'CERTIFICATE') };
}
