/** The records okmsd stores, as every layer sees them. The storage adapters persist exactly these shapes. */

/** One link of the hash-chained audit log. */
export interface AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** The canonical JSON of the record that `hash` covers. */
  readonly record: string;
}

/** What every user, group and service account holds besides its own fields: its immutable internal id. */
interface Uid {
  /** Set at creation, kept by every update; absent on entities made before uids existed. */
  readonly uid?: string;
}

export interface UserDoc extends Uid {
  readonly login: string;
  readonly email: string;
  readonly description: string;
  /** The group the user belongs to ('' when none). */
  readonly group: string;
  /** scrypt hash (src/iam/passwords.ts); absent until a password is set. */
  readonly passwordHash?: string;
  /** Keystone tokens issued before this instant are refused. */
  readonly passwordChangedAt?: string;
}

export interface GroupDoc extends Uid {
  readonly name: string;
  readonly description: string;
  /** Identity URNs of the members (users, service accounts). */
  readonly members: readonly string[];
}

export interface ServiceAccountDoc extends Uid {
  readonly name: string;
  readonly description: string;
}

export interface PolicyConditions {
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly sourceIps?: readonly string[];
}

export interface PolicyDoc {
  readonly name: string;
  readonly description: string;
  readonly identities: readonly string[];
  /** Resource URN patterns. */
  readonly resources: readonly string[];
  /** Action patterns. */
  readonly allow: readonly string[];
  readonly except: readonly string[];
  readonly deny: readonly string[];
  readonly conditions: PolicyConditions;
}

/** The stored fields of each IAM entity kind (validated by src/iam before storage). */
export interface IamDocs {
  readonly user: UserDoc;
  readonly group: GroupDoc;
  readonly serviceAccount: ServiceAccountDoc;
  readonly policy: PolicyDoc;
}

export type IamKind = keyof IamDocs;

