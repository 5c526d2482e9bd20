import type Database from 'better-sqlite3';
import { ABOVE_ANY_PATH_CHAR, type SecretPathRecord } from '../../domain/records';
import type { SecretPathRepository } from '../ports';
import type { Row } from './rows';
import type { WriteStep } from './writer-thread';

const fromRow = (row: Row): SecretPathRecord => JSON.parse(String(row.doc)) as SecretPathRecord;

/** Secret Manager secrets in the embedded store: one row per path, the record as JSON; pages by the primary key. */
export function embeddedSecretPathRepository(
  db: Database.Database,
  write: (...steps: WriteStep[]) => Promise<unknown[]>,
  conflictOnDuplicate: <T>(what: string, write: () => Promise<T>) => Promise<T>,
): SecretPathRepository {
  const getOne = db.prepare('SELECT doc FROM secret_paths WHERE domain_id = ? AND path = ?');
  const page = db.prepare('SELECT doc, path FROM secret_paths WHERE domain_id = @domainId AND path > @after AND path >= @prefix AND path < @end ORDER BY path LIMIT @limit');
  return {
    async get(domainId, path) {
      const row = getOne.get(domainId, path) as Row | undefined;
      return row && fromRow(row);
    },
    async create(record) {
      await conflictOnDuplicate(`secret ${record.path}`, () =>
        write({
          sql: 'INSERT INTO secret_paths (domain_id, path, doc, updated_at, version) VALUES (?, ?, ?, ?, ?)',
          params: [record.domainId, record.path, JSON.stringify(record), record.updatedAt, record.version],
          mode: 'run',
        }),
      );
    },
    async replace(record, expectedVersion) {
      const [changed] = await write({
        sql: 'UPDATE secret_paths SET doc = ?, updated_at = ?, version = ? WHERE domain_id = ? AND path = ? AND version = ?',
        params: [JSON.stringify(record), record.updatedAt, record.version, record.domainId, record.path, expectedVersion],
        mode: 'run',
      });
      return changed === 1;
    },
    async delete(domainId, path) {
      const [changed] = await write({ sql: 'DELETE FROM secret_paths WHERE domain_id = ? AND path = ?', params: [domainId, path], mode: 'run' });
      return changed === 1;
    },
    async list(domainId, query) {
      const prefix = query.prefix ?? '';
      const rows = page.all({ domainId, after: query.after ?? '', prefix, end: `${prefix}${ABOVE_ANY_PATH_CHAR}`, limit: query.limit + 1 }) as Row[];
      const items = rows.slice(0, query.limit).map(fromRow);
      return rows.length > query.limit ? { items, next: items[items.length - 1]!.path } : { items };
    },
  };
}
