import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { checkServerName } from '../ca/name-policy';
import type { ServerCaService } from '../ca/server-ca';
import { OkmsError } from '../domain/errors';
import type { Repositories } from '../storage/ports';
import type { ObjectRecordOf } from '../domain/records';
import { idFromRef, normaliseContentType, type BarbicanCaller } from './barbican-model';
import { csrSubject, generateOrderKeyPair, issueServerCertificate, keySpecOf, serverNameOf, spkiFromCsr, type KeySpec } from './certificate-order';
import type { ContainerService } from './container-service';
import type { ObjectAccess } from './object-access';
import type { SecretService } from './secret-service';
import { parseSubjectDn } from './subject-dn';

export type OrderMeta = Record<string, string | number | null | undefined>;
export interface OrderCreateBody {
  type: 'key' | 'asymmetric' | 'certificate';
  meta: OrderMeta;
}

const invalid = (field: string, message: string) => new OkmsError('ERR_VALIDATION', `${field}: ${message}`, { field });
const str = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
/** The meta keys python-barbicanclient 5.4 accepts back per order type (it passes them as keyword arguments). */
const META_KEYS = {
  key: ['name', 'algorithm', 'mode', 'bit_length', 'expiration', 'payload_content_type'],
  asymmetric: ['name', 'algorithm', 'bit_length', 'mode', 'pass_phrase', 'expiration', 'payload_content_type'],
  certificate: ['name', 'request_type', 'subject_dn', 'container_ref', 'ca_id', 'profile', 'request_data', 'requestor_name', 'requestor_email', 'requestor_phone'],
} as const;

/** What an order makes, once fulfilled: a secret (key orders) or a container (asymmetric and certificate orders). */
type Result = { secretId: string } | { containerId: string };

/**
 * Barbican orders, fulfilled at once: a key, a key pair, or a TLS server certificate signed by the project's
 * (domain's) CA. Input is checked before anything is written (a 400 leaves nothing behind); the order is stored
 * PENDING, then ACTIVE with its result, or ERROR with a reason if fulfilment itself fails.
 */
