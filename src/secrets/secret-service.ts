import { randomUUID, X509Certificate } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { DomainRecord } from '../domain/types';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { Repositories } from '../storage/ports';
import type { ObjectRecordOf } from '../domain/records';
import { CONTENT_TYPES, CONTENT_TYPES_OF, MAX_PAYLOAD_BYTES, normaliseContentType, type BarbicanCaller, type ContentType, type SecretType } from './barbican-model';
import { containersHolding } from './container-service';
import type { ObjectAccess } from './object-access';

export interface SecretCreateBody {
  name?: string | null;
  secret_type?: SecretType;
  algorithm?: string | null;
  bit_length?: number | null;
  mode?: string | null;
  expiration?: string | null;
  payload?: string | null;
  payload_content_type?: string | null;
  payload_content_encoding?: string | null;
}

/** What a secret is created from, once its payload is decoded (also used by orders, which make their own material). */
export interface NewSecret {
  readonly name: string | null;
  readonly secretType: SecretType;
  readonly algorithm?: string | null;
  readonly bitLength?: number | null;
  readonly mode?: string | null;
  readonly expiresAt?: string | null;
  readonly payload?: { readonly bytes: Buffer; readonly contentType: ContentType };
}

const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}\s*$/;
const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });
const purpose = (id: string) => `secret/${id}`;

export function decodeBase64(value: string, field: string): Buffer {
  if (!BASE64.test(value)) throw invalid(field, 'is not valid base64');
  return Buffer.from(value, 'base64');
}

function checkSize(bytes: Buffer, field: string): void {
  if (bytes.length === 0) throw invalid(field, 'must not be empty');
  if (bytes.length > MAX_PAYLOAD_BYTES) throw new OkmsError('ERR_BODY_TOO_LARGE', `${field}: ${bytes.length} bytes is more than the ${MAX_PAYLOAD_BYTES} allowed`, { field });
}

/** The first certificate of a PEM bundle or a DER certificate: its expiry is indexed for the monitor. */
function certificateFacts(bytes: Buffer): { notAfter: string; subject: string; serial: string } {
  try {
    const text = bytes.toString('latin1');
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
    const certificate = new X509Certificate(pem ?? bytes);
    return { notAfter: new Date(certificate.validTo).toISOString(), subject: certificate.subject.replace(/\n/g, ', '), serial: certificate.serialNumber.toLowerCase() };
  } catch {
    throw invalid('payload', 'a certificate secret must hold an X.509 certificate (PEM or DER)');
  }
}

function futureExpiration(value: string | null | undefined, now: Date, field: string): string | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(parsed.getTime())) throw invalid(field, `"${value}" is not an ISO-8601 date`);
  if (parsed <= now) throw invalid(field, `"${value}" is before the current time`);
  return parsed.toISOString();
}

/** Barbican secrets: metadata in the clear, payloads only ever stored wrapped under the domain's KEK. */
export class SecretService {
  constructor(private readonly deps: { store: Pick<Repositories, 'domains' | 'objects'>; keys: KeyHierarchy; access: ObjectAccess; clock: () => Date }) {}

  /** Checks the payload rules of a one-step create and returns what to store. */
  parseCreate(body: SecretCreateBody): NewSecret {
    const now = this.deps.clock();
    const base = {
      name: body.name?.trim() || null,
      secretType: body.secret_type ?? 'opaque',
      algorithm: body.algorithm ?? null,
      bitLength: body.bit_length ?? null,
      mode: body.mode ?? null,
      expiresAt: futureExpiration(body.expiration, now, 'expiration'),
    };
    if (body.payload === undefined || body.payload === null) {
      if (body.payload_content_type) throw invalid('payload', 'must be provided when payload_content_type is specified');
      return base;
    }
    if (!body.payload_content_type) throw invalid('payload_content_type', "is required when 'payload' is supplied");
    const contentType = normaliseContentType(body.payload_content_type);
    if (!contentType) throw invalid('payload_content_type', `is not one of ${CONTENT_TYPES.join(', ')}`);
    if (!CONTENT_TYPES_OF[base.secretType].includes(contentType)) {
      throw invalid('payload_content_type', `${contentType} does not fit a ${base.secretType} secret (use ${CONTENT_TYPES_OF[base.secretType].join(', ')})`);
    }
    if (!body.payload.trim()) throw invalid('payload', 'must not be empty');
    let bytes: Buffer;
    if (contentType === 'text/plain') {
      if (body.payload_content_encoding) throw invalid('payload_content_encoding', 'must be absent for text/plain payloads');
      bytes = Buffer.from(body.payload, 'utf8');
    } else {
      if (body.payload_content_encoding !== 'base64') throw invalid('payload_content_encoding', `must be "base64" for ${contentType} payloads`);
      bytes = decodeBase64(body.payload, 'payload');
    }
    checkSize(bytes, 'payload');
    return { ...base, payload: { bytes, contentType } };
  }

