import type { CredentialRecord, CredentialStatus, DomainRecord } from '../../domain/types';
import { okmsResourceUrn } from '../../domain/urn';

export interface PublicEndpoints {
  readonly restEndpoint: string;
  /** The CA of the gateway's server certificate, for clients' `ca` setting (no insecure flags needed). */
  readonly restEndpointCA: string;
  readonly kmipEndpoint: string;
  readonly swaggerEndpoint: string;
}

/** The OKMS resource object (api.ovh.com shape) plus okmsd's own fields. */
export function domainView(domain: DomainRecord, endpoints: PublicEndpoints, urnRegion: string) {
  return {
    id: domain.id,
    name: domain.name,
    region: domain.region,
    restEndpoint: endpoints.restEndpoint,
    restEndpointCA: endpoints.restEndpointCA,
    kmipEndpoint: endpoints.kmipEndpoint,
    swaggerEndpoint: endpoints.swaggerEndpoint,
    iam: { id: domain.id, urn: okmsResourceUrn(urnRegion, domain.id), displayName: domain.name },
    publicCA: domain.caCertificatePEM,
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
