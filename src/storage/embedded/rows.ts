import type { WriteStep } from './writer-thread';
import type { IamDocs, IamKind, IamRecordOf } from '../../domain/records';
import type { Account, ApiTokenRecord, DataPlaneTokenSubject, CaKeyAlgorithm, CertificateType, CredentialRecord, DomainRecord, RevocationRecord, StoredCredentialStatus } from '../../domain/types';

/** Row <-> record mapping for the SQLite tables (snake_case columns, camelCase records). */
export type Row = Record<string, string | number | null>;

const str = (row: Row, column: string): string => String(row[column]);
const num = (row: Row, column: string): number => Number(row[column]);

export const accountFromRow = (r: Row): Account => ({
  id: str(r, 'id'), description: str(r, 'description'), isRoot: num(r, 'is_root') === 1, createdAt: str(r, 'created_at'),
});

export const tokenFromRow = (r: Row): ApiTokenRecord => ({
  id: str(r, 'id'), accountId: str(r, 'account_id'), secretHash: str(r, 'secret_hash'),
  description: str(r, 'description'), createdAt: str(r, 'created_at'), expiresAt: r.expires_at === null || r.expires_at === undefined ? null : str(r, 'expires_at'),
  ...(typeof r.data_plane === 'string' ? { dataPlane: JSON.parse(r.data_plane) as DataPlaneTokenSubject } : {}),
});

export const domainFromRow = (r: Row): DomainRecord => ({
  id: str(r, 'id'), accountId: str(r, 'account_id'), name: str(r, 'name'), region: str(r, 'region'),
  caKeyAlgorithm: str(r, 'ca_key_algorithm') as CaKeyAlgorithm, caCertificatePEM: str(r, 'ca_certificate_pem'),
  caNotAfter: str(r, 'ca_not_after'), wrappedKek: str(r, 'wrapped_kek'), wrappedCaKey: str(r, 'wrapped_ca_key'),
  createdAt: str(r, 'created_at'), updatedAt: str(r, 'updated_at'), version: num(r, 'version'),
  ...(typeof r.ca_generations === 'string' ? (JSON.parse(r.ca_generations) as Pick<DomainRecord, 'caSuccessor' | 'caPrevious'>) : {}),
});

export const domainToRow = (d: DomainRecord): Row => ({
  id: d.id, account_id: d.accountId, name: d.name, region: d.region, ca_key_algorithm: d.caKeyAlgorithm,
  ca_certificate_pem: d.caCertificatePEM, ca_not_after: d.caNotAfter, wrapped_kek: d.wrappedKek,
  wrapped_ca_key: d.wrappedCaKey, created_at: d.createdAt, updated_at: d.updatedAt, version: d.version,
  ca_generations: d.caSuccessor || d.caPrevious ? JSON.stringify({ caSuccessor: d.caSuccessor ?? null, caPrevious: d.caPrevious ?? null }) : null,
});

export const credentialFromRow = (r: Row): CredentialRecord => ({
  id: str(r, 'id'), domainId: str(r, 'domain_id'), accountId: str(r, 'account_id'), name: str(r, 'name'),
  description: str(r, 'description'), identityURNs: JSON.parse(str(r, 'identity_urns')) as string[],
  status: str(r, 'status') as StoredCredentialStatus, fromCSR: num(r, 'from_csr') === 1,
  certificateType: str(r, 'certificate_type') as CertificateType, keyAlgorithm: str(r, 'key_algorithm'),
  serial: str(r, 'serial'), certificatePEM: str(r, 'certificate_pem'), createdAt: str(r, 'created_at'),
  updatedAt: str(r, 'updated_at'), expiredAt: str(r, 'expired_at'), version: num(r, 'version'),
  predecessorId: (r.predecessor_id as string | null | undefined) ?? null, successorId: (r.successor_id as string | null | undefined) ?? null,
  revokeAt: (r.revoke_at as string | null | undefined) ?? null,
  ...(typeof r.identity_bindings === 'string' ? { identityBindings: JSON.parse(r.identity_bindings) as Record<string, string> } : {}),
});

export const credentialToRow = (c: CredentialRecord): Row => ({
  id: c.id, domain_id: c.domainId, account_id: c.accountId, name: c.name, description: c.description,
  identity_urns: JSON.stringify(c.identityURNs), status: c.status, from_csr: c.fromCSR ? 1 : 0,
  certificate_type: c.certificateType, key_algorithm: c.keyAlgorithm, serial: c.serial,
  certificate_pem: c.certificatePEM, created_at: c.createdAt, updated_at: c.updatedAt, expired_at: c.expiredAt,
  version: c.version, predecessor_id: c.predecessorId ?? null, successor_id: c.successorId ?? null, revoke_at: c.revokeAt ?? null,
  identity_bindings: c.identityBindings ? JSON.stringify(c.identityBindings) : null,
});

export const revocationFromRow = (r: Row): RevocationRecord => ({
  domainId: str(r, 'domain_id'), serial: str(r, 'serial'), credentialId: str(r, 'credential_id'),
  revokedAt: str(r, 'revoked_at'), reason: str(r, 'reason'),
});

/** `INSERT INTO table (a, b) VALUES (?, ?)` with the row's values, as one write step. */
export function insertStep(table: string, row: Row, verb: 'INSERT' | 'INSERT OR REPLACE' = 'INSERT'): WriteStep {
  const columns = Object.keys(row);
  return {
    sql: `${verb} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    params: Object.values(row),
    mode: 'run',
  };
}

/** The row of an entity of kind K (the query asked for K): its doc is what src/iam validated before it was stored. */
export const iamFromRow = <K extends IamKind>(r: Row): IamRecordOf<K> => ({
  accountId: str(r, 'account_id'), kind: str(r, 'kind') as K, id: str(r, 'id'),
  doc: JSON.parse(str(r, 'doc')) as IamDocs[K], createdAt: str(r, 'created_at'), updatedAt: str(r, 'updated_at'),
  version: num(r, 'version'),
});

export const iamToRow = (e: IamRecordOf<IamKind>): Row => ({
  account_id: e.accountId, kind: e.kind, id: e.id, doc: JSON.stringify(e.doc), created_at: e.createdAt, updated_at: e.updatedAt,
  version: e.version,
});
