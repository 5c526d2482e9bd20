import { OkmsError } from '../../domain/errors';
import { ABOVE_ANY_PATH_CHAR, type SecretConfigRecord, type SecretPathRecord, type SecretVersionRecord } from '../../domain/records';
import type { SecretManager } from '../../secrets/secret-manager';
import { checkData, checkPath } from '../../secrets/secret-manager-rules';
import type { HttpRequest, Reply, RouteContext } from '../pipeline/route';
import { bodyValidator } from '../validation';
import type { DataPlaneRoute } from './data-plane-route';
import { requireAlso } from './require-also';
import { secretUrn } from './secret-views';
import { mergePatch, subkeysOf } from './vault-kv-json';

const A = (action: string) => `okms:apikms:${action}`;
const validate = { write: bodyValidator('vault-kv-write'), versions: bodyValidator('vault-kv-versions'), metadata: bodyValidator('vault-kv-metadata'), config: bodyValidator('vault-kv-config') };
const JSON_BODIES = ['application/json'];
/** A Vault list answers every key under a folder; this bounds what one call reads. */
export const MAX_LIST_KEYS = 10_000;

const pathOf = (req: HttpRequest) => checkPath(req.params.path ?? '');
const secretResource = ({ req, domainUrn }: { req: HttpRequest; domainUrn: string }) => secretUrn(domainUrn, req.params.path ?? '');
const domainResource = ({ domainUrn }: { domainUrn: string }) => domainUrn;
const folderResource = ({ req, domainUrn }: { req: HttpRequest; domainUrn: string }) => (req.params.path ? secretUrn(domainUrn, req.params.path) : domainUrn);

/**
 * The response envelope as OKMS's spec writes it — `request_id` and `data` (writes add `warnings`) — without Vault's
 * lease and wrapping fields, which the spec does not allow; hvac and github.com/hashicorp/vault/api need none of them.
 */
function envelope(ctx: RouteContext<'certificate'>, data: unknown, withWarnings = false): Reply {
  return { status: 200, body: { request_id: ctx.requestId, data, ...(withWarnings ? { warnings: null } : {}) } };
}

/** A version's metadata as Vault writes it: deactivated reads as deleted (deletion_time), deleted as destroyed. */
function versionMetadata(secret: SecretPathRecord, version: SecretVersionRecord) {
  return {
    created_time: version.createdAt,
    custom_metadata: Object.keys(secret.customMetadata).length > 0 ? secret.customMetadata : null,
    deletion_time: version.state === 'active' ? '' : version.deactivatedAt ?? '',
    destroyed: version.state === 'deleted',
    version: version.id,
  };
}

function secretMetadata(secret: SecretPathRecord, versions: readonly SecretVersionRecord[]) {
  return {
    cas_required: secret.casRequired ?? false,
    created_time: secret.createdAt,
    current_version: secret.currentVersion,
    custom_metadata: Object.keys(secret.customMetadata).length > 0 ? secret.customMetadata : null,
    delete_version_after: secret.deactivateVersionAfter ?? '0s',
    max_versions: secret.maxVersions ?? 0,
    oldest_version: versions[0]?.id ?? 0,
    updated_time: secret.updatedAt,
    versions: Object.fromEntries(versions.map((v) => [String(v.id), { created_time: v.createdAt, deletion_time: v.state === 'active' ? '' : v.deactivatedAt ?? '', destroyed: v.state === 'deleted' }])),
  };
}

const configView = (config: SecretConfigRecord) => ({ cas_required: config.casRequired, delete_version_after: config.deactivateVersionAfter ?? '0s', max_versions: config.maxVersions });

function versionQuery(req: HttpRequest): number | undefined {
  const raw = req.query.version as string | undefined;
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  if (!/^\d{1,5}$/.test(raw)) throw new OkmsError('ERR_VALIDATION', 'version: must be a version number', { field: 'version' });
  return Number(raw);
}


const metadataInput = (body: { max_versions?: number; cas_required?: boolean; delete_version_after?: string; custom_metadata?: Record<string, string> | null }) => ({
  ...(body.max_versions !== undefined ? { maxVersions: body.max_versions } : {}),
  ...(body.cas_required !== undefined ? { casRequired: body.cas_required } : {}),
  ...(body.delete_version_after !== undefined ? { deactivateVersionAfter: body.delete_version_after } : {}),
  ...(body.custom_metadata !== undefined ? { customMetadata: body.custom_metadata } : {}),
});

/**
 * The Vault KV v2 API at the mount `secret` (/api/{okmsId}/v1/secret/…), over the Secret Manager's records: a
 * secret written through one API reads through the other. Vault's delete is OKMS's deactivate (the data kept),
 * undelete its activate, destroy its delete. Vault's LIST verb is `GET …?list=true` (Node's HTTP parser knows no
 * LIST method; the Go client sends GET ?list=true itself, hvac with strict_http=True).
 */
