import type { AccessCertificateProfile } from './access-profile';
import type { CaSigner } from './ca-signer';
import { keyIdentifierHex } from './key-identifier';
import { CA_KEY_SPECS } from './key-specs';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  KeyUsageFlags,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from './x509';

/** Signs an access certificate for `spki` exactly as `profile` says. The CSR, if any, contributes only the key. */
export async function issueAccessCertificate(
  ca: CaSigner,
  profile: AccessCertificateProfile,
  spki: Uint8Array,
  serialHex: string,
): Promise<X509Certificate> {
  const keyUsage = KeyUsageFlags.digitalSignature | (profile.keyUsage.keyEncipherment ? KeyUsageFlags.keyEncipherment : 0);
  return X509CertificateGenerator.create(
    {
      serialNumber: serialHex,
      subject: [{ CN: [profile.subjectCommonName] }],
      issuer: ca.certificate.subjectName,
      notBefore: profile.notBefore,
      notAfter: profile.notAfter,
      publicKey: new Uint8Array(spki),
      signingKey: ca.privateKey,
      signingAlgorithm: CA_KEY_SPECS[ca.algorithm].sign,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(keyUsage, true),
        new ExtendedKeyUsageExtension([...profile.extendedKeyUsage], false),
        new SubjectAlternativeNameExtension(
          [{ type: 'upn', value: profile.upn }, ...profile.uris.map((uri) => ({ type: 'url' as const, value: uri }))],
          false,
        ),
        new SubjectKeyIdentifierExtension(keyIdentifierHex(spki)),
        new AuthorityKeyIdentifierExtension(ca.subjectKeyIdHex),
      ],
    },
    ca.crypto,
  );
}
