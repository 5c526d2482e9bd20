import { defaultSuccess, type AuthKind, type Dialect, type Route } from './pipeline/route';
import { SCHEMAS } from './validation';
import { UUID_PARAMS } from './params';
import { KNOWN_ACTIONS } from '../iam/actions';

type Json = Record<string, unknown>;

/** A schema of schemas/ as an OpenAPI component: `other#/x` refs become `#/components/schemas/other/x`. */
function component(schema: Json, id: string): Json {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [key, inner] of Object.entries(value as Json)) {
      if (key === '$id') continue;
      if (key === '$ref' && typeof inner === 'string') {
        const [target = '', pointer = ''] = inner.split('#');
        out.$ref = `#/components/schemas/${target || id}${pointer}`;
      } else out[key] = rewrite(inner);
    }
    return out;
  };
  return rewrite(schema) as Json;
}

const UUID_NAMES: ReadonlySet<string> = new Set(UUID_PARAMS);
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const pathParams = (path: string, patterns: Route['paramPatterns'] = {}) =>
  [...path.matchAll(/\{(\w+)\+?\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    schema: UUID_NAMES.has(name) || (name === 'id' && path.startsWith('/iam/policy')) ? ref('uuid-param') : patterns[name] ? { type: 'string', ...patterns[name] } : { type: 'string' },
  }));

function queryParams(schemaId: string | undefined): Json[] {
  const schema = SCHEMAS.find((s) => s.$id === schemaId) as { properties?: Record<string, unknown>; required?: string[] } | undefined;
  return Object.keys(schema?.properties ?? {}).map((name) => ({
    name,
    in: 'query',
    required: schema?.required?.includes(name) ?? false,
    schema: { $ref: `#/components/schemas/${schemaId}/properties/${name}` },
  }));
}

const ERROR_SCHEMA: Record<Dialect, string> = { control: 'control-error', okms: 'okms-error', vault: 'vault-error', barbican: 'barbican-error', keystone: 'keystone-error' };
const SECURITY: Record<AuthKind, (plane: 'control' | 'gateway') => Json[]> = {
  none: () => [],
  admin: () => [{ adminToken: [] }],
  // A personal access token (Authorization: Bearer or X-Vault-Token) stands in for the certificate.
  certificate: () => [{ mutualTLS: [] }, { personalAccessToken: [] }, { vaultToken: [] }],
  barbican: (plane) => [plane === 'control' ? { keystoneToken: [] } : { mutualTLS: [] }],
};

function successContent(route: Route, success: number): Json {
  const produces = success === 204 ? [] : route.produces ?? ['application/json'];
  if (produces.length === 0) return {};
  return { content: Object.fromEntries(produces.map((type) => [type, { schema: type === 'application/json' ? { type: ['object', 'array'] } : { type: 'string' } }])) };
}

function operation(route: Route, plane: 'control' | 'gateway', server: string): Json {
  const success = route.success ?? defaultSuccess(route.method);
  const consumes = route.consumes ?? ['application/json'];
  const body = route.schemas?.body;
  return {
    summary: route.summary,
    tags: [route.auth === 'certificate' ? 'data plane' : route.path.split('/')[1] ?? 'okmsd'],
    servers: [{ url: server }],
    security: SECURITY[route.auth](plane),
    ...(route.action ? { 'x-okms-action': typeof route.action === 'string' ? route.action : 'okms:apikms:serviceKey/create or /import' } : {}),
    parameters: [...pathParams(route.path, route.paramPatterns), ...queryParams(route.schemas?.query ?? route.schemas?.rawQuery)],
    ...(body || route.consumes
      ? { requestBody: { required: !route.bodyOptional, content: Object.fromEntries(consumes.map((type) => [type, { schema: type === 'application/json' && body ? ref(body) : { type: 'string', minLength: 1 } }])) } }
      : {}),
    responses: {
      [String(success)]: { description: success === 204 ? 'done' : 'success', ...successContent(route, success) },
      default: { description: 'error', content: { 'application/json': { schema: ref(ERROR_SCHEMA[route.dialect]) } } },
    },
  };
}

