import type { Consumer, ObjectRecordOf } from '../domain/records';
import { aclOf, barbicanTime } from './barbican-model';

/** Barbican's JSON shapes, exactly the keys python-barbicanclient 5.4 accepts (it passes them as keyword arguments). */
export const secretRef = (base: string, id: string) => `${base}/v1/secrets/${id}`;
export const containerRef = (base: string, id: string) => `${base}/v1/containers/${id}`;
export const orderRef = (base: string, id: string) => `${base}/v1/orders/${id}`;

export function secretView(base: string, r: ObjectRecordOf<'secret'>): Record<string, unknown> {
  const d = r.doc;
  return {
    secret_ref: secretRef(base, r.id),
    name: r.name,
    secret_type: r.type,
    status: 'ACTIVE',
    created: barbicanTime(r.createdAt),
    updated: barbicanTime(r.updatedAt),
    expiration: barbicanTime(r.expiresAt),
    algorithm: d.algorithm ?? null,
    bit_length: d.bitLength ?? null,
    mode: d.mode ?? null,
    creator_id: d.creatorId ?? null,
    ...(d.payload ? { content_types: { default: d.contentType } } : {}),
  };
}

export type { Consumer };

export const consumersOf = (r: ObjectRecordOf<'container'>): readonly Consumer[] => r.doc.consumers ?? [];

export function containerView(base: string, r: ObjectRecordOf<'container'>): Record<string, unknown> {
  const refs = r.doc.secretRefs ?? [];
  return {
    container_ref: containerRef(base, r.id),
    name: r.name,
    type: r.type,
    status: 'ACTIVE',
    created: barbicanTime(r.createdAt),
    updated: barbicanTime(r.updatedAt),
    creator_id: r.doc.creatorId ?? null,
    secret_refs: refs.map((s) => ({ name: s.name, secret_ref: secretRef(base, s.secretId) })),
    consumers: consumersOf(r).map((c) => ({ name: c.name, URL: c.URL })),
  };
}

export function orderView(base: string, r: ObjectRecordOf<'order'>): Record<string, unknown> {
  const d = r.doc;
  return {
    order_ref: orderRef(base, r.id),
    type: r.type,
    status: d.status,
    created: barbicanTime(r.createdAt),
    updated: barbicanTime(r.updatedAt),
    creator_id: d.creatorId ?? null,
    meta: d.meta,
    ...(typeof d.secretId === 'string' ? { secret_ref: secretRef(base, d.secretId) } : {}),
    ...(typeof d.containerId === 'string' ? { container_ref: containerRef(base, d.containerId) } : {}),
    ...(d.errorStatusCode ? { error_status_code: d.errorStatusCode, error_reason: d.errorReason } : {}),
  };
}

export function aclView(r: ObjectRecordOf<'secret' | 'container'>): Record<string, unknown> {
  const acl = aclOf(r);
  if (!acl) return { read: { 'project-access': true } };
  return { read: { 'project-access': acl.projectAccess, users: acl.users, created: barbicanTime(acl.createdAt), updated: barbicanTime(acl.updatedAt) } };
}

/** Barbican's paging envelope: total always, next/previous hrefs only when there is such a page. */
export function pagedView(
  base: string,
  collection: string,
  items: unknown[],
  total: number,
  page: { offset: number; limit: number },
  query: Record<string, string>,
  path = collection,
): Record<string, unknown> {
  const href = (offset: number) => {
    const params = new URLSearchParams({ ...query, limit: String(page.limit), offset: String(offset) });
    return `${base}/v1/${path}?${params.toString()}`;
  };
  return {
    [collection]: items,
    total,
    ...(page.offset > 0 ? { previous: href(Math.max(0, page.offset - page.limit)) } : {}),
    ...(total > page.offset + page.limit ? { next: href(page.offset + page.limit) } : {}),
  };
}