  async create(caller: BarbicanCaller, secret: NewSecret): Promise<ObjectRecordOf<'secret'>> {
    await this.deps.access.authorizeInProject(caller, 'okms:apikms:secret/create', 'Secret creation');
    return this.createInProject(caller, secret);
  }

  /** Stores a secret in the caller's project without an IAM check of its own (orders check theirs). */
  async createInProject(caller: BarbicanCaller, secret: NewSecret): Promise<ObjectRecordOf<'secret'>> {
    const domain = await this.domain(caller.projectId);
    const id = randomUUID();
    const now = this.deps.clock().toISOString();
    const sealed = secret.payload ? this.sealed(domain, id, secret.secretType, secret.payload.bytes, secret.payload.contentType) : undefined;
    const record: ObjectRecordOf<'secret'> = {
      kind: 'secret', id, domainId: domain.id, name: secret.name, type: secret.secretType, expiresAt: secret.expiresAt ?? null,
      notAfter: sealed?.certificate?.notAfter ?? null,
      doc: { algorithm: secret.algorithm ?? null, bitLength: secret.bitLength ?? null, mode: secret.mode ?? null, creatorId: caller.userId, metadata: {}, ...sealed },
      createdAt: now, updatedAt: now, version: 1,
    };
    await this.deps.store.objects.create(record);
    return record;
  }

  /** Two-step create: the payload of a metadata-only secret, sent as the PUT body. */
  async putPayload(caller: BarbicanCaller, id: string, contentTypeHeader: string | undefined, encoding: string | undefined, body: unknown): Promise<void> {
    const contentType = normaliseContentType(contentTypeHeader ?? '');
    if (contentType !== 'text/plain' && contentType !== 'application/octet-stream') {
      throw new OkmsError('ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type of '${contentTypeHeader ?? ''}' is not supported for PUT.`, { field: 'Content-Type' });
    }
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    if (raw.length === 0) throw invalid('(body)', 'No data supplied to process.');
    const bytes = encoding?.toLowerCase() === 'base64' ? decodeBase64(raw.toString('latin1'), '(body)') : raw;
    checkSize(bytes, '(body)');
    const record = await this.deps.access.load(caller, 'secret', id, 'okms:apikms:secret/update', 'write', 'Secret update');
    if (record.doc.payload) throw new OkmsError('ERR_CONFLICT', 'Secret already has data, cannot modify it.');
    const domain = await this.domain(record.domainId);
    const sealed = this.sealed(domain, record.id, record.type as SecretType, bytes, contentType);
    const updated = { ...record, notAfter: sealed.certificate?.notAfter ?? null, doc: { ...record.doc, ...sealed }, updatedAt: this.deps.clock().toISOString(), version: record.version + 1 };
    if (!(await this.deps.store.objects.replace(updated, record.version))) throw new OkmsError('ERR_CONFLICT', 'Secret already has data, cannot modify it.');
  }

  get(caller: BarbicanCaller, id: string): Promise<ObjectRecordOf<'secret'>> {
    return this.deps.access.load(caller, 'secret', id, 'okms:apikms:secret/get', 'read', 'Secret retrieval');
  }

  /** The payload in the representation `accept` asks for (the stored one for none or `*\/*`). */
  async payload(caller: BarbicanCaller, id: string, accept: string | undefined): Promise<{ contentType: string; body: Buffer }> {
    const record = await this.deps.access.load(caller, 'secret', id, 'okms:apikms:secret/payload/get', 'read', 'Secret payload retrieval');
    if (!record.doc.payload) throw new OkmsError('ERR_NOT_FOUND', 'Not Found. Sorry but your secret has no payload.');
    const stored = String(record.doc.contentType);
    const wanted = !accept || accept.trim() === '*/*' || accept.trim() === '' ? stored : normaliseContentType(accept.split(',')[0]!);
    if (!wanted) throw new OkmsError('ERR_NOT_ACCEPTABLE', 'Secret payload retrieval issue seen - Wrong payload content-type.', { field: 'Accept' });
    const bytes = await this.open(record);
    if (wanted === 'text/plain' && !isUtf8(bytes)) throw new OkmsError('ERR_NOT_ACCEPTABLE', 'Secret payload retrieval issue seen - Wrong payload content-type.', { field: 'Accept' });
    return { contentType: wanted, body: bytes };
  }

  /** The plaintext payload of a stored secret record (callers have checked access). */
  async open(record: ObjectRecordOf<'secret'>): Promise<Buffer> {
    const domain = await this.domain(record.domainId);
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      return this.deps.keys.unwrapUnderKek(kek, domain.id, purpose(record.id), String(record.doc.payload));
    } finally {
      kek.fill(0);
    }
  }

