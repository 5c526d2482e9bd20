import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { OkmsError } from '../../domain/errors';
import type { Account, ApiTokenRecord, CredentialRecord, DomainRecord, Page, PageRequest, RevocationRecord } from '../../domain/types';
import type {
  AccountRepository, ApiTokenRepository, CredentialRepository, DomainRepository, MetaRepository, RevocationRepository, Store,
} from '../ports';
import {
  accountFromRow, credentialFromRow, credentialToRow, domainFromRow, domainToRow, insertSql, revocationFromRow, tokenFromRow, type Row,
} from './rows';
import { GroupCommit } from './group-commit';
import { migrate } from './schema';

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
  scope: string,
  page: PageRequest,
  map: (row: Row) => T,
): Page<T> {
  const after = page.after ?? { createdAt: '', id: '' };
  const rows = statement.all({ scope, createdAt: after.createdAt, id: after.id, limit: page.limit + 1 }) as Row[];
  const items = rows.slice(0, page.limit).map(map);
  const last = items[items.length - 1];
  return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
}

const KEYSET = `(created_at > @createdAt OR (created_at = @createdAt AND id > @id)) ORDER BY created_at, id LIMIT @limit`;

/**
 * The zero-setup store: one SQLite file in the data dir, WAL mode, synchronous=FULL so that a
 * write acknowledged to a client survives power loss, not only a process crash. Writes go through
 * group commit (one fsync for all writes of an event-loop turn).
 */
export function openEmbeddedStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dataDir, EMBEDDED_DB_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const commits = new GroupCommit(db);
  const write = <T>(run: () => T): Promise<T> => commits.write(run);

  const q = {
    metaGet: db.prepare('SELECT value FROM meta WHERE key = ?'),
    metaInsert: db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)'),
    accountGet: db.prepare('SELECT * FROM accounts WHERE id = ?'),
    accountInsert: db.prepare('INSERT INTO accounts (id, description, is_root, created_at) VALUES (?, ?, ?, ?)'),
    tokenGet: db.prepare('SELECT * FROM api_tokens WHERE id = ?'),
    tokenCount: db.prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE account_id = ?'),
    domainGet: db.prepare('SELECT * FROM domains WHERE id = ?'),
    domainPage: db.prepare(`SELECT * FROM domains WHERE account_id = @scope AND ${KEYSET}`),
    credentialGet: db.prepare('SELECT * FROM credentials WHERE domain_id = ? AND id = ?'),
    credentialBySerial: db.prepare('SELECT * FROM credentials WHERE domain_id = ? AND serial = ?'),
    credentialPage: db.prepare(`SELECT * FROM credentials WHERE domain_id = @scope AND ${KEYSET}`),
    credentialDelete: db.prepare('DELETE FROM credentials WHERE domain_id = ? AND id = ?'),
    revocationInsert: db.prepare(
      'INSERT INTO revocations (domain_id, serial, credential_id, revoked_at, reason) VALUES (?, ?, ?, ?, ?)',
    ),
    revocationGet: db.prepare('SELECT * FROM revocations WHERE domain_id = ? AND serial = ?'),
    revocationList: db.prepare('SELECT * FROM revocations WHERE domain_id = ? ORDER BY revoked_at, serial'),
  };
  const get = (statement: Database.Statement, ...args: unknown[]): Row | undefined => statement.get(...args) as Row | undefined;
  const tokenStatement = (row: Row, verb: string) => db.prepare(insertSql('api_tokens', row, verb));
  const tokenRow = (t: ApiTokenRecord): Row => ({
    id: t.id, account_id: t.accountId, secret_hash: t.secretHash, description: t.description, created_at: t.createdAt,
  });
  const domainInsert = db.prepare(insertSql('domains', domainToRow(placeholderDomain())));
  const credentialInsert = db.prepare(insertSql('credentials', credentialToRow(placeholderCredential())));

  const meta: MetaRepository = {
    async get(key) {
      return get(q.metaGet, key)?.value as string | undefined;
    },
    async putIfAbsent(key, value) {
      await write(() => q.metaInsert.run(key, value));
      return String(get(q.metaGet, key)!.value);
    },
  };

  const accounts: AccountRepository = {
    async get(id) {
      const row = get(q.accountGet, id);
      return row && accountFromRow(row);
    },
    async create(a: Account) {
      await conflictOnDuplicate(`account ${a.id}`, () => write(() => q.accountInsert.run(a.id, a.description, a.isRoot ? 1 : 0, a.createdAt)));
    },
  };

  const apiTokens: ApiTokenRepository = {
    async get(id) {
      const row = get(q.tokenGet, id);
      return row && tokenFromRow(row);
    },
    async create(t) {
      const row = tokenRow(t);
      await conflictOnDuplicate(`token ${t.id}`, () => write(() => tokenStatement(row, 'INSERT').run(row)));
    },
    async upsert(t) {
      const row = tokenRow(t);
      await write(() => tokenStatement(row, 'INSERT OR REPLACE').run(row));
    },
    async countForAccount(accountId) {
      return Number(get(q.tokenCount, accountId)!.n);
    },
  };

  const domains: DomainRepository = {
    async create(d: DomainRecord) {
      await conflictOnDuplicate(`domain ${d.id}`, () => write(() => domainInsert.run(domainToRow(d))));
    },
    async get(id) {
      const row = get(q.domainGet, id);
      return row && domainFromRow(row);
    },
    async listForAccount(accountId, page) {
      return keysetPage(q.domainPage, accountId, page, domainFromRow);
    },
  };

  // Runs inside a group-commit savepoint: both statements land together or not at all.
  const revokeTransaction = (domainId: string, id: string, revokedAt: string, reason: string) => {
    const row = get(q.credentialGet, domainId, id);
    if (!row) return undefined;
    const credential = credentialFromRow(row);
    q.revocationInsert.run(domainId, credential.serial, credential.id, revokedAt, reason);
    q.credentialDelete.run(domainId, id);
    return { domainId, serial: credential.serial, credentialId: credential.id, revokedAt, reason };
  };

  const credentials: CredentialRepository = {
    async create(c: CredentialRecord) {
      await conflictOnDuplicate(`credential ${c.id}`, () => write(() => credentialInsert.run(credentialToRow(c))));
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
      return keysetPage(q.credentialPage, domainId, page, credentialFromRow);
    },
    async revoke(domainId, id, revokedAt, reason) {
      return write(() => revokeTransaction(domainId, id, revokedAt, reason) as RevocationRecord | undefined);
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
  };

  return {
    kind: 'embedded',
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
      commits.flush();
      db.close();
    },
  };
}

// Prepared INSERTs are built from a record's column list; these give them their shape once.
function placeholderDomain(): DomainRecord {
  return {
    id: '', accountId: '', name: '', region: '', caKeyAlgorithm: 'P-256', caCertificatePEM: '', caNotAfter: '',
    wrappedKek: '', wrappedCaKey: '', createdAt: '', updatedAt: '', version: 0,
  };
}

function placeholderCredential(): CredentialRecord {
  return {
    id: '', domainId: '', accountId: '', name: '', description: '', identityURNs: [], status: 'READY', fromCSR: false,
    certificateType: 'ECDSA', keyAlgorithm: '', serial: '', certificatePEM: '', createdAt: '', updatedAt: '',
    expiredAt: '', version: 0,
  };
}
