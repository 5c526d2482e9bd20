import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OkmsError } from '../../domain/errors';
import type { Account, ApiTokenRecord, CredentialRecord, DomainRecord, Page, PageRequest } from '../../domain/types';
import type { AccountRepository, ApiTokenRepository, AuditRepository, CredentialRepository, ServiceKeyRepository, DomainRepository, IamRepository, MetaRepository, RevocationRepository } from '../ports';
import type { Store } from '../store';
import type { AuditEntry, ServiceKeyRecord } from '../../domain/records';
import {
  accountFromRow, credentialFromRow, credentialToRow, domainFromRow, domainToRow, iamFromRow, iamToRow, insertStep, revocationFromRow, tokenFromRow, type Row,
} from './rows';
import { embeddedSecretPathRepository } from './secret-path-repository';
import { embeddedObjectRepository } from './object-repository';
import { migrate } from './schema';
import { WriterThread, type WriteStep } from './writer-thread';

export const EMBEDDED_DB_FILE = 'okmsd.sqlite';

async function conflictOnDuplicate<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CONSTRAINT_PRIMARYKEY') || code.startsWith('SQLITE_CONSTRAINT_UNIQUE')) {
      throw new OkmsError('ERR_CONFLICT', `${what} already exists`);
    }
    throw error;
  }
}

/** Keyset page over rows ordered by (created_at, id): fetch one more than asked to know whether more follow. */
function keysetPage<T extends { createdAt: string; id: string }>(
  statement: Database.Statement,
  scope: Record<string, string>,
  page: PageRequest,
  map: (row: Row) => T,
): Page<T> {
  const after = page.after ?? { createdAt: '', id: '' };
  const rows = statement.all({ ...scope, createdAt: after.createdAt, id: after.id, limit: page.limit + 1 }) as Row[];
  const items = rows.slice(0, page.limit).map(map);
  const last = items[items.length - 1];
  return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
}

const KEYSET = `(created_at > @createdAt OR (created_at = @createdAt AND id > @id)) ORDER BY created_at, id LIMIT @limit`;

/**
 * The zero-setup store: one SQLite file in the data dir, WAL mode, synchronous=FULL so that a
 * write acknowledged to a client survives power loss, not only a process crash. Writes go to a writer
 * thread with group commit (writer-thread.ts); reads run here, on the main thread's connection.
 */