/**
 * The OpenAPI 3.1 document, generated from the route tables and schemas/ (nothing written by hand beside
 * them): every route the two planes register appears here (test/integration/openapi.test.ts compares). A route
 * both planes serve (the Barbican API) is one operation with both servers and either security scheme.
 */
/**
 * What this deployment accepts beyond schemas/: identity URNs of its own URN region, and the action catalogue for
 * explain. The document says it so that a client (or schemathesis) never takes a refused value for a valid one.
 */
function deploymentSchemas(schemas: Record<string, Json>, deployment: { urnRegion: string }): void {
  const urn = schemas['identity-urn']!;
  // The region is [a-z0-9-] (config.ts checks it): nothing in it to escape.
  urn.pattern = String(urn.pattern).replace('[a-z][a-z0-9-]{0,31}', deployment.urnRegion);
  const explain = schemas['iam-explain'] as { properties: Record<string, Json> };
  explain.properties.action = { ...explain.properties.action, enum: [...KNOWN_ACTIONS].sort() };
}

export function buildOpenApi(control: readonly Route[], gateway: readonly Route[], servers: { control: string; gateway: string }, deployment: { urnRegion: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const [plane, routes, server] of [['control', control, servers.control], ['gateway', gateway, servers.gateway]] as const) {
    for (const route of routes) {
      // A greedy {name+} (the rest of the path) is an ordinary parameter to OpenAPI.
      const key = route.path.replace(/\{(\w+)\+\}/g, '{$1}');
      const existing = paths[key]?.[route.method];
      if (existing) {
        existing.servers = [...(existing.servers as Json[]), { url: server }];
        existing.security = [...(existing.security as Json[]), ...SECURITY[route.auth](plane)];
        continue;
      }
      paths[key] = { ...paths[key], [route.method]: operation(route, plane, server) };
    }
  }
  const schemas: Record<string, Json> = Object.fromEntries(SCHEMAS.map((s) => [s.$id, component(s as unknown as Json, s.$id)]));
  deploymentSchemas(schemas, deployment);
  schemas['control-error'] = {
    type: 'object',
    required: ['class', 'message', 'code', 'requestId'],
    properties: { class: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' }, details: { type: 'object' }, requestId: { type: 'string' } },
  };
  schemas['barbican-error'] = {
    type: 'object', required: ['code', 'title', 'description'],
    properties: { code: { type: 'integer' }, title: { type: 'string' }, description: { type: 'string' } },
  };
  schemas['keystone-error'] = {
    type: 'object', required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'title', 'message'], properties: { code: { type: 'integer' }, title: { type: 'string' }, message: { type: 'string' } } } },
  };
  schemas['vault-error'] = { type: 'object', required: ['errors'], properties: { errors: { type: 'array', items: { type: 'string' } } } };
  schemas['okms-error'] = {
    type: 'object',
    properties: { error_code: { type: 'integer' }, errors: { type: 'array', items: { type: 'string' } }, request_id: { type: 'string' }, reason: { type: 'string' } },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'okmsd', version: '0.1.0', description: 'mTLS access certificates and an OVH OKMS-compatible key-management API.' },
    servers: [{ url: servers.control, description: 'control plane' }, { url: servers.gateway, description: 'mTLS data plane' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'okmsd admin token' },
        mutualTLS: { type: 'mutualTLS', description: "an access certificate issued by the domain's CA" },
        personalAccessToken: { type: 'http', scheme: 'bearer', description: "an IAM user's or service account's personal access token (POST /iam/user/{login}/token)" },
        vaultToken: { type: 'apiKey', in: 'header', name: 'X-Vault-Token', description: 'the same personal access token, as Vault clients send it' },
        keystoneToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'a token from POST /v3/auth/tokens (an IAM user with a password, scoped to a domain)' },
      },
    },
  };
}
