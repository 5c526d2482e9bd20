import { randomUUID } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { Repositories } from '../storage/ports';
import type { ObjectRecordOf } from '../domain/records';
import { idFromRef, type BarbicanCaller, type ContainerType } from './barbican-model';
import { consumersOf, type Consumer } from './barbican-views';
import type { ObjectAccess } from './object-access';

export interface ContainerCreateBody {
  name?: string | null;
  type: ContainerType;
  secret_refs?: Array<{ name?: string | null; secret_ref: string }>;
}

/** Which secret names a typed container takes, which it needs, and the secret_type each must have. */
const SHAPES: Record<Exclude<ContainerType, 'generic'>, { allowed: Record<string, string>; required: string[] }> = {
  certificate: {
    allowed: { certificate: 'certificate', private_key: 'private', private_key_passphrase: 'passphrase', intermediates: 'certificate' },
    required: ['certificate'],
  },
  rsa: { allowed: { public_key: 'public', private_key: 'private', private_key_passphrase: 'passphrase' }, required: ['public_key', 'private_key'] },
};

const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });

/** The domain's containers that reference the secret, with their consumers (the load balancers that use them). */
export async function containersHolding(store: Pick<Repositories, 'objects'>, domainId: string, secretId: string): Promise<Array<{ id: string; name: string | null; consumers: Array<{ name: string; URL: string }> }>> {
  const found: Array<{ id: string; name: string | null; consumers: Array<{ name: string; URL: string }> }> = [];
  for (let offset = 0; ; offset += 100) {
    const page = await store.objects.list(domainId, 'container', { offset, limit: 100 });
    for (const c of page.items) {
      if (c.doc.secretRefs.some((r) => r.secretId === secretId)) {
        found.push({ id: c.id, name: c.name, consumers: consumersOf(c).map(({ name, URL }) => ({ name, URL })) });
      }
    }
    if (offset + 100 >= page.total) return found;
  }
}

/** Barbican containers: named bundles of the project's secrets, with consumers (load balancers) that pin them. */
export class ContainerService {
  constructor(private readonly deps: { store: Pick<Repositories, 'objects'>; access: ObjectAccess; clock: () => Date }) {}

  async create(caller: BarbicanCaller, body: ContainerCreateBody, base: string): Promise<ObjectRecordOf<'container'>> {
    await this.deps.access.authorizeInProject(caller, 'okms:apikms:container/create', 'Container creation');
    const refs = await this.checkedRefs(caller, body.type, body.secret_refs ?? [], base, true);
    return this.createInProject(caller, body.name?.trim() || null, body.type, refs);
  }

  /**
   * "Store the new certificate, update the container": the named entries are replaced by the given secrets (same
   * checks as on create), the consumers stay, and they are told through the webhook. An okmsd extension: Barbican's
   * containers cannot change.
   */
  async rotate(caller: BarbicanCaller, id: string, given: NonNullable<ContainerCreateBody['secret_refs']>, base: string): Promise<{ record: ObjectRecordOf<'container'>; replaced: Array<{ name: string | null; from: string | null; to: string }> }> {
    const record = await this.deps.access.load(caller, 'container', id, 'okms:apikms:container/update', 'write', 'Container rotation');
    if (given.length === 0) throw invalid('secret_refs', 'name at least one secret to put in the container');
    const incoming = await this.checkedRefs(caller, record.type as ContainerType, given, base, false);
    const current = record.doc.secretRefs;
    const replaced = incoming.map((r) => ({ name: r.name, from: current.find((c) => c.name === r.name)?.secretId ?? null, to: r.secretId }));
    const secretRefs = [...current.filter((c) => !incoming.some((r) => r.name === c.name)), ...incoming];
    const updated = { ...record, doc: { ...record.doc, secretRefs }, updatedAt: this.deps.clock().toISOString(), version: record.version + 1 };
    if (!(await this.deps.store.objects.replace(updated, record.version))) throw new OkmsError('ERR_CONFLICT', 'the container changed meanwhile; retry');
    return { record: updated, replaced };
  }

