/** Plain data shared by every layer. Nothing here knows about HTTP or storage. */

export const CERTIFICATE_TYPES = ['ECDSA', 'RSA'] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

export const CREDENTIAL_STATUSES = ['CREATING', 'READY', 'EXPIRED', 'DELETING', 'ERROR'] as const;
export type CredentialStatus = (typeof CREDENTIAL_STATUSES)[number];
/** What the store holds: EXPIRED is derived from expiredAt when a record is read. */
export type StoredCredentialStatus = Exclude<CredentialStatus, 'EXPIRED'>;

export const CA_KEY_ALGORITHMS = ['P-256', 'P-384'] as const;
export type CaKeyAlgorithm = (typeof CA_KEY_ALGORITHMS)[number];

export interface Account {
  readonly id: string;
  readonly description: string;
  readonly isRoot: boolean;
  readonly createdAt: string;
}

export interface ApiTokenRecord {
  readonly id: string;
  readonly accountId: string;
  /** hex SHA-256 of the token's secret part; the token itself is never stored. */
  readonly secretHash: string;
  readonly description: string;
  readonly createdAt: string;
  /** After this instant the token is refused; null or absent: it does not expire. */
  readonly expiresAt?: string | null;
  /**
   * Present on a data-plane personal access token (an IAM user's or service account's), absent on an admin token:
   * the one kind is never accepted where the other is expected.
   */
  readonly dataPlane?: DataPlaneTokenSubject | null;
}

/** Whom a personal access token speaks for on the data plane: one identity, bound to the uid it had at issue. */
export interface DataPlaneTokenSubject {
  readonly kind: 'user' | 'serviceAccount';
  readonly name: string;
  readonly identityURN: string;
  readonly identityBindings: Readonly<Record<string, string>>;
}

export interface DomainRecord {
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly region: string;
  readonly caKeyAlgorithm: CaKeyAlgorithm;
  readonly caCertificatePEM: string;
  readonly caNotAfter: string;
  /** The domain key-encryption key, wrapped under the master key (JSON of a WrappedBlob). */
  readonly wrappedKek: string;
  /** The CA private key (PKCS#8), wrapped under the domain KEK (JSON of a WrappedBlob). */
  readonly wrappedCaKey: string;
  /** CA rotation: a staged successor (trusted, not yet issuing) and the CA it replaced (trusted until it retires). */
  readonly caSuccessor?: CaGeneration | null;
  readonly caPrevious?: (CaGeneration & { readonly retiresAt: string }) | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** One generation of a domain's client-auth CA. */
export interface CaGeneration {
  readonly caCertificatePEM: string;
  readonly wrappedCaKey: string;
  readonly caNotAfter: string;
}

export interface CredentialRecord {
  readonly id: string;
  readonly domainId: string;
  readonly accountId: string;
  readonly name: string;
  readonly description: string;
  readonly identityURNs: readonly string[];
  readonly status: StoredCredentialStatus;
  readonly fromCSR: boolean;
  readonly certificateType: CertificateType;
  /** e.g. "EC P-256", "RSA 3072": the subject key as issued. */
  readonly keyAlgorithm: string;
  /** Lower-case hex, no leading zeros stripped: exactly as encoded in the certificate. */
  readonly serial: string;
  readonly certificatePEM: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiredAt: string;
  readonly version: number;
  /** Renewal lineage: the credential this one renewed, and the one that renewed it. */
  readonly predecessorId?: string | null;
  readonly successorId?: string | null;
  /** When a renewed credential is revoked (the end of its overlap with its successor). */
  readonly revokeAt?: string | null;
  /**
   * The internal id (uid) of each user, group and service account named in identityURNs, as it was at issuance: a
   * deleted entity re-created under the same name has another uid, so the old certificate never speaks for it.
   * Absent on credentials issued before bindings existed (those are judged by name, as they were).
   */
  readonly identityBindings?: Readonly<Record<string, string>>;
}

export interface RevocationRecord {
  readonly domainId: string;
  readonly serial: string;
  readonly credentialId: string;
  readonly revokedAt: string;
  readonly reason: string;
}

/** Keyset position: records are ordered by (createdAt, id). */
export interface KeysetPosition {
  readonly createdAt: string;
  readonly id: string;
}

export interface PageRequest {
  readonly after?: KeysetPosition;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Present when more items follow. */
  readonly next?: KeysetPosition;
}
