import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../../tools/free-port';

/**
 * CFSSL's certdb schema for SQLite, as its certdb/sqlite/migrations/001_CreateCertificates.sql creates it (the
 * version Debian packages, 1.2.0+git20160825, has no later migrations): the table `cfssl serve -db-config` writes
 * each signed certificate to.
 */
const CERTDB_SCHEMA = `
CREATE TABLE certificates (
  serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, ca_label blob, status blob NOT NULL,
  reason int, expiry timestamp, revoked_at timestamp, pem blob NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier));
CREATE TABLE ocsp_responses (
  serial_number blob NOT NULL, authority_key_identifier blob NOT NULL, body blob NOT NULL, expiry timestamp,
  PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier) REFERENCES certificates(serial_number, authority_key_identifier));`;

export interface CfsslPeer {
  /** POST a `{certificate_request, profile}` body here. */
  readonly signUrl: string;
  /** The `cfssl serve` process (its CPU time is measured). */
  readonly pid: number;
  /** Certificates in the certdb (0 without one). */
  stored(): number;
  stop(): Promise<void>;
}

export function cfsslAvailable(): boolean {
  try {
    execFileSync('cfssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `cfssl serve` (Debian's golang-cfssl) with an ECDSA P-256 CA of its own making and a client-auth profile, like
 * an okmsd domain CA. With `certdb`, every signed certificate is inserted into SQLite in WAL mode with
 * synchronous=FULL (go-sqlite3's `_journal_mode`/`_synchronous` DSN options; without them its WAL default is
 * NORMAL and nothing is fsynced): the durability okmsd gives each credential.
 */
export async function startCfssl(options: { certdb: boolean }): Promise<CfsslPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-bench-cfssl-'));
  writeFileSync(join(dir, 'ca-csr.json'), JSON.stringify({ CN: 'cfssl bench CA', key: { algo: 'ecdsa', size: 256 } }));
  const ca = JSON.parse(execFileSync('cfssl', ['gencert', '-initca', join(dir, 'ca-csr.json')], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()) as { cert: string; key: string };
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  writeFileSync(join(dir, 'ca-key.pem'), ca.key, { mode: 0o600 });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ signing: { default: { expiry: '8760h' }, profiles: { client: { expiry: '8760h', usages: ['digital signature', 'client auth'] } } } }));
  const dbPath = join(dir, 'certs.db');
  const args = ['serve', '-address', '127.0.0.1', '-ca', join(dir, 'ca.pem'), '-ca-key', join(dir, 'ca-key.pem'), '-config', join(dir, 'config.json')];
  if (options.certdb) {
    const db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    db.exec(CERTDB_SCHEMA);
    db.close();
    writeFileSync(join(dir, 'db.json'), JSON.stringify({ driver: 'sqlite3', data_source: `file:${dbPath}?_journal_mode=WAL&_synchronous=FULL` }));
    args.push('-db-config', join(dir, 'db.json'));
  }
  const port = await freePort();
  const child = spawn('cfssl', [...args, '-port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.once('exit', (code) => reject(new Error(`cfssl serve exited ${code}: ${err.slice(0, 2000)}`)));
    child.stderr!.on('data', (chunk) => {
      err += String(chunk);
      if (err.includes('Now listening')) resolve();
    });
  });
  child.stderr!.resume();
  return {
    signUrl: `http://127.0.0.1:${port}/api/v1/cfssl/sign`,
    pid: child.pid!,
    stored: () => {
      if (!options.certdb) return 0;
      const db = new Database(dbPath, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM certificates').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
