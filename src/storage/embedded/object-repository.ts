import type Database from 'better-sqlite3';
import type { ObjectQuery, ObjectRepository } from '../ports';
import type { ObjectDocs, ObjectKind, ObjectRecordOf } from '../../domain/records';
import { insertStep, type Row } from './rows';
import type { WriteStep } from './writer-thread';

/** A row of kind K (the query asked for K): its doc is what src/secrets validated before it was stored. */
const fromRow = <K extends ObjectKind>(r: Row): ObjectRecordOf<K> => ({
  kind: r.kind as K,
  id: String(r.id),
  domainId: String(r.domain_id),
  name: r.name === null ? null : String(r.name),
  type: String(r.type),
  expiresAt: r.expires_at === null ? null : String(r.expires_at),
  notAfter: r.not_after === null || r.not_after === undefined ? null : String(r.not_after),
  doc: JSON.parse(String(r.doc)) as ObjectDocs[K],
  createdAt: String(r.created_at),
  updatedAt: String(r.updated_at),
  version: Number(r.version),
});

function filters(query: ObjectQuery): { sql: string; params: Record<string, string> } {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (query.name !== undefined) (clauses.push('name = @name'), (params.name = query.name));
  if (query.type !== undefined) (clauses.push('type = @type'), (params.type = query.type));
  if (query.liveAt !== undefined) (clauses.push('(expires_at IS NULL OR expires_at > @liveAt)'), (params.liveAt = query.liveAt));
  return { sql: clauses.map((c) => ` AND ${c}`).join(''), params };
}

/** Barbican objects in the embedded store: one row per object, its fields as JSON beside the columns queries need. */
export function embeddedObjectRepository(
  db: Database.Database,
  write: (...steps: WriteStep[]) => Promise<unknown[]>,
  conflictOnDuplicate: <T>(what: string, write: () => Promise<T>) => Promise<T>,
): ObjectRepository {
  const getOne = db.prepare('SELECT * FROM objects WHERE kind = ? AND id = ?');
  const expiring = db.prepare('SELECT * FROM objects WHERE kind = ? AND not_after >= ? AND not_after < ? ORDER BY not_after');
  const counted = db.prepare('SELECT n FROM object_counts WHERE domain_id = ? AND kind = ?');
  // Expired before today (UTC): whole days from the kept counts; today's: through the partial index on expires_at.
  const expired = db.prepare(`SELECT
    (SELECT COALESCE(SUM(n), 0) FROM object_expiry_counts WHERE domain_id = @domainId AND kind = @kind AND day < @day) +
    (SELECT COUNT(*) FROM objects WHERE domain_id = @domainId AND kind = @kind AND expires_at IS NOT NULL AND expires_at >= @day AND expires_at <= @liveAt) AS n`);
  const statements = new Map<string, { page: Database.Statement; count: Database.Statement }>();
  const prepared = (filterSql: string) => {
    let entry = statements.get(filterSql);
    if (!entry) {
      const where = `FROM objects WHERE domain_id = @domainId AND kind = @kind${filterSql}`;
      entry = { page: db.prepare(`SELECT * ${where} ORDER BY created_at, id LIMIT @limit OFFSET @offset`), count: db.prepare(`SELECT COUNT(*) AS n ${where}`) };
      statements.set(filterSql, entry);
    }
    return entry;
  };
  return {
    async get(kind, id) {
      const row = getOne.get(kind, id) as Row | undefined;
      return row && fromRow<typeof kind>(row);
    },
    async list(domainId, kind, query) {
      const { sql, params } = filters(query);
      const { page, count } = prepared(sql);
      const scope = { domainId, kind, ...params };
      const items = (page.all({ ...scope, limit: query.limit, offset: query.offset }) as Row[]).map((row) => fromRow<typeof kind>(row));
      if (query.name !== undefined || query.type !== undefined) return { items, total: Number((count.get(scope) as { n: number }).n) };
      // Unfiltered (Barbican's default list): the kept count, less the expired ones when only live objects count.
      const all = Number((counted.get(domainId, kind) as { n: number } | undefined)?.n ?? 0);
      const gone = query.liveAt === undefined ? 0 : Number((expired.get({ domainId, kind, day: query.liveAt.slice(0, 10), liveAt: query.liveAt }) as { n: number }).n);
      return { items, total: all - gone };
    },
    async create(o) {
      const row = {
        kind: o.kind, id: o.id, domain_id: o.domainId, name: o.name, type: o.type, expires_at: o.expiresAt, not_after: o.notAfter, doc: JSON.stringify(o.doc),
        created_at: o.createdAt, updated_at: o.updatedAt, version: o.version,
      };
      await conflictOnDuplicate(`${o.kind} ${o.id}`, () => write(insertStep('objects', row)));
    },
    async replace(o, expectedVersion) {
      const [changed] = await write({
        sql: 'UPDATE objects SET name = ?, type = ?, expires_at = ?, not_after = ?, doc = ?, updated_at = ?, version = ? WHERE kind = ? AND id = ? AND version = ?',
        params: [o.name, o.type, o.expiresAt, o.notAfter, JSON.stringify(o.doc), o.updatedAt, o.version, o.kind, o.id, expectedVersion],
        mode: 'run',
      });
      return changed === 1;
    },
    async delete(kind, id) {
      const [changed] = await write({ sql: 'DELETE FROM objects WHERE kind = ? AND id = ?', params: [kind, id], mode: 'run' });
      return changed === 1;
    },
    async listExpiring(kind, from, to) {
      return (expiring.all(kind, from, to) as Row[]).map((row) => fromRow<typeof kind>(row));
    },
  };
}
