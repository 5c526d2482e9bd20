import type { HttpRequest } from '../pipeline/route';
import { OkmsError } from '../../domain/errors';
import type { AclService } from '../../secrets/acl-service';
import type { CaDirectory } from '../../secrets/ca-directory';
import { CONTENT_TYPES, barbicanTime } from '../../secrets/barbican-model';
import { aclView, containerRef, containerView, orderRef, orderView, pagedView, secretRef, secretView } from '../../secrets/barbican-views';
import type { ContainerService } from '../../secrets/container-service';
import type { OrderService } from '../../secrets/order-service';
import type { SecretService } from '../../secrets/secret-service';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator, queryValidator } from '../validation';

export interface BarbicanServices {
  readonly secrets: SecretService;
  readonly containers: ContainerService;
  readonly orders: OrderService;
  readonly acls: AclService;
  /** The public origin that refs are built on (what the Keystone catalog hands the clients). */
  readonly baseUrl: () => string;
  readonly cas: CaDirectory;
  /** Tells a rotated container's consumers (the operator's webhook), when one is configured. */
  readonly notify?: (event: { event: string } & Record<string, unknown>) => Promise<unknown>;
}

const JSON_BODY = ['application/json'];
/** What a payload may come back as (the stored content type, or what Accept asked for). */
const PAYLOAD_TYPES = [...CONTENT_TYPES];
const validateSecret = bodyValidator('barbican-secret-create');
const validateContainer = bodyValidator('barbican-container-create');
const validateRotate = bodyValidator('barbican-container-rotate');
const validateConsumer = bodyValidator('barbican-consumer');
const validateOrder = bodyValidator('barbican-order-create');
const validateAcl = bodyValidator('barbican-acl');
const validateMetadata = bodyValidator('barbican-metadata');
const validateMetadatum = bodyValidator('barbican-metadatum');
const validateList = queryValidator('barbican-list-query');

/** Barbican's paging: limit 10 by default, 0 or more than 100 clamped; offset from 0. */
function paging(req: HttpRequest) {
  const query = validateList(req.query);
  const limit = query.limit === undefined || query.limit === 0 ? 10 : Math.min(query.limit, 100);
  const filters: Record<string, string> = {};
  for (const key of ['name', 'secret_type', 'type'] as const) if (query[key] !== undefined) filters[key] = String(query[key]);
  return { page: { offset: query.offset ?? 0, limit }, filters, force: query.force === 'true' };
}

const trimmed = <T>(value: T): T =>
  typeof value === 'string' ? (value.trim() as T) : Array.isArray(value) ? (value.map(trimmed) as T)
    : value && typeof value === 'object' ? (Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v)])) as T) : value;

const ACTION = (name: string) => `okms:apikms:${name}`;

