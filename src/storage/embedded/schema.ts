import type Database from 'better-sqlite3';

/** Ordered migrations; PRAGMA user_version records how many have run. Never edit one that has shipped. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE accounts (
     id TEXT PRIMARY KEY, description TEXT NOT NULL, is_root INTEGER NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), secret_hash TEXT NOT NULL,
     description TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE INDEX api_tokens_account ON api_tokens(account_id);
   CREATE TABLE domains (
     id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id), name TEXT NOT NULL, region TEXT NOT NULL,
     ca_key_algorithm TEXT NOT NULL, ca_certificate_pem TEXT NOT NULL, ca_not_after TEXT NOT NULL,
     wrapped_kek TEXT NOT NULL, wrapped_ca_key TEXT NOT NULL,
     created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL);
   CREATE INDEX domains_account_page ON domains(account_id, created_at, id);
   CREATE TABLE credentials (
     id TEXT PRIMARY KEY, domain_id TEXT NOT NULL REFERENCES domains(id), account_id TEXT NOT NULL,
     name TEXT NOT NULL, description TEXT NOT NULL, identity_urns TEXT NOT NULL, status TEXT NOT NULL,
     from_csr INTEGER NOT NULL, certificate_type TEXT NOT NULL, key_algorithm TEXT NOT NULL, serial TEXT NOT NULL,
     certificate_pem TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expired_at TEXT NOT NULL,
     version INTEGER NOT NULL);
   CREATE INDEX credentials_page ON credentials(domain_id, created_at, id);
   CREATE UNIQUE INDEX credentials_serial ON credentials(domain_id, serial);
   CREATE TABLE revocations (
     domain_id TEXT NOT NULL, serial TEXT NOT NULL, credential_id TEXT NOT NULL, revoked_at TEXT NOT NULL,
     reason TEXT NOT NULL, PRIMARY KEY (domain_id, serial));`,
  `CREATE TABLE iam_entities (
     account_id TEXT NOT NULL REFERENCES accounts(id), kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,
     created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (account_id, kind, id));
   CREATE INDEX iam_entities_page ON iam_entities(account_id, kind, created_at, id);`,
  `CREATE INDEX revocations_time ON revocations(revoked_at);
   CREATE TABLE audit (seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, record TEXT NOT NULL);`,
  `CREATE TABLE service_keys (
     domain_id TEXT NOT NULL REFERENCES domains(id), id TEXT NOT NULL, doc TEXT NOT NULL, state TEXT NOT NULL,
     created_at TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (domain_id, id));
   CREATE INDEX service_keys_page ON service_keys(domain_id, created_at, id);`,
  `CREATE TABLE objects (
     kind TEXT NOT NULL, id TEXT NOT NULL, domain_id TEXT NOT NULL, name TEXT, type TEXT NOT NULL, expires_at TEXT,
     not_after TEXT, doc TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
     PRIMARY KEY (kind, id));
   CREATE INDEX objects_page ON objects(domain_id, kind, created_at, id);
   CREATE INDEX objects_not_after ON objects(kind, not_after) WHERE not_after IS NOT NULL;`,
  `ALTER TABLE credentials ADD COLUMN predecessor_id TEXT;
   ALTER TABLE credentials ADD COLUMN successor_id TEXT;
   ALTER TABLE credentials ADD COLUMN revoke_at TEXT;
   CREATE INDEX credentials_revoke_at ON credentials(revoke_at) WHERE revoke_at IS NOT NULL;
   CREATE INDEX credentials_expiry ON credentials(expired_at);`,
  `ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
   ALTER TABLE credentials ADD COLUMN identity_bindings TEXT;`,
  `ALTER TABLE domains ADD COLUMN ca_generations TEXT;`,
  `ALTER TABLE api_tokens ADD COLUMN data_plane TEXT;
   CREATE TABLE secret_paths (
     domain_id TEXT NOT NULL, path TEXT NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL, version INTEGER NOT NULL,
     PRIMARY KEY (domain_id, path)) WITHOUT ROWID;`,
  // Barbican's total without a scan: a count per (domain, kind) kept by triggers in the writing transaction, and the
  // expired ones (few: most objects never expire) counted through a partial index.
  `CREATE TABLE object_counts (domain_id TEXT NOT NULL, kind TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (domain_id, kind)) WITHOUT ROWID;
   INSERT INTO object_counts (domain_id, kind, n) SELECT domain_id, kind, COUNT(*) FROM objects GROUP BY domain_id, kind;
   CREATE TRIGGER objects_counted_in AFTER INSERT ON objects BEGIN
     INSERT INTO object_counts (domain_id, kind, n) VALUES (NEW.domain_id, NEW.kind, 1) ON CONFLICT (domain_id, kind) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER objects_counted_out AFTER DELETE ON objects BEGIN
     UPDATE object_counts SET n = n - 1 WHERE domain_id = OLD.domain_id AND kind = OLD.kind;
   END;
   CREATE INDEX objects_expiry ON objects(domain_id, kind, expires_at) WHERE expires_at IS NOT NULL;`,
  // The expired ones without a walk over them either: a count per (domain, kind, UTC day of expiry), so that a
  // total subtracts whole past days from this table and counts only today's through the partial index.
  `CREATE TABLE object_expiry_counts (domain_id TEXT NOT NULL, kind TEXT NOT NULL, day TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (domain_id, kind, day)) WITHOUT ROWID;
   INSERT INTO object_expiry_counts (domain_id, kind, day, n)
     SELECT domain_id, kind, substr(expires_at, 1, 10), COUNT(*) FROM objects WHERE expires_at IS NOT NULL GROUP BY domain_id, kind, substr(expires_at, 1, 10);
   CREATE TRIGGER objects_expiry_in AFTER INSERT ON objects WHEN NEW.expires_at IS NOT NULL BEGIN
     INSERT INTO object_expiry_counts (domain_id, kind, day, n) VALUES (NEW.domain_id, NEW.kind, substr(NEW.expires_at, 1, 10), 1)
       ON CONFLICT (domain_id, kind, day) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER objects_expiry_out AFTER DELETE ON objects WHEN OLD.expires_at IS NOT NULL BEGIN
     UPDATE object_expiry_counts SET n = n - 1 WHERE domain_id = OLD.domain_id AND kind = OLD.kind AND day = substr(OLD.expires_at, 1, 10);
   END;
   CREATE TRIGGER objects_expiry_moved AFTER UPDATE OF expires_at ON objects WHEN OLD.expires_at IS NOT NEW.expires_at BEGIN
     UPDATE object_expiry_counts SET n = n - 1 WHERE OLD.expires_at IS NOT NULL AND domain_id = OLD.domain_id AND kind = OLD.kind AND day = substr(OLD.expires_at, 1, 10);
     INSERT INTO object_expiry_counts (domain_id, kind, day, n) SELECT NEW.domain_id, NEW.kind, substr(NEW.expires_at, 1, 10), 1 WHERE NEW.expires_at IS NOT NULL
       ON CONFLICT (domain_id, kind, day) DO UPDATE SET n = n + 1;
   END;`,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let index = current; index < MIGRATIONS.length; index += 1) {
    db.transaction(() => {
      db.exec(MIGRATIONS[index]!);
      db.pragma(`user_version = ${index + 1}`);
    })();
  }
}