  /** Names, ids and types of a container's secret refs, checked: on create the whole set, on rotation the changed part. */
  private async checkedRefs(caller: BarbicanCaller, type: ContainerType, refs: NonNullable<ContainerCreateBody['secret_refs']>, base: string, complete: boolean): Promise<Array<{ name: string | null; secretId: string }>> {
    const names = refs.map((r) => r.name?.trim() || null);
    const named = names.filter((n): n is string => n !== null);
    if (new Set(named).size !== named.length) throw invalid('secret_refs', 'Duplicate reference names are not allowed');
    const secretIds = refs.map((r, i) => {
      if (!r.secret_ref.startsWith(`${base}/v1/secrets/`)) throw invalid(`secret_refs[${i}].secret_ref`, `must be a secret of this service (${base}/v1/secrets/{uuid})`);
      return idFromRef(r.secret_ref, `secret_refs[${i}].secret_ref`);
    });
    if (new Set(secretIds).size !== secretIds.length) throw invalid('secret_refs', 'Duplicate secret ids are not allowed');
    const shape = type === 'generic' ? undefined : SHAPES[type];
    if (shape) {
      names.forEach((name, i) => {
        if (name === null || !(name in shape.allowed)) throw invalid(`secret_refs[${i}].name`, `a ${type} container takes only ${Object.keys(shape.allowed).join(', ')}`);
      });
      if (complete) for (const required of shape.required) if (!names.includes(required)) throw invalid('secret_refs', `a ${type} container needs a "${required}" secret`);
    } else if (!complete && names.some((n) => n === null)) {
      throw invalid('secret_refs', 'rotation replaces entries by name: every secret needs one');
    }
    for (const [i, secretId] of secretIds.entries()) {
      const label = names[i] ?? secretId;
      const secret = await this.deps.store.objects.get('secret', secretId);
      const live = secret && (secret.expiresAt === null || secret.expiresAt > this.deps.clock().toISOString());
      if (!secret || !live || secret.domainId !== caller.projectId) throw new OkmsError('ERR_NOT_FOUND', `Secret provided for '${label}' doesn't exist.`, { field: `secret_refs[${i}].secret_ref` });
      const expected = shape?.allowed[names[i]!];
      if (expected && secret.type !== expected) throw invalid(`secret_refs[${i}]`, `"${label}" must be a ${expected} secret, not ${secret.type}`);
    }
    return secretIds.map((secretId, i) => ({ name: names[i] ?? null, secretId }));
  }

  /** Stores a container of already checked secrets (orders use this for their results). */
  async createInProject(caller: BarbicanCaller, name: string | null, type: ContainerType, secretRefs: Array<{ name: string | null; secretId: string }>): Promise<ObjectRecordOf<'container'>> {
    const now = this.deps.clock().toISOString();
    const record: ObjectRecordOf<'container'> = {
      kind: 'container', id: randomUUID(), domainId: caller.projectId, name, type, expiresAt: null, notAfter: null,
      doc: { creatorId: caller.userId, secretRefs, consumers: [] }, createdAt: now, updatedAt: now, version: 1,
    };
    await this.deps.store.objects.create(record);
    return record;
  }

  get(caller: BarbicanCaller, id: string): Promise<ObjectRecordOf<'container'>> {
    return this.deps.access.load(caller, 'container', id, 'okms:apikms:container/get', 'read', 'Container retrieval');
  }

  async list(caller: BarbicanCaller, query: { offset: number; limit: number; name?: string; type?: string }) {
    await this.deps.access.authorizeInProject(caller, 'okms:apikms:container/list', 'Containers retrieval');
    return this.deps.store.objects.list(caller.projectId, 'container', {
      offset: query.offset, limit: query.limit, ...(query.name !== undefined ? { name: query.name } : {}), ...(query.type !== undefined ? { type: query.type } : {}),
    });
  }

  /** Refused with 409 naming the consumers while any are registered, unless forced (the audit log records it). */
  async delete(caller: BarbicanCaller, id: string, force: boolean): Promise<void> {
    const record = await this.deps.access.load(caller, 'container', id, 'okms:apikms:container/delete', 'write', 'Container deletion');
    const consumers = consumersOf(record);
    if (consumers.length > 0 && !force) {
      const named = consumers.map((c) => `${c.name} ${c.URL}`);
      throw new OkmsError('ERR_CONFLICT', `Container has consumers: ${named.join('; ')}. Remove them first, or delete with ?force=true.`, { details: { consumers: named } });
    }
    await this.deps.store.objects.delete('container', record.id);
  }

  async addConsumer(caller: BarbicanCaller, id: string, consumer: { name: string; URL: string }): Promise<ObjectRecordOf<'container'>> {
    return this.changeConsumers(caller, id, 'okms:apikms:container/consumer/create', (list, now) => {
      const existing = list.find((c) => c.name === consumer.name && c.URL === consumer.URL);
      return existing ? list : [...list, { name: consumer.name, URL: consumer.URL, created: now, updated: now }];
    });
  }

  async removeConsumer(caller: BarbicanCaller, id: string, consumer: { name: string; URL: string }): Promise<ObjectRecordOf<'container'>> {
    return this.changeConsumers(caller, id, 'okms:apikms:container/consumer/delete', (list) => {
      const kept = list.filter((c) => !(c.name === consumer.name && c.URL === consumer.URL));
      if (kept.length === list.length) throw new OkmsError('ERR_NOT_FOUND', 'Consumer not found.', { field: 'name' });
      return kept;
    });
  }

  private async changeConsumers(caller: BarbicanCaller, id: string, action: string, change: (list: Consumer[], now: string) => Consumer[]): Promise<ObjectRecordOf<'container'>> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const record = await this.deps.access.load(caller, 'container', id, action, 'write', 'Consumer change');
      const now = this.deps.clock().toISOString();
      const updated = { ...record, doc: { ...record.doc, consumers: change([...consumersOf(record)], now) }, updatedAt: now, version: record.version + 1 };
      if (await this.deps.store.objects.replace(updated, record.version)) return updated;
    }
    throw new OkmsError('ERR_CONFLICT', 'the container changed meanwhile; retry');
  }
}
