import { trustedCas } from '../../ca/ca-generation';
import type { CredentialRecord, CredentialStatus, DomainRecord } from '../../domain/types';
import { okmsResourceUrn } from '../../domain/urn';

export interface PublicEndpoints {
  readonly restEndpoint: string;
  /** The CA of the gateway's server certificate, for clients' `ca` setting (no insecure flags needed). */
  readonly restEndpointCA: string;
  readonly kmipEndpoint?: string;
  readonly swaggerEndpoint: string;
}

/** The OKMS resource object (api.ovh.com shape) plus okmsd's own fields. */
/** The PEM of every CA a domain's certificates may chain to now: the issuing one first (CA rotation adds the others). */
export const caBundle = (domain: DomainRecord, now: Date): string => trustedCas(domain, now).map((ca) => ca.caCertificatePEM.trim()).join('\n') + '\n';

export function domainView(domain: DomainRecord, endpoints: PublicEndpoints, urnRegion: string, now: Date) {
  return {
    id: domain.id,
    name: domain.name,
    region: domain.region,
    restEndpoint: endpoints.restEndpoint,
    restEndpointCA: endpoints.restEndpointCA,
    ...(endpoints.kmipEndpoint ? { kmipEndpoint: endpoints.kmipEndpoint } : {}),
    swaggerEndpoint: endpoints.swaggerEndpoint,
    iam: { id: domain.id, urn: okmsResourceUrn(urnRegion, domain.id), displayName: domain.name },
    // Every CA relying parties must trust now: during a rotation's overlap both the issuing CA and the other.
    publicCA: caBundle(domain, now),
    caRotation: { successorStaged: Boolean(domain.caSuccessor), previousRetiresAt: domain.caPrevious && Date.parse(domain.caPrevious.retiresAt) > now.getTime() ? domain.caPrevious.retiresAt : null },
    caKeyAlgorithm: domain.caKeyAlgorithm,
    createdAt: domain.createdAt,
    updatedAt: domain.updatedAt,
  };
}

/** EXPIRED is not stored: it is what READY becomes once expiredAt has passed. */
export function effectiveStatus(credential: CredentialRecord, now: Date): CredentialStatus {
  return credential.status === 'READY' && Date.parse(credential.expiredAt) <= now.getTime() ? 'EXPIRED' : credential.status;
}

export function credentialView(credential: CredentialRecord, now: Date, privateKeyPEM?: string) {
  return {
    id: credential.id,
    name: credential.name,
    description: credential.description,
    identityURNs: credential.identityURNs,
    status: effectiveStatus(credential, now),
    fromCSR: credential.fromCSR,
    certificateType: credential.certificateType,
    keyAlgorithm: credential.keyAlgorithm,
    serialNumber: credential.serial,
    certificatePEM: credential.certificatePEM,
    ...(privateKeyPEM === undefined ? {} : { privateKeyPEM }),
    createdAt: credential.createdAt,
    expiredAt: credential.expiredAt,
    predecessorId: credential.predecessorId ?? null,
    successorId: credential.successorId ?? null,
    revokeAt: credential.revokeAt ?? null,
  };
}
