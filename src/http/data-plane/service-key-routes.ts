import { createPublicKey } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import type { HttpRequest, RouteContext } from '../pipeline/route';
import type { DataPlaneRoute } from './data-plane-route';
import { requireAlso } from './require-also';
import { GatewayError } from '../pipeline/okms-error';
import { decodeCursor, encodeCursor } from '../pagination';
import { uuidParam } from '../params';
import { bodyValidator, queryValidator } from '../validation';
import { SERVICE_KEY_STATES, type ServiceKeyRecord, type ServiceKeyState } from '../../domain/records';
import type { ServiceKeyService } from '../../kms/service-key-service';
import { jwsSigningInput, parseCompactJws } from '../../kms/jws';

const A = (action: string) => `okms:apikms:${action}`;

const keyId = (req: HttpRequest): string => uuidParam(req.params, 'keyId');

const keyResource = ({ req, domainUrn }: { req: HttpRequest; domainUrn: string }) => `${domainUrn}/serviceKey/${keyId(req)}`;
const domainResource = ({ domainUrn }: { domainUrn: string }) => domainUrn;


/** GetServiceKeyResponse; `keys` (public JWK only) when `?format=jwk`. */
export function serviceKeyView(key: ServiceKeyRecord, withJwk: boolean) {
  const jwk = () => {
    const base = { kid: key.id, key_ops: key.operations };
    if (!key.publicKey) return { kty: 'oct', ...base };
    return { ...createPublicKey({ key: Buffer.from(key.publicKey, 'base64'), format: 'der', type: 'spki' }).export({ format: 'jwk' }), ...base, use: 'sig' };
  };
  return {
    id: key.id,
    name: key.name,
    type: key.type,
    ...(key.size === null ? {} : { size: key.size }),
    ...(key.curve === null ? {} : { curve: key.curve }),
    operations: key.operations,
    protectionLevel: 'SOFTWARE',
    class: key.keyClass ?? (key.type === 'oct' ? 'SECRET_KEY' : 'KEY_PAIR'),
    attributes: {
      state: key.state,
      original_creation_date: key.createdAt,
      extractable: key.extractable === true,
      never_extractable: key.neverExtractable ?? key.extractable !== true,
      ...(key.activatedAt ? { activation_date: key.activatedAt } : {}),
      ...(key.deactivatedAt && key.state !== 'active' ? { deactivation_date: key.deactivatedAt, deactivation_reason: key.deactivationReason } : {}),
      ...(key.compromisedAt ? { compromise_date: key.compromisedAt } : {}),
      ...(key.destroyedAt ? { destruction_date: key.destroyedAt } : {}),
    },
    ...(withJwk ? { keys: [jwk()] } : {}),
  };
}

const b64 = (value: string) => Buffer.from(value, 'base64');
/** Where a finished listing stands: after its last key, or after every key (an empty listing). */
const lastPosition = (items: readonly ServiceKeyRecord[]) => {
  const last = items[items.length - 1];
  return last ? { createdAt: last.createdAt, id: last.id } : { createdAt: '~', id: '~' };
};
const validate = {
  exportQuery: queryValidator('servicekey-export-query'),
  create: bodyValidator('servicekey-create'),
  patch: bodyValidator('servicekey-patch'),
  deactivate: bodyValidator('servicekey-deactivate'),
  encrypt: bodyValidator('encrypt'),
  decrypt: bodyValidator('decrypt'),
  datakey: bodyValidator('datakey'),
  datakeyDecrypt: bodyValidator('datakey-decrypt'),
  sign: bodyValidator('sign'),
  verify: bodyValidator('verify'),
};

