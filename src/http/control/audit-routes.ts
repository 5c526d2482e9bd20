import { OkmsError } from '../../domain/errors';
import type { UndialectedRoute } from '../pipeline/route';
import type { ControlPlaneServices } from './services';

const requireRoot = (isRoot: boolean) => {
  // The log spans every account's domains; per-account views are future work.
  if (!isRoot) throw new OkmsError('ERR_FORBIDDEN', 'only the root account may read the audit log');
};

export function auditRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  return [
    {
      method: 'get',
      path: '/audit',
      summary: 'Page through the hash-chained audit log (?after=seq&limit=n)',
      auth: 'admin',
      async handle({ req, account }) {
        requireRoot(account.isRoot);
        const after = typeof req.query.after === 'string' && /^\d{1,15}$/.test(req.query.after) ? Number(req.query.after) : 0;
        const raw = typeof req.query.limit === 'string' ? req.query.limit : '100';
        const limit = /^\d{1,4}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 1000 ? Number(raw) : NaN;
        if (Number.isNaN(limit)) throw new OkmsError('ERR_VALIDATION', 'limit: must be an integer from 1 to 1000', { field: 'limit' });
        const entries = await s.store.audit.list(after, limit);
        const last = entries[entries.length - 1];
        const headers: Record<string, string> = entries.length === limit && last ? { 'X-Pagination-Cursor-Next': String(last.seq) } : {};
        return {
          status: 200,
          body: entries.map((e) => ({ seq: e.seq, prevHash: e.prevHash, hash: e.hash, record: JSON.parse(e.record) as unknown })),
          headers,
        };
      },
    },
    {
      method: 'post',
      path: '/audit/verify',
      success: 200,
      summary: 'Recompute the whole chain; report the first broken link',
      auth: 'admin',
      async handle({ account }) {
        requireRoot(account.isRoot);
        return { status: 200, body: await s.audit.verify() };
      },
    },
  ];
}