export function openEmbeddedStore(dataDir: string, options: { onCommit?: (seconds: number) => void; auditSyncMs?: number } = {}): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, EMBEDDED_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Reads run here: 32 MiB of page cache (default 2 MiB) keeps the upper levels of the indexes hot at a million rows.
  db.pragma('cache_size = -32768');
  migrate(db);
  const writer = new WriterThread(join(dataDir, EMBEDDED_DB_FILE), { ...(options.onCommit ? { onCommitted: options.onCommit } : {}), deferSyncMs: options.auditSyncMs ?? 0 });
  const write = (...steps: WriteStep[]): Promise<unknown[]> => writer.write(steps);

  const q = {
    metaGet: db.prepare('SELECT value FROM meta WHERE key = ?'),
    accountGet: db.prepare('SELECT * FROM accounts WHERE id = ?'),
    tokenGet: db.prepare('SELECT * FROM api_tokens WHERE id = ?'),
    tokenCount: db.prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE account_id = ?'),
    tokenList: db.prepare('SELECT * FROM api_tokens WHERE account_id = ? ORDER BY created_at, id'),
    domainGet: db.prepare('SELECT * FROM domains WHERE id = ?'),
    domainPage: db.prepare(`SELECT * FROM domains WHERE account_id = @scope AND ${KEYSET}`),
    credentialGet: db.prepare('SELECT * FROM credentials WHERE domain_id = ? AND id = ?'),
    credentialBySerial: db.prepare('SELECT * FROM credentials WHERE domain_id = ? AND serial = ?'),
    credentialPage: db.prepare(`SELECT * FROM credentials WHERE domain_id = @scope AND ${KEYSET}`),
    credentialCounts: db.prepare(
      "SELECT SUM(expired_at > @now) AS ready, SUM(expired_at <= @now) AS expired, MIN(CASE WHEN expired_at > @now THEN expired_at END) AS soonest FROM credentials WHERE status = 'READY'",
    ),
    credentialDue: db.prepare('SELECT * FROM credentials WHERE revoke_at IS NOT NULL AND revoke_at <= ? ORDER BY revoke_at LIMIT ?'),
    credentialExpiring: db.prepare("SELECT * FROM credentials WHERE status = 'READY' AND expired_at >= ? AND expired_at < ? ORDER BY expired_at LIMIT ?"),
    revocationGet: db.prepare('SELECT * FROM revocations WHERE domain_id = ? AND serial = ?'),
    revocationList: db.prepare('SELECT * FROM revocations WHERE domain_id = ? ORDER BY revoked_at, serial'),
    revocationSince: db.prepare('SELECT * FROM revocations WHERE revoked_at >= ? ORDER BY revoked_at'),
    auditLast: db.prepare('SELECT * FROM audit ORDER BY seq DESC LIMIT 1'),
    auditList: db.prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?'),
    keyGet: db.prepare('SELECT * FROM service_keys WHERE domain_id = ? AND id = ?'),
    keyPage: db.prepare(`SELECT * FROM service_keys WHERE domain_id = @scope AND ${KEYSET}`),
    keyPageByState: db.prepare(`SELECT * FROM service_keys WHERE domain_id = @scope AND state = @state AND ${KEYSET}`),
    iamGet: db.prepare('SELECT * FROM iam_entities WHERE account_id = ? AND kind = ? AND id = ?'),
    iamPage: db.prepare(`SELECT * FROM iam_entities WHERE account_id = @scope AND kind = @kind AND ${KEYSET}`),
    iamAll: db.prepare('SELECT * FROM iam_entities WHERE account_id = ? AND kind = ? ORDER BY created_at, id'),
  };
  const get = (statement: Database.Statement, ...args: unknown[]): Row | undefined => statement.get(...args) as Row | undefined;
  const tokenRow = (t: ApiTokenRecord): Row => ({
    id: t.id, account_id: t.accountId, secret_hash: t.secretHash, description: t.description, created_at: t.createdAt, expires_at: t.expiresAt ?? null,
    data_plane: t.dataPlane ? JSON.stringify(t.dataPlane) : null,
  });

  const meta: MetaRepository = {
    async get(key) {
      return get(q.metaGet, key)?.value as string | undefined;
    },
    async putIfAbsent(key, value) {
      await write({ sql: 'INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)', params: [key, value], mode: 'run' });
      return String(get(q.metaGet, key)!.value);
    },
    async put(key, value) {
      await write({ sql: 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', params: [key, value], mode: 'run' });
    },
  };

  const accounts: AccountRepository = {
    async get(id) {
      const row = get(q.accountGet, id);
      return row && accountFromRow(row);
    },
    async create(a: Account) {
      const row = { id: a.id, description: a.description, is_root: a.isRoot ? 1 : 0, created_at: a.createdAt };
      await conflictOnDuplicate(`account ${a.id}`, () => write(insertStep('accounts', row)));
    },
  };

  const apiTokens: ApiTokenRepository = {
    async get(id) {
      const row = get(q.tokenGet, id);
      return row && tokenFromRow(row);
    },
    async create(t) {
      const row = tokenRow(t);
      await conflictOnDuplicate(`token ${t.id}`, () => write(insertStep('api_tokens', row)));
    },
    async upsert(t) {
      const row = tokenRow(t);
      await write(insertStep('api_tokens', row, 'INSERT OR REPLACE'));
    },
    async countForAccount(accountId) {
      return Number(get(q.tokenCount, accountId)!.n);
    },
    async listForAccount(accountId) {
      return (q.tokenList.all(accountId) as Row[]).map(tokenFromRow);
    },
    async delete(id) {
      const [changed] = await write({ sql: 'DELETE FROM api_tokens WHERE id = ?', params: [id], mode: 'run' });
      return changed === 1;
    },
  };

  const domains: DomainRepository = {
    async create(d: DomainRecord) {
      await conflictOnDuplicate(`domain ${d.id}`, () => write(insertStep('domains', domainToRow(d))));
    },
    async get(id) {
      const row = get(q.domainGet, id);
      return row && domainFromRow(row);
    },
    async listForAccount(accountId, page) {
      return keysetPage(q.domainPage, { scope: accountId }, page, domainFromRow);
    },
    async replace(d, expectedVersion) {
      const row = domainToRow(d);
      const [changed] = await write({
        sql: 'UPDATE domains SET ca_certificate_pem = ?, ca_not_after = ?, wrapped_ca_key = ?, ca_generations = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?',
        params: [row.ca_certificate_pem, row.ca_not_after, row.wrapped_ca_key, row.ca_generations, row.updated_at, row.version, d.id, expectedVersion],
        mode: 'run',
      });
      return changed === 1;
    },
  };

  const credentials: CredentialRepository = {
    async create(c: CredentialRecord) {
      await conflictOnDuplicate(`credential ${c.id}`, () => write(insertStep('credentials', credentialToRow(c))));
    },
    async createMany(records) {
      await conflictOnDuplicate('a credential of the batch', () => write(...records.map((c) => insertStep('credentials', credentialToRow(c)))));
    },
    async get(domainId, id) {
      const row = get(q.credentialGet, domainId, id);
      return row && credentialFromRow(row);
    },
    async getBySerial(domainId, serial) {
      const row = get(q.credentialBySerial, domainId, serial);
      return row && credentialFromRow(row);
    },
    async list(domainId, page) {
      return keysetPage(q.credentialPage, { scope: domainId }, page, credentialFromRow);
    },
    async markRenewed(domainId, id, successorId, revokeAt, expectedVersion, updatedAt) {
      const [changed] = await write({
        sql: 'UPDATE credentials SET successor_id = ?, revoke_at = ?, updated_at = ?, version = version + 1 WHERE domain_id = ? AND id = ? AND version = ? AND successor_id IS NULL',
        params: [successorId, revokeAt, updatedAt, domainId, id, expectedVersion],
        mode: 'run',
      });
      return changed === 1;
    },
    async listDueRevocations(now, limit) {
      return (q.credentialDue.all(now, limit) as Row[]).map(credentialFromRow);
    },
    async listExpiring(from, to, limit) {
      return (q.credentialExpiring.all(from, to, limit) as Row[]).map(credentialFromRow);
    },
    async countByStatus(now) {
      const row = q.credentialCounts.get({ now }) as { ready: number | null; expired: number | null; soonest: string | null };
      return { ready: row.ready ?? 0, expired: row.expired ?? 0, soonestExpiry: row.soonest ?? undefined };
    },
    async revoke(domainId, id, revokedAt, reason) {
      // One write, two statements in one savepoint: the serial joins the list and the record goes, or neither.
      const [revoked] = await write(
        {
          sql: `INSERT INTO revocations (domain_id, serial, credential_id, revoked_at, reason)
                SELECT domain_id, serial, id, ?, ? FROM credentials WHERE domain_id = ? AND id = ? RETURNING serial`,
          params: [revokedAt, reason, domainId, id],
          mode: 'get',
        },
        { sql: 'DELETE FROM credentials WHERE domain_id = ? AND id = ?', params: [domainId, id], mode: 'run', onlyIfPrevious: true },
      );
      const serial = (revoked as { serial?: string } | undefined)?.serial;
      return serial === undefined ? undefined : { domainId, serial, credentialId: id, revokedAt, reason };
    },
  };

  const revocations: RevocationRepository = {
    async get(domainId, serial) {
      const row = get(q.revocationGet, domainId, serial);
      return row && revocationFromRow(row);
    },
    async listForDomain(domainId) {
      return (q.revocationList.all(domainId) as Row[]).map(revocationFromRow);
    },
    async add(revocation) {
      const [changed] = await write({
        sql: 'INSERT OR IGNORE INTO revocations (domain_id, serial, credential_id, revoked_at, reason) VALUES (?, ?, ?, ?, ?)',
        params: [revocation.domainId, revocation.serial, revocation.credentialId, revocation.revokedAt, revocation.reason],
        mode: 'run',
      });
      return changed === 1;
    },
    async listSince(revokedAt) {
      return (q.revocationSince.all(revokedAt) as Row[]).map(revocationFromRow);
    },
  };

  const iam: IamRepository = {
    async get(accountId, kind, id) {
      const row = get(q.iamGet, accountId, kind, id);
      return row && iamFromRow<typeof kind>(row);
    },
    async list(accountId, kind, page) {
      return keysetPage(q.iamPage, { scope: accountId, kind }, page, (row) => iamFromRow<typeof kind>(row));
    },
    async listAll(accountId, kind) {
      return (q.iamAll.all(accountId, kind) as Row[]).map((row) => iamFromRow<typeof kind>(row));
    },
    async create(record) {
      await conflictOnDuplicate(`${record.kind} ${record.id}`, () => write(insertStep('iam_entities', iamToRow(record))));
    },
    async replace(record, expectedVersion) {
      const [changed] = await write({
        sql: 'UPDATE iam_entities SET doc = ?, updated_at = ?, version = ? WHERE account_id = ? AND kind = ? AND id = ? AND version = ?',
        params: [JSON.stringify(record.doc), record.updatedAt, record.version, record.accountId, record.kind, record.id, expectedVersion],
        mode: 'run',
      });
      return changed === 1;
    },
    async delete(accountId, kind, id) {
      const [changed] = await write({ sql: 'DELETE FROM iam_entities WHERE account_id = ? AND kind = ? AND id = ?', params: [accountId, kind, id], mode: 'run' });
      return changed === 1;
    },
  };

  const auditFromRow = (r: Row): AuditEntry => ({ seq: Number(r.seq), prevHash: String(r.prev_hash), hash: String(r.hash), record: String(r.record) });
  const audit: AuditRepository = {
    append(record, options) {
      return writer.appendToChain(record, options?.deferSync === true);
    },
    async last() {
      const row = get(q.auditLast);
      return row && auditFromRow(row);
    },
    async list(afterSeq, limit) {
      return (q.auditList.all(afterSeq, limit) as Row[]).map(auditFromRow);
    },
    async prune(throughSeq) {
      const [changed] = await write({ sql: 'DELETE FROM audit WHERE seq <= ? AND seq < (SELECT MAX(seq) FROM audit)', params: [throughSeq], mode: 'run' });
      return Number(changed);
    },
  };

  // Service keys are stored as one JSON document (the record) beside the columns that queries need.
  const keyFromRow = (r: Row): ServiceKeyRecord => JSON.parse(String(r.doc)) as ServiceKeyRecord;
  const serviceKeys: ServiceKeyRepository = {
    async create(k) {
      const row = { domain_id: k.domainId, id: k.id, doc: JSON.stringify(k), state: k.state, created_at: k.createdAt, version: k.version };
      await conflictOnDuplicate(`service key ${k.id}`, () => write(insertStep('service_keys', row)));
    },
    async get(domainId, id) {
      const row = get(q.keyGet, domainId, id);
      return row && keyFromRow(row);
    },
    async list(domainId, page, state) {
      return state === undefined
        ? keysetPage(q.keyPage, { scope: domainId }, page, keyFromRow)
        : keysetPage(q.keyPageByState, { scope: domainId, state }, page, keyFromRow);
    },
    async replace(k, expectedVersion) {
      const [changed] = await write({
        sql: 'UPDATE service_keys SET doc = ?, state = ?, version = ? WHERE domain_id = ? AND id = ? AND version = ?',
        params: [JSON.stringify(k), k.state, k.version, k.domainId, k.id, expectedVersion],
        mode: 'run',
      });
      return changed === 1;
    },
    async delete(domainId, id) {
      const [changed] = await write({ sql: 'DELETE FROM service_keys WHERE domain_id = ? AND id = ?', params: [domainId, id], mode: 'run' });
      return changed === 1;
    },
  };

  return {
    kind: 'embedded',
    iam,
    objects: embeddedObjectRepository(db, write, conflictOnDuplicate),
    secretPaths: embeddedSecretPathRepository(db, write, conflictOnDuplicate),
    serviceKeys,
    audit,
    meta,
    accounts,
    apiTokens,
    domains,
    credentials,
    revocations,
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (!db.open) return;
      await writer.close();
      db.close();
    },
  };
}
