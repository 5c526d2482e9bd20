import { OkmsError } from '../../domain/errors';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';

const validatePrune = bodyValidator('audit-prune');
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
    {
      method: 'post',
      path: '/audit/prune',
      success: 200,
      summary: 'Remove the records made before a time (never the newest), keeping a signed checkpoint from which verify proves the rest',
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'audit-prune' },
      async handle({ req, account }) {
        requireRoot(account.isRoot);
        const before = new Date(validatePrune(req.body).before);
        if (before.getTime() > s.clock().getTime()) throw new OkmsError('ERR_VALIDATION', 'before: must not be in the future', { field: 'before' });
        const current = await s.audit.checkpoint();
        if (current && !current.valid) throw new OkmsError('ERR_CONFLICT', 'the stored pruning checkpoint is not signed by this service: nothing pruned', { field: 'before' });
        const { pruned, checkpoint } = await s.audit.prune(before, s.clock()).catch((error: unknown) => {
          throw new OkmsError('ERR_CONFLICT', error instanceof Error ? error.message : 'the audit chain is broken: nothing pruned', { field: 'before' });
        });
        const { mac: _mac, ...shown } = checkpoint ?? { mac: '' };
        return { status: 200, body: { pruned, ...(checkpoint ? { checkpoint: shown } : {}) }, audit: { ...(checkpoint ? { objectId: String(checkpoint.seq) } : {}) } };
      },
    },
  ];
}