  async list(caller: BarbicanCaller, query: { offset: number; limit: number; name?: string; secretType?: string }) {
    await this.deps.access.authorizeInProject(caller, 'okms:apikms:secret/list', 'Secret(s) retrieval');
    return this.deps.store.objects.list(caller.projectId, 'secret', {
      offset: query.offset, limit: query.limit, liveAt: this.deps.clock().toISOString(),
      ...(query.name !== undefined ? { name: query.name } : {}), ...(query.secretType !== undefined ? { type: query.secretType } : {}),
    });
  }

  /** Refused with 409 while a container holding the secret has consumers, unless forced (the audit log records it). */
  async delete(caller: BarbicanCaller, id: string, force: boolean): Promise<void> {
    const record = await this.deps.access.load(caller, 'secret', id, 'okms:apikms:secret/delete', 'write', 'Secret deletion');
    if (!force) {
      const inUse = await this.containersInUse(record);
      if (inUse.length > 0) {
        throw new OkmsError('ERR_CONFLICT', `Secret is in use by container(s) with consumers: ${inUse.join('; ')}. Remove the consumers first, or delete with ?force=true.`, { details: { consumers: inUse } });
      }
    }
    await this.deps.store.objects.delete('secret', record.id);
  }

  async updateMetadata(caller: BarbicanCaller, id: string, change: (metadata: Record<string, string>) => Record<string, string>): Promise<Record<string, string>> {
    const record = await this.deps.access.load(caller, 'secret', id, 'okms:apikms:secret/update', 'write', 'Secret metadata update');
    const metadata = change({ ...record.doc.metadata });
    const updated = { ...record, doc: { ...record.doc, metadata }, updatedAt: this.deps.clock().toISOString(), version: record.version + 1 };
    if (!(await this.deps.store.objects.replace(updated, record.version))) throw new OkmsError('ERR_CONFLICT', 'the secret changed meanwhile; retry');
    return metadata;
  }

  /** "container name (id): consumer name URL" for every container of the project that holds the secret and has consumers. */
  private async containersInUse(secret: ObjectRecordOf<'secret'>): Promise<string[]> {
    const holding = await containersHolding(this.deps.store, secret.domainId, secret.id);
    return holding.flatMap((c) => c.consumers.map((consumer) => `container ${c.name ?? c.id} (${c.id}): ${consumer.name} ${consumer.URL}`));
  }

  private sealed(domain: DomainRecord, id: string, secretType: SecretType, bytes: Buffer, contentType: ContentType): { payload: string; contentType: ContentType; certificate?: { notAfter: string; subject: string; serial: string } } {
    const certificate = secretType === 'certificate' ? certificateFacts(bytes) : undefined;
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      return { payload: this.deps.keys.wrapUnderKek(kek, domain.id, purpose(id), bytes), contentType, ...(certificate ? { certificate } : {}) };
    } finally {
      kek.fill(0);
    }
  }

  private async domain(id: string): Promise<DomainRecord> {
    const domain = await this.deps.store.domains.get(id);
    if (!domain) throw new OkmsError('ERR_NOT_FOUND', 'Project not found.');
    return domain;
  }
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
