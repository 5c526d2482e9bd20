import { OkmsError } from '../../domain/errors';
import type { SecretManager } from '../../secrets/secret-manager';
import { checkData, checkPath } from '../../secrets/secret-manager-rules';
import type { HttpRequest, RouteContext } from '../pipeline/route';
import { GatewayError } from '../pipeline/okms-error';
import { bodyValidator } from '../validation';
import type { DataPlaneRoute } from './data-plane-route';
import { requireAlso } from './require-also';
import { metadataView, secretUrn, versionView } from './secret-views';

const A = (action: string) => `okms:apikms:${action}`;
const validate = {
  create: bodyValidator('secret-v2-create'),
  update: bodyValidator('secret-v2-update'),
  versionCreate: bodyValidator('secret-v2-version-create'),
  versionState: bodyValidator('secret-v2-version-state'),
  config: bodyValidator('secret-config'),
};
const STATE_ACTIONS = { active: A('secret/version/activate'), deactivated: A('secret/version/deactivate'), deleted: A('secret/version/delete') } as const;
const PAGE = { min: 10, max: 100, default: 100 };

const pathOf = (req: HttpRequest) => checkPath(req.params.path ?? '');
const secretResource = ({ req, domainUrn }: { req: HttpRequest; domainUrn: string }) => secretUrn(domainUrn, req.params.path ?? '');
const domainResource = ({ domainUrn }: { domainUrn: string }) => domainUrn;

function integerQuery(req: HttpRequest, name: string, min: number, max: number): number | undefined {
  const raw = req.query[name] as string | undefined;
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new GatewayError('bad_request', `${name}: must be an integer from ${min} to ${max}`);
  return Number(raw);
}

function includeData(req: HttpRequest): boolean {
  const raw = req.query.includeData as string | undefined;
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new GatewayError('bad_request', 'includeData: must be true or false');
}

/** X-Pagination-Size (10–100) and X-Pagination-Cursor (base64url of the last path) → X-Pagination-Cursor-Next. */
function page(req: HttpRequest): { limit: number; after?: string } {
  const size = req.get('x-pagination-size');
  const limit = size === undefined ? PAGE.default : /^\d{1,3}$/.test(size) ? Number(size) : NaN;
  if (!(limit >= PAGE.min && limit <= PAGE.max)) throw new GatewayError('bad_request', `X-Pagination-Size: must be an integer from ${PAGE.min} to ${PAGE.max}`);
  const cursor = req.get('x-pagination-cursor');
  if (cursor === undefined || cursor === '') return { limit };
  const after = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!after) throw new GatewayError('bad_request', 'X-Pagination-Cursor: is not a cursor returned by this API');
  return { limit, after };
}
const nextCursor = (next: string | undefined): Record<string, string> => (next === undefined ? {} : { 'X-Pagination-Cursor-Next': Buffer.from(next, 'utf8').toString('base64url') });