/** OpenStack Barbican v1 (secrets, containers with consumers, orders, CAs, ACLs), behind Keystone tokens. */
export function barbicanRoutes(b: BarbicanServices): UndialectedRoute[] {
  const base = () => b.baseUrl();
  const version = () => ({
    id: 'v1', status: 'stable', updated: '2015-04-28T00:00:00Z',
    links: [{ rel: 'self', href: `${base()}/v1/` }, { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.key-manager-v1+json' }],
  });
  const aclRoutes = (kind: 'secret' | 'container'): UndialectedRoute[] => {
    const path = `/v1/${kind}s/{id}/acl`;
    const ref = (id: string) => `${kind === 'secret' ? secretRef(base(), id) : containerRef(base(), id)}/acl`;
    return [
      { method: 'get', path, summary: `Get the ${kind}'s ACL`, auth: 'barbican', action: ACTION(`${kind}/acl/get`), async handle({ caller, params }) {
        return { status: 200, body: aclView(await b.acls.get(caller, kind, params.id!)) };
      } },
      { method: 'put', path, summary: `Replace the ${kind}'s ACL`, auth: 'barbican', action: ACTION(`${kind}/acl/update`), consumes: JSON_BODY, schemas: { body: 'barbican-acl' }, async handle({ req, caller, params }) {
        await b.acls.set(caller, kind, params.id!, 'replace', validateAcl(trimmed(req.body)));
        return { status: 200, body: { acl_ref: ref(params.id!) } };
      } },
      { method: 'patch', path, summary: `Change part of the ${kind}'s ACL`, auth: 'barbican', action: ACTION(`${kind}/acl/update`), consumes: JSON_BODY, schemas: { body: 'barbican-acl' }, async handle({ req, caller, params }) {
        await b.acls.set(caller, kind, params.id!, 'merge', validateAcl(trimmed(req.body)));
        return { status: 200, body: { acl_ref: ref(params.id!) } };
      } },
      { method: 'delete', path, summary: `Remove the ${kind}'s ACL (back to project access)`, auth: 'barbican', action: ACTION(`${kind}/acl/update`), success: 200, produces: [], async handle({ caller, params }) {
        await b.acls.set(caller, kind, params.id!, 'clear');
        return { status: 200 };
      } },
    ];
  };
  return [
    { method: 'get', path: '/v1', summary: 'Barbican API version (v1)', auth: 'none', async handle() {
      return { status: 200, body: { version: version() } };
    } },
    // Secrets
    { method: 'post', path: '/v1/secrets', summary: 'Store a secret (payload now, or later with PUT)', auth: 'barbican', action: ACTION('secret/create'), consumes: JSON_BODY, schemas: { body: 'barbican-secret-create' }, async handle({ req, caller }) {
      const record = await b.secrets.create(caller, b.secrets.parseCreate(validateSecret(trimmed(req.body))));
      const ref = secretRef(base(), record.id);
      return { status: 201, body: { secret_ref: ref }, headers: { Location: ref } };
    } },
    { method: 'get', path: '/v1/secrets', summary: "List the project's secrets (limit/offset, name, secret_type)", auth: 'barbican', action: ACTION('secret/list'), schemas: { query: 'barbican-list-query' }, async handle({ req, caller }) {
      const { page, filters } = paging(req);
      const { items, total } = await b.secrets.list(caller, { ...page, ...(filters.name ? { name: filters.name } : {}), ...(filters.secret_type ? { secretType: filters.secret_type } : {}) });
      return { status: 200, body: pagedView(base(), 'secrets', items.map((r) => secretView(base(), r)), total, page, filters) };
    } },
    { method: 'get', path: '/v1/secrets/{id}', summary: "A secret's metadata (its payload with a non-JSON Accept, as Barbican does)", auth: 'barbican', action: ACTION('secret/get'), produces: ['application/json', ...PAYLOAD_TYPES], async handle({ req, caller, params }) {
      const accept = req.get('accept');
      if (accept && !/^(application\/json|\*\/\*)/i.test(accept.trim())) {
        const payload = await b.secrets.payload(caller, params.id!, accept);
        return { status: 200, text: { contentType: payload.contentType, body: payload.body } };
      }
      return { status: 200, body: secretView(base(), await b.secrets.get(caller, params.id!)) };
    } },
    { method: 'put', path: '/v1/secrets/{id}', summary: 'Add the payload of a metadata-only secret (text/plain or application/octet-stream body)', auth: 'barbican', action: ACTION('secret/update'), consumes: ['text/plain', 'application/octet-stream'], success: 204, async handle({ req, caller, params }) {
      await b.secrets.putPayload(caller, params.id!, req.get('content-type'), req.payloadEncoding ?? req.get('content-encoding'), req.body);
      return { status: 204 };
    } },
    { method: 'delete', path: '/v1/secrets/{id}', summary: 'Delete a secret (409 while a container holding it has consumers, unless ?force=true)', auth: 'barbican', action: ACTION('secret/delete'), async handle({ req, caller, params }) {
      const { force } = paging(req);
      await b.secrets.delete(caller, params.id!, force);
      return { status: 204, audit: { objectId: params.id!, ...(force ? { reason: 'forced' } : {}) } };
    } },
    { method: 'get', path: '/v1/secrets/{id}/payload', summary: "A secret's payload, in the representation Accept asks for", auth: 'barbican', action: ACTION('secret/payload/get'), produces: PAYLOAD_TYPES, async handle({ req, caller, params }) {
      const payload = await b.secrets.payload(caller, params.id!, req.get('accept'));
      return { status: 200, text: { contentType: payload.contentType, body: payload.body } };
    } },
    { method: 'get', path: '/v1/secrets/{id}/metadata', summary: "A secret's user metadata", auth: 'barbican', action: ACTION('secret/get'), async handle({ caller, params }) {
      return { status: 200, body: { metadata: (await b.secrets.get(caller, params.id!)).doc.metadata ?? {} } };
    } },
    { method: 'put', path: '/v1/secrets/{id}/metadata', summary: "Replace a secret's user metadata", auth: 'barbican', action: ACTION('secret/update'), consumes: JSON_BODY, schemas: { body: 'barbican-metadata' }, success: 201, async handle({ req, caller, params }) {
      const { metadata } = validateMetadata(req.body);
      await b.secrets.updateMetadata(caller, params.id!, () => Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v])));
      return { status: 201, body: { metadata_ref: `${secretRef(base(), params.id!)}/metadata` } };
    } },
    { method: 'post', path: '/v1/secrets/{id}/metadata', summary: 'Add one metadata key', auth: 'barbican', action: ACTION('secret/update'), consumes: JSON_BODY, schemas: { body: 'barbican-metadatum' }, async handle({ req, caller, params }) {
      const { key, value } = validateMetadatum(req.body);
      const lowered = key.toLowerCase();
      await b.secrets.updateMetadata(caller, params.id!, (metadata) => {
        if (lowered in metadata) throw new OkmsError('ERR_CONFLICT', `metadata key "${lowered}" already exists`, { field: 'key' });
        return { ...metadata, [lowered]: value };
      });
      return { status: 201, body: { key: lowered, value }, headers: { Location: `${secretRef(base(), params.id!)}/metadata/${lowered}` } };
    } },
    { method: 'get', path: '/v1/secrets/{id}/metadata/{key}', summary: 'One metadata key', auth: 'barbican', action: ACTION('secret/get'), async handle({ caller, params }) {
      const metadata = (await b.secrets.get(caller, params.id!)).doc.metadata ?? {};
      if (!(params.key! in metadata)) throw new OkmsError('ERR_NOT_FOUND', 'Secret metadata not found.', { field: 'key' });
      return { status: 200, body: { key: params.key, value: metadata[params.key!] } };
    } },
    { method: 'delete', path: '/v1/secrets/{id}/metadata/{key}', summary: 'Remove one metadata key', auth: 'barbican', action: ACTION('secret/update'), async handle({ caller, params }) {
      await b.secrets.updateMetadata(caller, params.id!, (metadata) => {
        if (!(params.key! in metadata)) throw new OkmsError('ERR_NOT_FOUND', 'Secret metadata not found.', { field: 'key' });
        const { [params.key!]: _gone, ...rest } = metadata;
        return rest;
      });
      return { status: 204 };
    } },
    ...aclRoutes('secret'),
    // Containers
    { method: 'post', path: '/v1/containers', summary: 'Create a container (generic, rsa, certificate) of the project\'s secrets', auth: 'barbican', action: ACTION('container/create'), consumes: JSON_BODY, schemas: { body: 'barbican-container-create' }, async handle({ req, caller }) {
      const record = await b.containers.create(caller, validateContainer(trimmed(req.body)), base());
      const ref = containerRef(base(), record.id);
      return { status: 201, body: { container_ref: ref }, headers: { Location: ref } };
    } },
    { method: 'get', path: '/v1/containers', summary: "List the project's containers", auth: 'barbican', action: ACTION('container/list'), schemas: { query: 'barbican-list-query' }, async handle({ req, caller }) {
      const { page, filters } = paging(req);
      const { items, total } = await b.containers.list(caller, { ...page, ...(filters.name ? { name: filters.name } : {}), ...(filters.type ? { type: filters.type } : {}) });
      return { status: 200, body: pagedView(base(), 'containers', items.map((r) => containerView(base(), r)), total, page, filters) };
    } },
    { method: 'get', path: '/v1/containers/{id}', summary: 'Get a container', auth: 'barbican', action: ACTION('container/get'), async handle({ caller, params }) {
      return { status: 200, body: containerView(base(), await b.containers.get(caller, params.id!)) };
    } },
    { method: 'delete', path: '/v1/containers/{id}', summary: 'Delete a container (409 naming its consumers while any are registered, unless ?force=true)', auth: 'barbican', action: ACTION('container/delete'), async handle({ req, caller, params }) {
      const { force } = paging(req);
      await b.containers.delete(caller, params.id!, force);
      return { status: 204, audit: { objectId: params.id!, ...(force ? { reason: 'forced' } : {}) } };
    } },
    { method: 'post', path: '/v1/containers/{id}/rotate', summary: 'Replace named secrets of a container (a new certificate), keep its consumers and tell them (okmsd extension)', auth: 'barbican', action: ACTION('container/update'), consumes: JSON_BODY, schemas: { body: 'barbican-container-rotate' }, success: 200, async handle({ req, caller, params }) {
      const { record, replaced } = await b.containers.rotate(caller, params.id!, validateRotate(trimmed(req.body)).secret_refs, base());
      const view = containerView(base(), record);
      await b.notify?.({ event: 'okmsd.container.rotated', container_ref: view.container_ref, name: record.name, projectId: record.domainId, replaced: replaced.map((r) => ({ name: r.name, from: r.from && secretRef(base(), r.from), to: secretRef(base(), r.to) })), consumers: view.consumers });
      return { status: 200, body: view };
    } },
    { method: 'get', path: '/v1/containers/{id}/consumers', summary: "A container's consumers", auth: 'barbican', action: ACTION('container/get'), async handle({ req, caller, params }) {
      const { page } = paging(req);
      const all = (await b.containers.get(caller, params.id!)).doc.consumers ?? [];
      const items = all.slice(page.offset, page.offset + page.limit).map((c) => ({ name: c.name, URL: c.URL, status: 'ACTIVE', created: barbicanTime(c.created), updated: barbicanTime(c.updated) }));
      return { status: 200, body: pagedView(base(), 'consumers', items, all.length, page, {}, `containers/${params.id}/consumers`) };
    } },
    { method: 'post', path: '/v1/containers/{id}/consumers', summary: 'Register a consumer (e.g. a load balancer) of the container', auth: 'barbican', action: ACTION('container/consumer/create'), consumes: JSON_BODY, schemas: { body: 'barbican-consumer' }, success: 200, async handle({ req, caller, params }) {
      const record = await b.containers.addConsumer(caller, params.id!, validateConsumer(trimmed(req.body)));
      return { status: 200, body: containerView(base(), record) };
    } },
    { method: 'delete', path: '/v1/containers/{id}/consumers', summary: 'Remove a consumer (JSON body with name and URL)', auth: 'barbican', action: ACTION('container/consumer/delete'), consumes: JSON_BODY, schemas: { body: 'barbican-consumer' }, success: 200, async handle({ req, caller, params }) {
      const record = await b.containers.removeConsumer(caller, params.id!, validateConsumer(trimmed(req.body)));
      return { status: 200, body: containerView(base(), record) };
    } },
    ...aclRoutes('container'),
    // Orders and CAs
    { method: 'post', path: '/v1/orders', summary: 'Order a key, a key pair or a TLS server certificate from the project\'s CA', auth: 'barbican', action: ACTION('order/create'), consumes: JSON_BODY, schemas: { body: 'barbican-order-create' }, success: 202, async handle({ req, caller }) {
      const record = await b.orders.create(caller, validateOrder(trimmed(req.body)));
      const ref = orderRef(base(), record.id);
      return { status: 202, body: { order_ref: ref }, headers: { Location: ref } };
    } },
    { method: 'get', path: '/v1/orders', summary: "List the project's orders", auth: 'barbican', action: ACTION('order/list'), schemas: { query: 'barbican-list-query' }, async handle({ req, caller }) {
      const { page } = paging(req);
      const { items, total } = await b.orders.list(caller, page);
      return { status: 200, body: pagedView(base(), 'orders', items.map((r) => orderView(base(), r)), total, page, {}) };
    } },
    { method: 'get', path: '/v1/orders/{id}', summary: 'Get an order (status, container_ref or secret_ref)', auth: 'barbican', action: ACTION('order/get'), async handle({ caller, params }) {
      return { status: 200, body: orderView(base(), await b.orders.get(caller, params.id!)) };
    } },
    { method: 'delete', path: '/v1/orders/{id}', summary: 'Delete an order (what it made stays)', auth: 'barbican', action: ACTION('order/delete'), async handle({ caller, params }) {
      await b.orders.delete(caller, params.id!);
      return { status: 204 };
    } },
    { method: 'get', path: '/v1/cas', summary: 'The CAs that fulfil certificate orders: the project\'s domain CA', auth: 'barbican', action: ACTION('ca/get'), async handle({ caller }) {
      const ids = await b.cas.list(caller);
      return { status: 200, body: { cas: ids.map((id) => `${base()}/v1/cas/${id}`), total: ids.length } };
    } },
    { method: 'get', path: '/v1/cas/{id}', summary: 'One CA (ca_id = the domain id)', auth: 'barbican', action: ACTION('ca/get'), async handle({ caller, params }) {
      const domain = await b.cas.get(caller, params.id!);
      const ca = { id: domain.id, name: domain.name, certificatePEM: domain.caCertificatePEM, notAfter: domain.caNotAfter, createdAt: domain.createdAt, updatedAt: domain.updatedAt };
      return {
        status: 200,
        body: {
          ca_id: ca.id, plugin_name: 'okmsd', plugin_ca_id: ca.id, expiration: barbicanTime(ca.notAfter), status: 'ACTIVE',
          meta: [{ name: `okmsd domain CA (${ca.name})` }, { description: 'Issues TLS server certificates for this project\'s certificate orders' }, { ca_signing_certificate: ca.certificatePEM }],
          created: barbicanTime(ca.createdAt), updated: barbicanTime(ca.updatedAt),
        },
      };
    } },
  ];
}