export class OrderService {
  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'domains' | 'objects'>;
      access: ObjectAccess;
      secrets: SecretService;
      containers: ContainerService;
      serverCas: ServerCaService;
      clock: () => Date;
      defaultKey: KeySpec;
      certificateDays: number;
    },
  ) {}

  async create(caller: BarbicanCaller, body: OrderCreateBody): Promise<ObjectRecordOf<'order'>> {
    await this.deps.access.authorizeInProject(caller, `okms:apikms:order/create`, 'Order creation');
    const meta = Object.fromEntries(Object.entries(body.meta).filter(([, v]) => v !== null && v !== undefined)) as OrderMeta;
    if (meta.container_ref === undefined && meta.source_container_ref !== undefined) meta.container_ref = meta.source_container_ref;
    delete meta.source_container_ref;
    const fulfil = await this.plan(caller, body.type, meta);
    const now = this.deps.clock().toISOString();
    const kept = Object.fromEntries(Object.entries(meta).filter(([k]) => (META_KEYS[body.type] as readonly string[]).includes(k)));
    const pending: ObjectRecordOf<'order'> = {
      kind: 'order', id: randomUUID(), domainId: caller.projectId, name: str(meta.name) ?? null, type: body.type, expiresAt: null, notAfter: null,
      doc: { status: 'PENDING', meta: kept, creatorId: caller.userId }, createdAt: now, updatedAt: now, version: 1,
    };
    await this.deps.store.objects.create(pending);
    let outcome: Record<string, unknown>;
    try {
      outcome = { status: 'ACTIVE', ...(await fulfil(pending.id)) };
    } catch (error) {
      const known = error instanceof OkmsError && error.expose;
      outcome = { status: 'ERROR', errorStatusCode: String(known ? error.status : 500), errorReason: known ? error.message.slice(0, 255) : 'the order could not be fulfilled' };
    }
    const done = { ...pending, doc: { ...pending.doc, ...outcome }, updatedAt: this.deps.clock().toISOString(), version: 2 };
    await this.deps.store.objects.replace(done, 1);
    return done;
  }

  get(caller: BarbicanCaller, id: string): Promise<ObjectRecordOf<'order'>> {
    return this.deps.access.load(caller, 'order', id, 'okms:apikms:order/get', 'write', 'Order retrieval');
  }

  async list(caller: BarbicanCaller, query: { offset: number; limit: number }) {
    await this.deps.access.authorizeInProject(caller, 'okms:apikms:order/list', 'Order(s) retrieval');
    return this.deps.store.objects.list(caller.projectId, 'order', query);
  }

  /** The generated secret or container stays: deleting an order forgets the request only, as in Barbican. */
  async delete(caller: BarbicanCaller, id: string): Promise<void> {
    const record = await this.deps.access.load(caller, 'order', id, 'okms:apikms:order/delete', 'write', 'Order deletion');
    await this.deps.store.objects.delete('order', record.id);
  }

  /** Validates the order completely and returns the work that fulfils it. */
  private async plan(caller: BarbicanCaller, type: OrderCreateBody['type'], meta: OrderMeta): Promise<(orderId: string) => Promise<Result>> {
    const name = str(meta.name) ?? null;
    if (meta.payload !== undefined) throw invalid('meta.payload', `'payload' not allowed for ${type} type order`);
    if (meta.payload_content_type !== undefined && type !== 'certificate') {
      const ct = normaliseContentType(String(meta.payload_content_type));
      if (ct !== 'application/octet-stream' && ct !== 'application/pkcs8') throw invalid('meta.payload_content_type', 'must be application/octet-stream');
    }
    if (type === 'key') {
      const algorithm = str(meta.algorithm);
      if (!algorithm) throw invalid('meta.algorithm', "'algorithm' is required field for key type order");
      const bits = Number(meta.bit_length);
      if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) throw invalid('meta.bit_length', 'is required and must be a positive multiple of 8');
      if (algorithm.toLowerCase() === 'aes' && ![128, 192, 256].includes(bits)) throw invalid('meta.bit_length', 'AES keys are 128, 192 or 256 bits');
      if (bits > 8192) throw invalid('meta.bit_length', 'must be at most 8192');
      const expiresAt = this.deps.secrets.parseCreate({ expiration: (meta.expiration as string | undefined) ?? null }).expiresAt;
      return async () => {
        const secret = await this.deps.secrets.createInProject(caller, {
          name, secretType: 'symmetric', algorithm, bitLength: bits, mode: str(meta.mode) ?? null, expiresAt,
          payload: { bytes: randomBytes(bits / 8), contentType: 'application/octet-stream' },
        });
        return { secretId: secret.id };
      };
    }
    if (type === 'asymmetric') {
      const spec = keySpecOf(str(meta.algorithm) ?? 'rsa', meta.bit_length === undefined ? undefined : Number(meta.bit_length), this.deps.defaultKey);
      const passphrase = str(meta.pass_phrase) ?? str(meta.passphrase);
      return async () => {
        const pair = await generateOrderKeyPair(spec, passphrase);
        const common = { algorithm: spec.type, bitLength: spec.bits };
        const privateKey = await this.deps.secrets.createInProject(caller, { name, secretType: 'private', ...common, payload: { bytes: Buffer.from(pair.privateKeyPEM), contentType: 'application/octet-stream' } });
        const publicKey = await this.deps.secrets.createInProject(caller, { name, secretType: 'public', ...common, payload: { bytes: Buffer.from(pair.publicKeyPEM), contentType: 'application/octet-stream' } });
        const refs = [{ name: 'private_key', secretId: privateKey.id }, { name: 'public_key', secretId: publicKey.id }];
        if (passphrase) {
          const secret = await this.deps.secrets.createInProject(caller, { name, secretType: 'passphrase', payload: { bytes: Buffer.from(passphrase), contentType: 'text/plain' } });
          refs.push({ name: 'private_key_passphrase', secretId: secret.id });
        }
        return { containerId: (await this.deps.containers.createInProject(caller, name, 'rsa', refs)).id };
      };
    }
    return this.planCertificate(caller, name, meta);
  }

  private async planCertificate(caller: BarbicanCaller, name: string | null, meta: OrderMeta): Promise<(orderId: string) => Promise<Result>> {
    const requestType = str(meta.request_type) ?? 'custom';
    if (!['custom', 'simple-cmc', 'stored-key', 'full-cmc'].includes(requestType)) throw invalid('meta.request_type', 'Invalid Certificate Request Type');
    if (requestType === 'full-cmc') throw invalid('meta.request_type', 'Full CMC Requests are not yet supported.');
    if (meta.extensions !== undefined) throw invalid('meta.extensions', 'certificate extensions in orders are not supported');
    if (meta.profile !== undefined && meta.ca_id === undefined) throw invalid('meta.ca_id', 'Missing required metadata field for ca_id');
    if (meta.ca_id !== undefined && String(meta.ca_id) !== caller.projectId) throw invalid('meta.ca_id', 'The ca_id provided in the request is invalid');
    const domain = await this.deps.store.domains.get(caller.projectId);
    if (!domain) throw new OkmsError('ERR_NOT_FOUND', 'Project not found.');
    const days = meta.validity === undefined ? this.deps.certificateDays : Number(meta.validity);
    const subjectText = str(meta.subject_dn);
    const keyRefs: Array<{ name: string; secretId: string }> = [];
    let spki: Buffer;
    let rsaKey: boolean;
    let generate: KeySpec | undefined;
    let subject = subjectText === undefined ? undefined : parseSubjectDn(subjectText);
    if (requestType === 'simple-cmc') {
      const requestData = str(meta.request_data);
      if (!requestData) throw invalid('meta.request_data', 'is required for simple-cmc orders');
      const csr = await spkiFromCsr(requestData);
      spki = csr.spki;
      subject ??= csrSubject(csr.der);
      rsaKey = createPublicKey({ key: spki, format: 'der', type: 'spki' }).asymmetricKeyType === 'rsa';
    } else if (requestType === 'stored-key') {
      if (!subject) throw invalid('meta.subject_dn', 'is required for stored-key orders');
      const containerRef = str(meta.container_ref);
      if (!containerRef) throw invalid('meta.container_ref', 'is required for stored-key orders');
      const source = await this.deps.containers.get(caller, idFromRef(containerRef, 'meta.container_ref'));
      if (source.type !== 'rsa' || source.domainId !== caller.projectId) throw invalid('meta.container_ref', 'must be an rsa container of this project');
      const refs = source.doc.secretRefs;
      const publicRef = refs.find((r) => r.name === 'public_key')!;
      const publicPem = await this.deps.secrets.payload(caller, publicRef.secretId, '*/*');
      try {
        const key = createPublicKey(publicPem.body);
        spki = key.export({ type: 'spki', format: 'der' });
        rsaKey = key.asymmetricKeyType === 'rsa';
      } catch {
        throw invalid('meta.container_ref', 'its public_key secret is not a PEM public key');
      }
      keyRefs.push(...refs.flatMap((r) => (r.name === 'private_key' || r.name === 'private_key_passphrase' ? [{ name: r.name, secretId: r.secretId }] : [])));
    } else {
      if (!subject) throw invalid('meta.subject_dn', 'is required for certificate orders without a CSR or a stored key');
      generate = keySpecOf(str(meta.algorithm) ?? this.deps.defaultKey.type, meta.bit_length === undefined ? undefined : Number(meta.bit_length), this.deps.defaultKey);
      spki = Buffer.alloc(0);
      rsaKey = generate.type === 'rsa';
    }
    const dn = subject!;
    serverNameOf(dn);
    return async (orderId) => {
      let privateKeyPEM: string | undefined;
      if (generate) ({ spki, privateKeyPEM } = await generateOrderKeyPair(generate));
      // The domain's server CA, never its client-auth CA, and only for names its policy allows (else: the order ends in ERROR, naming the rule).
      const server = await this.deps.serverCas.signer(domain);
      if (!server) throw new OkmsError('ERR_VALIDATION', 'meta.subject_dn: the domain has no name policy and so no server CA; an admin sets one with PUT /okms/resource/{okmsId}/name-policy', { field: 'meta.subject_dn' });
      checkServerName(server.record.namePolicy, serverNameOf(dn).value);
      const now = this.deps.clock();
      const issued = await issueServerCertificate(server.signer, dn, spki, rsaKey, days, now, server.revocation);
      await this.deps.serverCas.recordIssued(domain.id, { serial: issued.serial, commonName: dn.commonName, orderId, caId: server.caId, notAfter: issued.notAfter.toISOString(), issuedAt: now.toISOString() });
      const certificatePEM = issued.pem;
      const refs: Array<{ name: string; secretId: string }> = [];
      const certificate = await this.deps.secrets.createInProject(caller, { name, secretType: 'certificate', payload: { bytes: Buffer.from(certificatePEM), contentType: 'application/pkix-cert' } });
      refs.push({ name: 'certificate', secretId: certificate.id });
      if (privateKeyPEM) {
        const key = await this.deps.secrets.createInProject(caller, { name, secretType: 'private', payload: { bytes: Buffer.from(privateKeyPEM), contentType: 'application/pkcs8' } });
        refs.push({ name: 'private_key', secretId: key.id });
      }
      refs.push(...keyRefs);
      const intermediates = await this.deps.secrets.createInProject(caller, { name, secretType: 'certificate', payload: { bytes: Buffer.from(server.record.certificatePEM), contentType: 'application/pkix-cert' } });
      refs.push({ name: 'intermediates', secretId: intermediates.id });
      return { containerId: (await this.deps.containers.createInProject(caller, name, 'certificate', refs)).id };
    };
  }
}