export function vaultKvRoutes(secrets: SecretManager): DataPlaneRoute[] {
  const domainOf = (ctx: RouteContext<'certificate'>) => ctx.caller.domain;
  const configOf = (ctx: RouteContext<'certificate'>) => secrets.config(domainOf(ctx).id);
  const write = (method: 'post' | 'put'): DataPlaneRoute => ({
    method, path: '/v1/secret/data/{path+}', resource: secretResource, success: 200, changesState: true, dialect: 'vault', consumes: JSON_BODIES, schemas: { body: 'vault-kv-write' }, action: A('secret/version/create'),
    async handle(ctx) {
      const path = pathOf(ctx.req);
      const body = validate.write(ctx.req.body);
      if (!(await secrets.find(domainOf(ctx).id, path))) await requireAlso(ctx, A('secret/create'), secretUrn(ctx.domainUrn, path));
      const cas = body.options?.cas;
      const { secret, version } = await secrets.addVersion(domainOf(ctx), path, checkData(body.data), { ...(cas === undefined ? {} : { cas }), createIfMissing: true });
      return { ...envelope(ctx, versionMetadata(secret, version), true), audit: { objectId: path } };
    },
  });
  const states = (method: 'post' | 'put', verb: 'delete' | 'undelete' | 'destroy', state: 'deactivated' | 'active' | 'deleted', action: string): DataPlaneRoute => ({
    method, path: `/v1/secret/${verb}/{path+}`, resource: secretResource, success: 204, changesState: true, dialect: 'vault', consumes: JSON_BODIES, schemas: { body: 'vault-kv-versions' }, action: A(action),
    async handle(ctx) {
      const path = pathOf(ctx.req);
      await secrets.setStates(domainOf(ctx).id, path, validate.versions(ctx.req.body).versions, state);
      return { status: 204, audit: { objectId: path } };
    },
  });
  const metadataWrite = (method: 'post' | 'put' | 'patch'): DataPlaneRoute => ({
    method, path: '/v1/secret/metadata/{path+}', resource: secretResource, success: 204, changesState: true, dialect: 'vault', consumes: JSON_BODIES, schemas: { body: 'vault-kv-metadata' }, action: A('secret/updateMetadata'),
    ...(method === 'patch' ? { consumes: ['application/merge-patch+json', 'application/json'] } : {}),
    async handle(ctx) {
      const path = pathOf(ctx.req);
      await secrets.updateMetadata(domainOf(ctx).id, path, metadataInput(validate.metadata(ctx.req.body ?? {})), { createIfMissing: method !== 'patch' });
      return { status: 204, audit: { objectId: path } };
    },
  });
  const list = async (ctx: RouteContext<'certificate'>, folder: string): Promise<Reply> => {
    const prefix = folder === '' ? '' : `${checkPath(folder)}/`;
    const keys: string[] = [];
    let after: string | undefined;
    while (keys.length < MAX_LIST_KEYS) {
      const page = await secrets.list(domainOf(ctx).id, { prefix, ...(after === undefined ? {} : { after }), limit: 100 });
      let jumped = false;
      for (const secret of page.items) {
        const rest = secret.path.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash === -1) {
          keys.push(rest);
          after = secret.path;
          continue;
        }
        // A folder is one key: skip everything under it in one step.
        keys.push(rest.slice(0, slash + 1));
        after = `${prefix}${rest.slice(0, slash + 1)}${ABOVE_ANY_PATH_CHAR}`;
        jumped = true;
        break;
      }
      if (!jumped && !page.next) break;
    }
    if (keys.length === 0) return { status: 404, body: { errors: [] } };
    return envelope(ctx, { keys });
  };
  return [
    {
      method: 'get', path: '/v1/secret/config', resource: domainResource, success: 200, dialect: 'vault', action: A('secretConfig/get'),
      async handle(ctx) {
        return envelope(ctx, configView(await configOf(ctx)));
      },
    },
    {
      method: 'post', path: '/v1/secret/config', resource: domainResource, success: 204, changesState: true, dialect: 'vault', consumes: JSON_BODIES, schemas: { body: 'vault-kv-config' }, action: A('secretConfig/update'),
      async handle(ctx) {
        const body = validate.config(ctx.req.body);
        await secrets.setConfig(domainOf(ctx).id, { ...(body.cas_required !== undefined ? { casRequired: body.cas_required } : {}), ...(body.delete_version_after !== undefined ? { deactivateVersionAfter: body.delete_version_after } : {}), ...(body.max_versions !== undefined ? { maxVersions: body.max_versions } : {}) });
        return { status: 204 };
      },
    },
    write('post'),
    write('put'),
    {
      method: 'get', path: '/v1/secret/data/{path+}', resource: secretResource, success: 200, dialect: 'vault', action: A('secret/version/getData'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const [secret, config] = await Promise.all([secrets.get(domainOf(ctx).id, path), configOf(ctx)]);
        const version = secrets.versionOf(secret, config, versionQuery(ctx.req));
        const metadata = versionMetadata(secret, version);
        // As Vault: a deleted or destroyed version is a 404 that still carries its metadata.
        if (version.state !== 'active') return { status: 404, body: { errors: [], data: { data: null, metadata } } };
        return envelope(ctx, { data: secrets.open(domainOf(ctx), secret, version), metadata });
      },
    },
    {
      method: 'patch', path: '/v1/secret/data/{path+}', resource: secretResource, success: 200, changesState: true, dialect: 'vault', consumes: ['application/merge-patch+json', 'application/json'], schemas: { body: 'vault-kv-write' }, action: A('secret/version/create'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const body = validate.write(ctx.req.body);
        const config = await configOf(ctx);
        const cas = body.options?.cas;
        const { secret, version } = await secrets.addVersion(domainOf(ctx), path, async (current) => {
          const latest = current && current.currentVersion > 0 ? secrets.versionOf(current, config) : undefined;
          if (!current || !latest || latest.state !== 'active') throw new OkmsError('ERR_NOT_FOUND', `path: no active version at "${path}" to patch`, { field: 'path' });
          return checkData(mergePatch(secrets.open(domainOf(ctx), current, latest) ?? {}, body.data));
        }, { ...(cas === undefined ? {} : { cas }), createIfMissing: false });
        return { ...envelope(ctx, versionMetadata(secret, version), true), audit: { objectId: path } };
      },
    },
    {
      method: 'delete', path: '/v1/secret/data/{path+}', resource: secretResource, success: 204, changesState: true, dialect: 'vault', action: A('secret/version/deactivate'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        await secrets.setStates(domainOf(ctx).id, path, 'latest', 'deactivated');
        return { status: 204, audit: { objectId: path } };
      },
    },
    {
      method: 'get', path: '/v1/secret/subkeys/{path+}', resource: secretResource, success: 200, dialect: 'vault', action: A('secret/subKeys/get'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        const rawDepth = (ctx.req.query.depth as string | undefined) ?? '0';
        if (!/^\d{1,3}$/.test(rawDepth)) throw new OkmsError('ERR_VALIDATION', 'depth: must be a non-negative integer', { field: 'depth' });
        const [secret, config] = await Promise.all([secrets.get(domainOf(ctx).id, path), configOf(ctx)]);
        const version = secrets.versionOf(secret, config, versionQuery(ctx.req));
        const metadata = versionMetadata(secret, version);
        if (version.state !== 'active') return { status: 404, body: { errors: [], data: { subkeys: null, metadata } } };
        return envelope(ctx, { subkeys: subkeysOf(secrets.open(domainOf(ctx), secret, version) ?? {}, Number(rawDepth)), metadata });
      },
    },
    states('post', 'delete', 'deactivated', 'secret/version/deactivate'),
    states('post', 'undelete', 'active', 'secret/version/activate'),
    states('put', 'destroy', 'deleted', 'secret/version/delete'),
    states('post', 'destroy', 'deleted', 'secret/version/delete'),
    {
      method: 'get', path: '/v1/secret/metadata', resource: folderResource, success: 200, dialect: 'vault', action: A('secret/get'),
      async handle(ctx) {
        if (ctx.req.query.list !== 'true') throw new OkmsError('ERR_VALIDATION', 'list: the mount itself is listed (?list=true)', { field: 'list' });
        return list(ctx, '');
      },
    },
    {
      method: 'get', path: '/v1/secret/metadata/{path+}', resource: folderResource, success: 200, dialect: 'vault', action: A('secret/get'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        if (ctx.req.query.list === 'true') return list(ctx, path);
        const [secret, config] = await Promise.all([secrets.get(domainOf(ctx).id, path), configOf(ctx)]);
        return envelope(ctx, secretMetadata(secret, secrets.versionsOf(secret, config)));
      },
    },
    metadataWrite('post'),
    metadataWrite('put'),
    metadataWrite('patch'),
    {
      method: 'delete', path: '/v1/secret/metadata/{path+}', resource: secretResource, success: 204, changesState: true, dialect: 'vault', action: A('secret/delete'),
      async handle(ctx) {
        const path = pathOf(ctx.req);
        await secrets.delete(domainOf(ctx).id, path);
        return { status: 204, audit: { objectId: path } };
      },
    },
  ];
}
