import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import { SubjectAlternativeNameExtension, X509Certificate } from './x509';

/** What an access certificate claims, read from its PEM: the domain (UPN) and the identity URNs (SAN URIs). */
export interface AccessCertificateClaims {
  readonly serial: string;
  readonly okmsId: string | undefined;
  readonly identityURNs: readonly string[];
  readonly notAfter: Date;
  /** Whether the certificate is signed by the given CA (checked only when a CA is given). */
  readonly issuedBy: boolean | undefined;
}

export function readAccessCertificate(certificatePEM: string | Uint8Array, caCertificatePEM?: string): AccessCertificateClaims {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(typeof certificatePEM === 'string' ? certificatePEM : new Uint8Array(certificatePEM));
  } catch {
    throw new OkmsError('ERR_VALIDATION', 'certificatePEM: is not a PEM X.509 certificate', { field: 'certificatePEM' });
  }
  const names = certificate.getExtension(SubjectAlternativeNameExtension)?.names.items ?? [];
  const upn = names.find((n) => n.type === 'upn' && n.value.startsWith('okms.domain:'))?.value;
  let issuedBy: boolean | undefined;
  if (caCertificatePEM !== undefined) {
    const leaf = new NodeX509Certificate(typeof certificatePEM === 'string' ? certificatePEM : Buffer.from(certificatePEM));
    const ca = new NodeX509Certificate(caCertificatePEM);
    issuedBy = leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
  }
  return {
    serial: certificate.serialNumber.toLowerCase(),
    okmsId: upn?.slice('okms.domain:'.length),
    identityURNs: names.filter((n) => n.type === 'url').map((n) => n.value),
    notAfter: certificate.notAfter,
    issuedBy,
  };
}