/** An IAM entity of one account, of kind K. */
export interface IamRecordOf<K extends IamKind> {
  readonly accountId: string;
  readonly kind: K;
  readonly id: string;
  readonly doc: IamDocs[K];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** An IAM entity of any kind, discriminated on `kind`. */
export type IamRecord = { [K in IamKind]: IamRecordOf<K> }[IamKind];

/** A KMS service key. `wrappedMaterial` is the key (raw AES bytes or PKCS#8) wrapped under the domain KEK. */
/** The service-key states of OKMS (its KeyStates); pre_active is KMIP's (a key created without activation). */
export const SERVICE_KEY_STATES = ['pre_active', 'active', 'deactivated', 'compromised', 'destroyed', 'destroyed_compromised'] as const;
export type ServiceKeyState = (typeof SERVICE_KEY_STATES)[number];

export interface ServiceKeyRecord {
  readonly domainId: string;
  readonly id: string;
  readonly name: string;
  readonly type: 'oct' | 'RSA' | 'EC';
  readonly size: number | null;
  readonly curve: string | null;
  readonly operations: readonly string[];
  readonly context: string;
  readonly state: ServiceKeyState;
  readonly deactivationReason: string | null;
  /** When a deactivation for key_compromise made it compromised (absent on records from before the state existed). */
  readonly compromisedAt?: string | null;
  /** When DELETE destroyed its material; the record stays, reading as destroyed (or destroyed_compromised). */
  readonly destroyedAt?: string | null;
  /** OKMS's class: SECRET_KEY (oct), KEY_PAIR, or PUBLIC_KEY (imported public part only: no material to wrap). */
  readonly keyClass?: 'SECRET_KEY' | 'KEY_PAIR' | 'PUBLIC_KEY';
  /** Whether the material may be exported (wrapped); absent on records from before BYOK: false. */
  readonly extractable?: boolean;
  /** True until the key is ever made extractable. */
  readonly neverExtractable?: boolean;
  readonly wrappedMaterial: string;
  /** SPKI DER (base64) of RSA/EC keys; null for oct. */
  readonly publicKey: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly activatedAt: string | null;
  readonly deactivatedAt: string | null;
  readonly version: number;
}

/** Who besides the project may read a Barbican object (Barbican's ACL); absent: the project's default. */
export interface Acl {
  readonly projectAccess: boolean;
  readonly users: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SecretDoc {
  readonly algorithm: string | null;
  readonly bitLength: number | null;
  readonly mode: string | null;
  readonly creatorId: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The payload wrapped under the domain KEK (JSON of a WrappedBlob); absent until the payload is given. */
  readonly payload?: string;
  readonly contentType?: string;
  /** What a certificate secret's payload certifies (read at storage time, for the expiry monitor). */
  readonly certificate?: { readonly notAfter: string; readonly subject: string; readonly serial: string };
  readonly acl?: Acl;
}

export interface SecretRef {
  readonly name: string | null;
  readonly secretId: string;
}

export interface Consumer {
  readonly name: string;
  readonly URL: string;
  readonly created: string;
  readonly updated: string;
}

export interface ContainerDoc {
  readonly creatorId: string;
  readonly secretRefs: readonly SecretRef[];
  readonly consumers: readonly Consumer[];
  readonly acl?: Acl;
}

export interface OrderDoc {
  readonly status: 'PENDING' | 'ACTIVE' | 'ERROR';
  /** The order's meta as Barbican shows it back. */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly creatorId: string;
  readonly secretId?: string;
  readonly containerId?: string;
  readonly errorStatusCode?: string;
  readonly errorReason?: string;
}

/** A Keystone-compatible token's record (its id is the SHA-256 of the token; the token itself is never stored). */
export interface KeystoneTokenDoc {
  readonly accountId: string;
  readonly userId: string;
  readonly projectId: string;
  readonly projectName: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly methods: readonly string[];
  /** The user's uid at issuance: a user deleted and re-created under the same login does not inherit the token. */
  readonly userUid?: string;
}

/** The stored fields of each object kind (validated by src/secrets before storage; payloads only wrapped). */
export interface ObjectDocs {
  readonly secret: SecretDoc;
  readonly container: ContainerDoc;
  readonly order: OrderDoc;
  readonly keystoneToken: KeystoneTokenDoc;
}

/** Barbican-style objects of a domain (an OpenStack project) and the Keystone-compatible tokens. */
export type ObjectKind = keyof ObjectDocs;

/** One object of kind K. */
export interface ObjectRecordOf<K extends ObjectKind> {
  readonly kind: K;
  /** A UUID (for tokens: the SHA-256 of the token), unique per kind across domains. */
  readonly id: string;
  readonly domainId: string;
  readonly name: string | null;
  /** secret_type, container type or order type. */
  readonly type: string;
  /** When it stops being valid (secret expiration, certificate notAfter, token expiry); null when never. */
  readonly expiresAt: string | null;
  /** When what it holds stops being valid — a certificate secret's notAfter, a token's expiry — indexed for the lifecycle job; else null. */
  readonly notAfter: string | null;
  readonly doc: ObjectDocs[K];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** An object of any kind, discriminated on `kind`. */
export type ObjectRecord = { [K in ObjectKind]: ObjectRecordOf<K> }[ObjectKind];

/**
 * Which names a domain's TLS server certificates may carry (as Vault PKI roles' allowed_domains): a name is allowed
 * when it equals an allowed domain (allowBareDomains) or lies below one (allowSubdomains); a wildcard label only with
 * allowWildcards, an IP address only when listed in allowedIpRanges.
 */
export interface NamePolicy {
  readonly allowedDomains: readonly string[];
  readonly allowBareDomains: boolean;
  readonly allowSubdomains: boolean;
  readonly allowWildcards: boolean;
  /** CIDRs; empty: no IP address SAN. */
  readonly allowedIpRanges: readonly string[];
}

/** A domain's TLS server CA (never the client-auth CA) and the policy it signs under; one record per domain. */
export interface ServerCaRecord {
  readonly domainId: string;
  readonly namePolicy: NamePolicy;
  readonly certificatePEM: string;
  /** The CA key (PKCS#8), wrapped under the domain KEK. */
  readonly wrappedKey: string;
  readonly notAfter: string;
  readonly createdAt: string;
  readonly version: number;
}

/**
 * Every character a secret's path may hold (^[a-zA-Z0-9_.:/=@-]+$, ASCII) sorts below this one: `prefix + it` bounds
 * a range of paths that start with `prefix`, in every store and in the Vault folder listing.
 */
export const ABOVE_ANY_PATH_CHAR = '\u007f';

/** A version of a Secret Manager secret: active, deactivated (Vault: soft-deleted, data kept) or deleted (destroyed). */
export type SecretVersionState = 'active' | 'deactivated' | 'deleted';

export interface SecretVersionRecord {
  readonly id: number;
  readonly state: SecretVersionState;
  readonly createdAt: string;
  readonly deactivatedAt: string | null;
  /** The data (JSON) wrapped under the domain KEK, bound to the path and version; null once deleted (destroyed). */
  readonly data: string | null;
  /** The size of the data as JSON, in bytes (for the per-secret bound). */
  readonly bytes: number;
}

/**
 * A Secret Manager (and Vault KV v2) secret: its settings and its versions, one record, so that a check-and-set
 * write is one compare-and-set on `version`.
 */
export interface SecretPathRecord {
  readonly domainId: string;
  readonly path: string;
  readonly casRequired: boolean | null;
  readonly customMetadata: Readonly<Record<string, string>>;
  /** A Go duration ("10h30m10s"): a version is deactivated that long after it was made; null: the domain's setting. */
  readonly deactivateVersionAfter: string | null;
  /** How many versions are kept; null or 0: the domain's setting. */
  readonly maxVersions: number | null;
  readonly currentVersion: number;
  /** Kept versions, oldest first. */
  readonly versions: readonly SecretVersionRecord[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** The domain-wide Secret Manager settings (secretConfig; Vault's secret/config). */
export interface SecretConfigRecord {
  readonly casRequired: boolean;
  readonly deactivateVersionAfter: string | null;
  readonly maxVersions: number;
}
