import { OkmsError } from '../domain/errors';
import type { Acl, ObjectRecordOf } from '../domain/records';

export type { Acl };

/** Barbican's secret types and the payload content types okmsd stores (Barbican's five plus PEM/X.509 for certificates). */
export const SECRET_TYPES = ['symmetric', 'public', 'private', 'passphrase', 'certificate', 'opaque'] as const;
export type SecretType = (typeof SECRET_TYPES)[number];
export const CONTENT_TYPES = ['text/plain', 'application/octet-stream', 'application/pkcs8', 'application/pkix-cert', 'application/x-pem-file'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
/** Largest decoded payload, as Barbican's default `max_allowed_secret_in_bytes`. */
export const MAX_PAYLOAD_BYTES = 20_000;

/** Which payload types make sense for which secret type (opaque takes anything): a certificate is never "pkcs8". */
export const CONTENT_TYPES_OF: Record<SecretType, readonly ContentType[]> = {
  certificate: ['application/pkix-cert', 'application/x-pem-file', 'application/octet-stream', 'text/plain'],
  private: ['application/pkcs8', 'application/x-pem-file', 'application/octet-stream', 'text/plain'],
  public: ['application/x-pem-file', 'application/octet-stream', 'text/plain'],
  symmetric: ['application/octet-stream'],
  passphrase: ['text/plain', 'application/octet-stream'],
  opaque: CONTENT_TYPES,
};

export const CONTAINER_TYPES = ['generic', 'rsa', 'certificate'] as const;
export type ContainerType = (typeof CONTAINER_TYPES)[number];

/** text/plain with or without a charset parameter is text/plain; other types are compared case-insensitively. */
export function normaliseContentType(value: string): ContentType | undefined {
  const lowered = value.trim().toLowerCase();
  if (/^text\/plain\s*(;\s*charset=utf-8)?$/.test(lowered)) return 'text/plain';
  return (CONTENT_TYPES as readonly string[]).includes(lowered) ? (lowered as ContentType) : undefined;
}

/** Barbican prints times as Python's isoformat of naive UTC: no zone suffix. */
export function barbicanTime(iso: string | null | undefined): string | null {
  return iso ? iso.replace(/Z$/, '') : null;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The id at the end of a ref (`…/v1/secrets/{uuid}` or a bare uuid), as the clients resolve refs. */
export function idFromRef(ref: string, field: string): string {
  const id = ref.replace(/\/+$/, '').split('/').pop() ?? '';
  if (!UUID.test(id)) throw new OkmsError('ERR_VALIDATION', `${field}: "${ref.slice(0, 120)}" does not end in a UUID`, { field });
  return id.toLowerCase();
}

/** Who is calling the Barbican API: a Keystone-token user scoped to a project (an okmsd domain). */
export interface BarbicanCaller {
  readonly accountId: string;
  /** The IAM user's login; Barbican's user id and creator_id. */
  readonly userId: string;
  readonly projectId: string;
  /** The identities the audit record names (the certificate's on the gateway); the user's URN when unset. */
  readonly identities?: readonly string[];
  /** Asks IAM whether the caller may do `action` on `resource` (a URN). */
  authorize(action: string, resource: string): Promise<boolean>;
}

/** The object's read ACL; absent: the project's default (orders have none). */
export function aclOf(record: ObjectRecordOf<'secret' | 'container' | 'order'>): Acl | undefined {
  return 'acl' in record.doc ? record.doc.acl : undefined;
}