/** The OKMS Secret Manager (/api/{okmsId}/v2/secret…), as OVH's spec 2.14.0 and okms-cli `okms secrets` use it. */
export function secretManagerRoutes(secrets: SecretManager): DataPlaneRoute[] {
  const domainOf = (ctx: RouteContext<'certificate'>) => ctx.caller.domain;
  const configOf = (ctx: RouteContext<'certificate'>) => secrets.config(domainOf(ctx).id);
  return [
    {
      method: 'get', path: '/v2/secret', resource: domainResource, success: 200, action: A('secret/get'), perItem: true,
      async handle(ctx) {
        const config = await configOf(ctx);
        const listed = await secrets.list(domainOf(ctx).id, page(ctx.req));
        const visible = [];
        for (const secret of listed.items) if (await ctx.authorize(secretUrn(ctx.domainUrn, secret.path))) visible.push({ path: secret.path, metadata: metadataView(secret, config, ctx.domainUrn) });
        return { status: 200, body: visible, headers: nextCursor(listed.next) };
      },
    },
    {
      method: 'post', path: '/v2/secret', resource: domainResource, success: 200, changesState: true, schemas: { body: 'secret-v2-create' }, action: A('secret/create'),
      async handle(ctx) {
        const body = validate.create(ctx.req.body);
        const path = checkPath(body.path);
        const secret = await secrets.create(domainOf(ctx), path, checkData(body.version.data, 'version.data'), body.metadata ?? {});
        return { status: 200, body: { path, metadata: metadataView(secret, await configOf(ctx), ctx.domainUrn) }, audit: { objectId: path } };
      },
    },
    {
      method: 'get', path: '/v2/secret/{path}', resource: secretResource, success: 200, action: A('secret/get'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const withData = includeData(ctx.req);
        if (withData) await requireAlso(ctx, A('secret/version/getData'), secretUrn(ctx.domainUrn, path));
        const [secret, config] = await Promise.all([secrets.get(domainOf(ctx).id, path), configOf(ctx)]);
        const version = secret.currentVersion === 0 ? undefined : secrets.versionOf(secret, config, integerQuery(ctx.req, 'version', 1, 24_000));
        const data = withData && version ? (version.state === 'active' ? secrets.open(domainOf(ctx), secret, version) : null) : undefined;
        return { status: 200, body: { path, metadata: metadataView(secret, config, ctx.domainUrn), ...(version ? { version: versionView(version, data) } : {}) } };
      },
    },
    {
      method: 'put', path: '/v2/secret/{path}', resource: secretResource, success: 200, changesState: true, schemas: { body: 'secret-v2-update' },
      action: (req) => ((req.body as { version?: unknown } | undefined)?.version !== undefined ? A('secret/version/create') : A('secret/updateMetadata')),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const body = validate.update(ctx.req.body ?? {});
        const cas = integerQuery(ctx.req, 'cas', 0, 24_000);
        let secret;
        if (body.version !== undefined) {
          if (body.metadata !== undefined) await requireAlso(ctx, A('secret/updateMetadata'), secretUrn(ctx.domainUrn, path));
          ({ secret } = await secrets.addVersion(domainOf(ctx), path, checkData(body.version.data, 'version.data'), { ...(cas === undefined ? {} : { cas }), createIfMissing: false, metadata: body.metadata ?? {} }));
        } else {
          secret = await secrets.updateMetadata(domainOf(ctx).id, path, body.metadata ?? {}, cas === undefined ? {} : { cas });
        }
        return { status: 200, body: { path, metadata: metadataView(secret, await configOf(ctx), ctx.domainUrn) }, audit: { objectId: path } };
      },
    },
    {
      method: 'delete', path: '/v2/secret/{path}', resource: secretResource, success: 204, changesState: true, action: A('secret/delete'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        await secrets.delete(domainOf(ctx).id, path);
        return { status: 204, audit: { objectId: path } };
      },
    },
    {
      method: 'get', path: '/v2/secret/{path}/version', resource: secretResource, success: 200, action: A('secret/get'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const { limit, after } = page(ctx.req);
        const [secret, config] = await Promise.all([secrets.get(domainOf(ctx).id, path), configOf(ctx)]);
        const from = after === undefined ? 0 : Number(after);
        if (!Number.isInteger(from)) throw new GatewayError('bad_request', 'X-Pagination-Cursor: is not a cursor returned by this API');
        const versions = secrets.versionsOf(secret, config).filter((v) => v.id > from);
        const shown = versions.slice(0, limit);
        return { status: 200, body: shown.map((v) => versionView(v)), headers: nextCursor(versions.length > limit ? String(shown[shown.length - 1]!.id) : undefined) };
      },
    },
    {
      method: 'post', path: '/v2/secret/{path}/version', resource: secretResource, success: 200, changesState: true, schemas: { body: 'secret-v2-version-create' }, action: A('secret/version/create'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const body = validate.versionCreate(ctx.req.body);
        const cas = integerQuery(ctx.req, 'cas', 0, 24_000);
        const { version } = await secrets.addVersion(domainOf(ctx), path, checkData(body.data), { ...(cas === undefined ? {} : { cas }), createIfMissing: false });
        return { status: 200, body: versionView(version), audit: { objectId: `${path}#${version.id}` } };
      },
    },
    {
      method: 'get', path: '/v2/secret/{path}/version/{version}', resource: secretResource, success: 200, action: A('secret/get'),
      paramPatterns: { version: { pattern: '^[0-9]{1,5}$', maxLength: 5 } },
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const id = versionParam(ctx.req);
        const withData = includeData(ctx.req);
        if (withData) await requireAlso(ctx, A('secret/version/getData'), secretUrn(ctx.domainUrn, path));
        const [secret, config] = await Promise.all([secrets.get(domainOf(ctx).id, path), configOf(ctx)]);
        const version = secrets.versionOf(secret, config, id);
        return { status: 200, body: versionView(version, withData ? (version.state === 'active' ? secrets.open(domainOf(ctx), secret, version) : null) : undefined) };
      },
    },
    {
      method: 'put', path: '/v2/secret/{path}/version/{version}', resource: secretResource, success: 200, changesState: true, schemas: { body: 'secret-v2-version-state' },
      paramPatterns: { version: { pattern: '^[0-9]{1,5}$', maxLength: 5 } },
      action: (req) => STATE_ACTIONS[((req.body as { state?: keyof typeof STATE_ACTIONS } | undefined)?.state ?? 'active') as keyof typeof STATE_ACTIONS] ?? STATE_ACTIONS.active,
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const id = versionParam(ctx.req);
        const { state } = validate.versionState(ctx.req.body);
        const config = await configOf(ctx);
        const before = secrets.versionOf(await secrets.get(domainOf(ctx).id, path), config, id);
        if (before.state === 'deleted' && state !== 'deleted') throw new OkmsError('ERR_CONFLICT', `state: version ${id} of "${path}" is deleted; its data is gone`, { field: 'state' });
        const secret = await secrets.setStates(domainOf(ctx).id, path, [id], state);
        return { status: 200, body: versionView(secrets.versionOf(secret, config, id)), audit: { objectId: `${path}#${id}` } };
      },
    },
    {
      method: 'get', path: '/v2/secretConfig', resource: domainResource, success: 200, action: A('secretConfig/get'),
      async handle(ctx) {
        return { status: 200, body: await configOf(ctx) };
      },
    },
    {
      method: 'put', path: '/v2/secretConfig', resource: domainResource, success: 200, changesState: true, schemas: { body: 'secret-config' }, action: A('secretConfig/update'),
      async handle(ctx) {
        const body = validate.config(ctx.req.body);
        return { status: 200, body: await secrets.setConfig(domainOf(ctx).id, body) };
      },
    },
  ];
}

function versionParam(req: HttpRequest): number {
  const raw = req.params.version ?? '';
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 24_000) throw new GatewayError('bad_request', 'version: must be an integer from 1 to 24000');
  return Number(raw);
}
