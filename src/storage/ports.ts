import type {
  Account,
  ApiTokenRecord,
  CredentialRecord,
  DomainRecord,
  Page,
  PageRequest,
  RevocationRecord,
} from '../domain/types';
import type { AuditEntry, IamKind, IamRecordOf, ObjectKind, ObjectRecordOf, SecretPathRecord, ServiceKeyRecord } from '../domain/records';

/** The repositories of the store, one per record family. Services take the ones they use (a Pick of this). */
export interface Repositories {
  readonly meta: MetaRepository;
  readonly accounts: AccountRepository;
  readonly apiTokens: ApiTokenRepository;
  readonly domains: DomainRepository;
  readonly credentials: CredentialRepository;
  readonly revocations: RevocationRepository;
  readonly iam: IamRepository;
  readonly audit: AuditRepository;
  readonly serviceKeys: ServiceKeyRepository;
  readonly objects: ObjectRepository;
  readonly secretPaths: SecretPathRepository;
}

/** What readiness needs of the store: which adapter it is and whether it answers. */
export interface StoreHealth {
  readonly kind: 'embedded' | 'mongodb';
  /** Resolves when the store answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Stores `value` unless `key` exists; returns the value that is stored afterwards. */
  putIfAbsent(key: string, value: string): Promise<string>;
  /** Stores `value` under `key`, replacing what was there. */
  put(key: string, value: string): Promise<void>;
}

export interface AccountRepository {
  get(id: string): Promise<Account | undefined>;
  create(account: Account): Promise<void>;
}

export interface ApiTokenRepository {
  get(id: string): Promise<ApiTokenRecord | undefined>;
  create(token: ApiTokenRecord): Promise<void>;
  /** Inserts or replaces (used for the token given by configuration, which may change between starts). */
  upsert(token: ApiTokenRecord): Promise<void>;
  countForAccount(accountId: string): Promise<number>;
  /** The account's tokens, oldest first (an account holds a handful). */
  listForAccount(accountId: string): Promise<ApiTokenRecord[]>;
  /** Revokes a token at once: the next call with it is refused, on every node. */
  delete(id: string): Promise<boolean>;
}

export interface DomainRepository {
  create(domain: DomainRecord): Promise<void>;
  get(id: string): Promise<DomainRecord | undefined>;
  /** Keyset pagination by (createdAt, id). */
  listForAccount(accountId: string, page: PageRequest): Promise<Page<DomainRecord>>;
  /** Compare-and-set on `version` (CA rotation): false when the record changed meanwhile or is gone. */
  replace(domain: DomainRecord, expectedVersion: number): Promise<boolean>;
}

export interface CredentialRepository {
  create(credential: CredentialRecord): Promise<void>;
  /** Bulk path (seeding, migration). Embedded: one transaction, all or nothing; MongoDB: an ordered insert that stops at the first duplicate. */
  createMany(credentials: readonly CredentialRecord[]): Promise<void>;
  get(domainId: string, id: string): Promise<CredentialRecord | undefined>;
  getBySerial(domainId: string, serial: string): Promise<CredentialRecord | undefined>;
  list(domainId: string, page: PageRequest): Promise<Page<CredentialRecord>>;
  /**
   * Atomically puts the credential's serial on the domain's revocation list and removes the
   * credential record. Returns the revocation, or undefined when no such credential exists.
   */
  revoke(domainId: string, id: string, revokedAt: string, reason: string): Promise<RevocationRecord | undefined>;
  /**
   * Records the successor of a renewed credential and when the old one is to be revoked (null: not scheduled),
   * compare-and-set on `version`; false when it changed meanwhile, is gone or has a successor already.
   */
  markRenewed(domainId: string, id: string, successorId: string, revokeAt: string | null, expectedVersion: number, updatedAt: string): Promise<boolean>;
  /** Renewed credentials whose overlap ended at or before `now` (all domains), at most `limit`. */
  listDueRevocations(now: string, limit: number): Promise<CredentialRecord[]>;
  /** READY credentials (all domains) expiring in [from, to), soonest first, at most `limit`: the expiry monitor's query. */
  listExpiring(from: string, to: string, limit: number): Promise<CredentialRecord[]>;
  /** Counts for metrics: READY records not yet expired at `now`, expired ones, and the soonest expiry ahead. */
  countByStatus(now: string): Promise<{ ready: number; expired: number; soonestExpiry: string | undefined }>;
}

