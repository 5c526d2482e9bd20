/** The records okmsd stores, as every layer sees them. The storage adapters persist exactly these shapes. */

/** One link of the hash-chained audit log. */
export interface AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** The canonical JSON of the record that `hash` covers. */
  readonly record: string;
}

export type IamKind = 'user' | 'group' | 'serviceAccount' | 'policy';

/** An IAM entity of one account; `doc` is the entity's own fields (validated by src/iam before storage). */
export interface IamRecord {
  readonly accountId: string;
  readonly kind: IamKind;
  readonly id: string;
  readonly doc: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** A KMS service key. `wrappedMaterial` is the key (raw AES bytes or PKCS#8) wrapped under the domain KEK. */
export interface ServiceKeyRecord {
  readonly domainId: string;
  readonly id: string;
  readonly name: string;
  readonly type: 'oct' | 'RSA' | 'EC';
  readonly size: number | null;
  readonly curve: string | null;
  readonly operations: readonly string[];
  readonly context: string;
  readonly state: 'active' | 'deactivated';
  readonly deactivationReason: string | null;
  readonly wrappedMaterial: string;
  /** SPKI DER (base64) of RSA/EC keys; null for oct. */
  readonly publicKey: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly activatedAt: string | null;
  readonly deactivatedAt: string | null;
  readonly version: number;
}

/** Barbican-style objects of a domain (an OpenStack project) and the Keystone-compatible tokens. */

export type ObjectKind = 'secret' | 'container' | 'order' | 'keystoneToken';

/** One object; `doc` holds its own fields (validated by src/secrets before storage; payloads only wrapped). */
export interface ObjectRecord {
  readonly kind: ObjectKind;
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
  readonly doc: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}
