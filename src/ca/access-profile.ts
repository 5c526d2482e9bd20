import { OkmsError } from '../domain/errors';
import type { CertificateType } from '../domain/types';

/** Certificates start this long in the past so that clients with a slow clock accept them at once. */
export const CLOCK_SKEW_BACKDATE_MS = 5 * 60 * 1000;
export const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';
/** OVH clients read the domain id from an otherName UPN (Microsoft UPN OID) in the SAN. */
export const UPN_OID = '1.3.6.1.4.1.311.20.2.3';

/** Where relying parties check a certificate of a domain CA (plain HTTP: no TLS needed to check revocation). */
export interface RevocationUrls {
  readonly crlUrl: string;
  readonly ocspUrl: string;
  /** The issuing CA's certificate (AIA caIssuers), for clients that build the chain themselves. */
  readonly caIssuersUrl: string;
}

export interface AccessCertificateInput {
  readonly credentialId: string;
  readonly okmsId: string;
  readonly identityURNs: readonly string[];
  readonly certificateType: CertificateType;
  readonly validityDays: number;
  readonly now: Date;
  readonly caNotAfter: Date;
  readonly revocation?: RevocationUrls;
}

export type GeneralNameSpec =
  | { readonly type: 'upn'; readonly value: string }
  | { readonly type: 'uri'; readonly value: string }
  | { readonly type: 'dns'; readonly value: string }
  | { readonly type: 'ip'; readonly value: string };

/** Everything the CA puts into an end-entity certificate, decided by a profile builder and nowhere else. */
export interface LeafProfile {
  readonly subjectCommonName: string;
  /** A full subject, in order (RDNs of one attribute each); when absent the subject is CN=subjectCommonName. */
  readonly subjectRdns?: ReadonlyArray<{ readonly oid: string; readonly value: string }>;
  readonly subjectAltNames: readonly GeneralNameSpec[];
  readonly keyUsage: { readonly digitalSignature: true; readonly keyEncipherment: boolean };
  readonly extendedKeyUsage: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** CRL Distribution Points and Authority Information Access (OCSP, caIssuers); absent: neither is written. */
  readonly revocation?: RevocationUrls;
}

export type AccessCertificateProfile = LeafProfile;

export function buildAccessProfile(input: AccessCertificateInput): AccessCertificateProfile {
  // X.509 times carry whole seconds; truncating here keeps expiredAt equal to the certificate's notAfter.
  const start = Math.floor(input.now.getTime() / 1000) * 1000;
  const notAfter = new Date(start + input.validityDays * 86_400_000);
  if (notAfter.getTime() > input.caNotAfter.getTime()) {
    const maxDays = Math.floor((input.caNotAfter.getTime() - input.now.getTime()) / 86_400_000);
    throw new OkmsError(
      'ERR_VALIDITY_OUT_OF_RANGE',
      `validity: ${input.validityDays} days would outlive the domain CA (valid until ${input.caNotAfter.toISOString()}); at most ${maxDays} days`,
      { field: 'validity', details: { maxDays } },
    );
  }
  return {
    subjectCommonName: input.credentialId,
    subjectAltNames: [
      { type: 'upn', value: `okms.domain:${input.okmsId}` },
      ...input.identityURNs.map((urn) => ({ type: 'uri' as const, value: urn })),
    ],
    // Client authentication only signs (the TLS CertificateVerify): keyEncipherment would contradict the EKU.
    keyUsage: { digitalSignature: true, keyEncipherment: false },
    extendedKeyUsage: [CLIENT_AUTH_EKU],
    notBefore: new Date(start - CLOCK_SKEW_BACKDATE_MS),
    notAfter,
    ...(input.revocation ? { revocation: input.revocation } : {}),
  };
}