export interface RevocationRepository {
  get(domainId: string, serial: string): Promise<RevocationRecord | undefined>;
  listForDomain(domainId: string): Promise<RevocationRecord[]>;
  /**
   * Puts a serial that has no credential record (a TLS server certificate of a Barbican order) on the domain's
   * revocation list; false when the serial is on it already (the first revocation stands).
   */
  add(revocation: RevocationRecord): Promise<boolean>;
  /** Every revocation at or after `revokedAt` (all domains), for the gateways' in-memory revocation sets. */
  listSince(revokedAt: string): Promise<RevocationRecord[]>;
}

export interface AuditRepository {
  /**
   * Appends `record` (canonical JSON) at the end of the one chain, atomically: the store assigns the next
   * sequence number and links it to the entry before (hash = chainHash(prevHash, record)), so appends from
   * several processes never fork the chain and never wait for each other in the application. `deferSync`: the
   * record must survive a crash of this process once the promise settles, and may reach stable storage a
   * configured instant later (the embedded store's OKMSD_AUDIT_SYNC_MS; other stores sync it at once).
   */
  append(record: string, options?: { readonly deferSync?: boolean }): Promise<AuditEntry>;
  last(): Promise<AuditEntry | undefined>;
  /** Entries with seq > afterSeq, in order. */
  list(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  /** Removes the entries with seq <= throughSeq, never the last one (the chain's tail links the next append); returns how many. */
  prune(throughSeq: number): Promise<number>;
}

export interface IamRepository {
  get<K extends IamKind>(accountId: string, kind: K, id: string): Promise<IamRecordOf<K> | undefined>;
  list<K extends IamKind>(accountId: string, kind: K, page: PageRequest): Promise<Page<IamRecordOf<K>>>;
  listAll<K extends IamKind>(accountId: string, kind: K): Promise<IamRecordOf<K>[]>;
  create<K extends IamKind>(record: IamRecordOf<K>): Promise<void>;
  /** Compare-and-set on `version`: false when the record changed meanwhile or is gone. */
  replace<K extends IamKind>(record: IamRecordOf<K>, expectedVersion: number): Promise<boolean>;
  delete(accountId: string, kind: IamKind, id: string): Promise<boolean>;
}

export interface ServiceKeyRepository {
  create(key: ServiceKeyRecord): Promise<void>;
  get(domainId: string, id: string): Promise<ServiceKeyRecord | undefined>;
  /** Keyset pagination by (createdAt, id); `state` filters unless undefined. */
  list(domainId: string, page: PageRequest, state?: ServiceKeyRecord['state']): Promise<Page<ServiceKeyRecord>>;
  /** Compare-and-set on `version`. */
  replace(key: ServiceKeyRecord, expectedVersion: number): Promise<boolean>;
  delete(domainId: string, id: string): Promise<boolean>;
}

export interface ObjectQuery {
  readonly offset: number;
  readonly limit: number;
  readonly name?: string;
  readonly type?: string;
  /** Leave out objects whose expiresAt is at or before this instant. */
  readonly liveAt?: string;
}

export interface ObjectRepository {
  get<K extends ObjectKind>(kind: K, id: string): Promise<ObjectRecordOf<K> | undefined>;
  /** Offset pages in (createdAt, id) order, as Barbican's API pages (limit/offset with a total). */
  list<K extends ObjectKind>(domainId: string, kind: K, query: ObjectQuery): Promise<{ items: ObjectRecordOf<K>[]; total: number }>;
  create<K extends ObjectKind>(record: ObjectRecordOf<K>): Promise<void>;
  /** Compare-and-set on `version`. */
  replace<K extends ObjectKind>(record: ObjectRecordOf<K>, expectedVersion: number): Promise<boolean>;
  delete(kind: ObjectKind, id: string): Promise<boolean>;
  /** Objects of `kind` (all domains) whose certificate notAfter lies in [from, to), soonest first: the expiry monitor's query. */
  listExpiring<K extends ObjectKind>(kind: K, from: string, to: string): Promise<ObjectRecordOf<K>[]>;
}

/** Secret Manager secrets by (domain, path); listed in path order, so a page costs the same at any size. */
export interface SecretPathRepository {
  get(domainId: string, path: string): Promise<SecretPathRecord | undefined>;
  /** ERR_CONFLICT when the path exists. */
  create(record: SecretPathRecord): Promise<void>;
  /** Compare-and-set on `version`. */
  replace(record: SecretPathRecord, expectedVersion: number): Promise<boolean>;
  delete(domainId: string, path: string): Promise<boolean>;
  /** Paths after `after` (exclusive) that start with `prefix`, in path order, at most `limit`; `next` when more follow. */
  list(domainId: string, query: { readonly prefix?: string; readonly after?: string; readonly limit: number }): Promise<{ items: SecretPathRecord[]; next?: string }>;
}