/** The OKMS service-key endpoints (paths, bodies and status codes as okms-sdk-go expects them). */
export function serviceKeyRoutes(keys: ServiceKeyService): DataPlaneRoute[] {
  const domainOf = (ctx: RouteContext<'certificate'>) => ctx.caller.domain;
  return [
    {
      method: 'post', path: '/v1/servicekey', resource: domainResource, success: 201, changesState: true, schemas: { body: 'servicekey-create' },
      action: (req) => {
        const body = req.body as { keys?: unknown; wrappedKeys?: unknown } | undefined;
        return Array.isArray(body?.keys) || Array.isArray(body?.wrappedKeys) ? A('serviceKey/import') : A('serviceKey/create');
      },
      async handle(ctx) {
        const input = validate.create(ctx.req.body);
        if (input.protectionLevel && input.protectionLevel !== 'SOFTWARE') throw new GatewayError('bad_request', `protectionLevel: ${input.protectionLevel} is not available; SOFTWARE is`);
        if (input.keys?.length && input.wrappedKeys?.length) throw new GatewayError('bad_request', 'wrappedKeys: give keys or wrappedKeys, not both');
        // A wrapped import also needs unwrapKey on the transport key (OKMS 2.17.0).
        const transport = input.wrappedKeys?.[0]?.wrappingKeyId;
        if (transport) await requireAlso(ctx, A('serviceKey/unwrapKey'), `${ctx.domainUrn}/serviceKey/${transport.toLowerCase()}`);
        const key = await keys.create(domainOf(ctx), input);
        return { status: 201, body: serviceKeyView(key, ctx.req.query.format === 'jwk') };
      },
    },
    {
      method: 'get', path: '/v1/servicekey', resource: domainResource, success: 200, action: A('serviceKey/get'), perItem: true,
      async handle(ctx) {
        const query = ctx.req.query as Record<string, string | undefined>; // the data plane refuses repeated parameters
        const { state = 'active', max } = query;
        const token = query['continuation-token'];
        if (state !== 'all' && !(SERVICE_KEY_STATES as readonly string[]).includes(state)) throw new GatewayError('bad_request', `state: must be ${SERVICE_KEY_STATES.join(', ')} or all`);
        const limit = max === undefined ? 100 : /^\d{1,4}$/.test(max) && Number(max) >= 1 && Number(max) <= 1000 ? Number(max) : NaN;
        if (Number.isNaN(limit)) throw new GatewayError('bad_request', 'max: must be an integer from 1 to 1000');
        const page = await keys.list(domainOf(ctx), token ? { after: decodeCursor(token), limit } : { limit }, state === 'all' ? undefined : (state as ServiceKeyState));
        const visible = [];
        for (const key of page.items) if (await ctx.authorize(`${ctx.domainUrn}/serviceKey/${key.id}`)) visible.push(key);
        return {
          status: 200,
          // A page may come back shorter than `max` when keys are filtered out; the token still moves on.
          // OKMS requires a non-empty token even on the last page: the last item's position (a later call finds nothing after it).
          body: { objects_list: visible.map((k) => serviceKeyView(k, false)), continuation_token: encodeCursor(page.next ?? lastPosition(page.items)), is_truncated: page.next !== undefined },
        };
      },
    },
    {
      method: 'get', path: '/v1/servicekey/{keyId}', resource: keyResource, success: 200, action: A('serviceKey/get'), schemas: { query: 'servicekey-export-query' },
      async handle(ctx) {
        const query = validate.exportQuery(ctx.req.query);
        const key = await keys.get(domainOf(ctx), keyId(ctx.req));
        if (!query.wrappingKeyId) return { status: 200, body: serviceKeyView(key, query.format === 'jwk') };
        // A wrapped export (BYOK): wrapKey on the transport key too; the material leaves only wrapped.
        const transport = query.wrappingKeyId.toLowerCase();
        await requireAlso(ctx, A('serviceKey/wrapKey'), `${ctx.domainUrn}/serviceKey/${transport}`);
        const wrapped = await keys.exportWrapped(domainOf(ctx), key.id, transport, query.wrappedKeyFormat!, query.wrappingAlgorithm!);
        return { status: 200, body: { ...serviceKeyView(key, false), wrappedKeys: [wrapped] }, audit: { objectId: key.id } };
      },
    },
    {
      method: 'patch', path: '/v1/servicekey/{keyId}', resource: keyResource, success: 200, schemas: { body: 'servicekey-patch' }, changesState: true, action: A('serviceKey/update'),
      async handle(ctx) {
        const body = validate.patch(ctx.req.body);
        return { status: 200, body: serviceKeyView(await keys.update(domainOf(ctx), keyId(ctx.req), { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.extractable !== undefined ? { extractable: body.extractable } : {}) }), false) };
      },
    },
    {
      method: 'delete', path: '/v1/servicekey/{keyId}', resource: keyResource, success: 204, changesState: true, action: A('serviceKey/delete'),
      async handle(ctx) {
        await keys.delete(domainOf(ctx), keyId(ctx.req));
        return { status: 204 };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/activate', resource: keyResource, success: 204, changesState: true, action: A('serviceKey/activate'),
      async handle(ctx) {
        await keys.activate(domainOf(ctx), keyId(ctx.req));
        return { status: 204 };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/deactivate', resource: keyResource, success: 204, changesState: true, schemas: { body: 'servicekey-deactivate' }, action: A('serviceKey/deactivate'),
      async handle(ctx) {
        await keys.deactivate(domainOf(ctx), keyId(ctx.req), validate.deactivate(ctx.req.body).reason);
        return { status: 204 };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/encrypt', resource: keyResource, success: 200, schemas: { body: 'encrypt' }, action: A('serviceKey/encrypt'),
      async handle(ctx) {
        const body = validate.encrypt(ctx.req.body);
        const plaintext = b64(body.plaintext);
        if (plaintext.length > 4096) throw new GatewayError('bad_request', 'plaintext: at most 4096 bytes');
        return { status: 200, body: { ciphertext: await keys.encrypt(domainOf(ctx), keyId(ctx.req), plaintext, body.context) } };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/decrypt', resource: keyResource, success: 200, schemas: { body: 'decrypt' }, action: A('serviceKey/decrypt'),
      async handle(ctx) {
        const body = validate.decrypt(ctx.req.body);
        const plaintext = await keys.decrypt(domainOf(ctx), keyId(ctx.req), body.ciphertext, body.context);
        return { status: 200, body: { plaintext: plaintext.toString('base64') } };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/datakey', resource: keyResource, success: 201, schemas: { body: 'datakey' }, action: A('serviceKey/dataKey/create'),
      async handle(ctx) {
        const body = validate.datakey(ctx.req.body);
        const plaintext = randomBytes(body.size / 8);
        const key = await keys.encrypt(domainOf(ctx), keyId(ctx.req), plaintext, undefined, 'datakey');
        return { status: 201, body: { key, plaintext: plaintext.toString('base64') } };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/datakey/decrypt', resource: keyResource, success: 200, schemas: { body: 'datakey-decrypt' }, action: A('serviceKey/dataKey/decrypt'),
      async handle(ctx) {
        const plaintext = await keys.decrypt(domainOf(ctx), keyId(ctx.req), validate.datakeyDecrypt(ctx.req.body).key, undefined, 'datakey');
        return { status: 200, body: { plaintext: plaintext.toString('base64') } };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/sign', resource: keyResource, success: 200, schemas: { body: 'sign' }, action: A('serviceKey/sign'),
      async handle(ctx) {
        const body = validate.sign(ctx.req.body);
        const format = (ctx.req.query.format as string | undefined) ?? 'raw';
        if (format !== 'raw' && format !== 'jws' && format !== 'jwt') throw new GatewayError('bad_request', 'format: must be raw, jws or jwt');
        const id = keyId(ctx.req);
        if (format === 'raw') {
          const signature = await keys.sign(domainOf(ctx), id, body.alg, b64(body.message), body.isdigest === true);
          return { status: 200, body: { signature: signature.toString('base64') } };
        }
        if (body.isdigest) throw new GatewayError('bad_request', `isdigest: a ${format.toUpperCase()} signs its payload, not a digest`);
        const input = jwsSigningInput(body.alg, id, b64(body.message), format);
        const signature = await keys.sign(domainOf(ctx), id, body.alg, Buffer.from(input, 'ascii'), false);
        return { status: 200, body: { signature: `${input}.${signature.toString('base64url')}` } };
      },
    },
    {
      method: 'post', path: '/v1/servicekey/{keyId}/verify', resource: keyResource, success: 200, schemas: { body: 'verify' }, action: A('serviceKey/verify'),
      async handle(ctx) {
        const body = validate.verify(ctx.req.body);
        const jws = parseCompactJws(body.signature);
        if (jws) {
          if (jws.alg !== body.alg) return { status: 200, body: { result: false } };
          if (body.message != null && !b64(body.message).equals(jws.payload)) return { status: 200, body: { result: false } };
          const result = await keys.verify(domainOf(ctx), keyId(ctx.req), body.alg, Buffer.from(jws.signingInput, 'ascii'), jws.signature, false);
          return { status: 200, body: { result } };
        }
        if (body.message == null) throw new GatewayError('bad_request', 'message: required unless the signature is a JWS or JWT');
        const result = await keys.verify(domainOf(ctx), keyId(ctx.req), body.alg, b64(body.message), b64(body.signature), body.isdigest === true);
        return { status: 200, body: { result } };
      },
    },
  ];
}
