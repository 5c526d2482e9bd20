import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { OkmsError } from '../domain/errors';
import type { DomainRecord, Page, PageRequest } from '../domain/types';
import { TtlCache } from '../domain/ttl-cache';
import type { Repositories } from '../storage/ports';
import type { ServiceKeyRecord } from '../domain/records';
import { DecryptionFailed, jweDecrypt, jweEncrypt, type JweKind } from './jwe';
import type { KeyHierarchy } from './key-hierarchy';
import { resolveKeySpec, type ServiceKeyType } from './service-key-specs';
import { checkAlgorithmFits, signMessage, verifySignature, type SignatureAlgorithm } from './signatures';
import { isPublicOnlyJwk, jwkOfMaterial, KEY_FORMATS, materialIn, publicKeyFromJwk, unwrapMaterial, wrapMaterial, type KeyFormat, type WrappingAlgorithm } from './key-wrapping';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface CreateServiceKeyInput {
  readonly id?: string | null;
  readonly name: string;
  readonly context?: string | null;
  readonly type?: ServiceKeyType;
  readonly size?: number | null;
  readonly curve?: string | null;
  readonly operations?: readonly string[] | null;
  readonly keys?: ReadonlyArray<Record<string, unknown>> | null;
  /** Whether the material may leave the KMS (wrapped); false by default, true for public-only keys. */
  readonly extractable?: boolean | null;
  /** KMIP makes objects pre-active (they wait for Activate); the REST API makes them active. */
  readonly initialState?: 'pre_active' | 'active';
  /** BYOK: material wrapped under one of the domain's RSA transport keys (unwrapKey), to import. */
  readonly wrappedKeys?: ReadonlyArray<{ readonly keyFormatType: string; readonly wrappingKeyId: string; readonly ciphertext: string }> | null;
}

/** What a public-only key may do: check signatures, wrap material for the holder of its private half. */
const PUBLIC_KEY_OPERATIONS: readonly string[] = ['verify', 'wrapKey'];

const symmetricOnly = (key: ServiceKeyRecord) => {
  if (key.type !== 'oct') throw new OkmsError('ERR_VALIDATION', `keyId: service key ${key.id} is ${key.type}: data keys and ciphertexts come from symmetric (oct) keys`, { field: 'keyId' });
};
const stateConflict = (key: ServiceKeyRecord, verb: string) => new OkmsError('ERR_CONFLICT', `keyId: service key ${key.id} is ${key.state} and cannot be ${verb}`, { field: 'keyId' });
const notFound = (id: string) => new OkmsError('ERR_NOT_FOUND', `keyId: service key ${id} not found`, { field: 'keyId' });
const purpose = (keyId: string) => `service-key/${keyId}`;

/** Key material and what describes it, from generation or from an imported JWK. */
interface Material {
  readonly keyClass: 'SECRET_KEY' | 'KEY_PAIR' | 'PUBLIC_KEY';
  readonly type: ServiceKeyType;
  readonly size: number | null;
  readonly curve: string | null;
  /** Raw AES key, or PKCS#8 DER. */
  readonly secret: Buffer;
  readonly spki: Buffer | null;
}

async function generateMaterial(type: ServiceKeyType, size: number | null, curve: string | null): Promise<Material> {
  if (type === 'oct') return { keyClass: 'SECRET_KEY', type, size, curve, secret: randomBytes(size! / 8), spki: null };
  const { publicKey, privateKey } =
    type === 'RSA'
      ? await generateKeyPairAsync('rsa', { modulusLength: size! })
      : await generateKeyPairAsync('ec', { namedCurve: curve! });
  return { keyClass: 'KEY_PAIR', type, size, curve, secret: privateKey.export({ type: 'pkcs8', format: 'der' }), spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

function importMaterial(jwk: Record<string, unknown>): Material {
  const invalid = (message: string) => new OkmsError('ERR_VALIDATION', `keys[0]: ${message}`, { field: 'keys[0]' });
  if (jwk.kty === 'oct') {
    if (typeof jwk.k !== 'string') throw invalid('an oct JWK needs "k"');
    let k = Buffer.from(jwk.k, 'base64url');
    // okms-sdk-go encodes k through big.Int, which drops leading zero bytes: pad back to the nearest AES size.
    const size = [16, 24, 32].find((n) => k.length <= n && k.length > n - 8);
    if (!size) throw invalid(`an oct key of ${k.length} bytes is not AES-128/192/256`);
    k = Buffer.concat([Buffer.alloc(size - k.length), k]);
    return { keyClass: 'SECRET_KEY', type: 'oct', size: size * 8, curve: null, secret: k, spki: null };
  }
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') throw invalid(`kty ${String(jwk.kty)} is not oct, RSA or EC`);
  const publicOnly = isPublicOnlyJwk(jwk);
  let privateKey: KeyObject;
  try {
    privateKey = publicOnly ? publicKeyFromJwk(jwk) : createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw invalid(`is not a valid ${publicOnly ? 'public' : 'private'} JWK`);
  }
  const details = privateKey.asymmetricKeyDetails ?? {};
  const curve = jwk.kty === 'EC' ? ({ prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' } as Record<string, string>)[details.namedCurve ?? ''] : null;
  if (jwk.kty === 'EC' && !curve) throw invalid(`curve ${String(jwk.crv)} is not accepted`);
  if (jwk.kty === 'RSA' && ![2048, 3072, 4096].includes(details.modulusLength ?? 0)) throw invalid('RSA keys of 2048, 3072 or 4096 bits only');
  return {
    keyClass: publicOnly ? 'PUBLIC_KEY' : 'KEY_PAIR',
    type: jwk.kty,
    size: jwk.kty === 'RSA' ? details.modulusLength! : null,
    curve: curve ?? null,
    secret: publicOnly ? Buffer.alloc(0) : privateKey.export({ type: 'pkcs8', format: 'der' }),
    spki: (publicOnly ? privateKey : createPublicKey(privateKey)).export({ type: 'spki', format: 'der' }),
  };
}

function keyOpsOf(jwk: Record<string, unknown>): readonly string[] | null {
  const ops = jwk.key_ops;
  if (ops === undefined || ops === null) return null;
  if (!Array.isArray(ops) || !ops.every((op) => typeof op === 'string') || ops.length > 8) {
    throw new OkmsError('ERR_VALIDATION', 'keys[0].key_ops: must be a list of operations', { field: 'keys[0].key_ops' });
  }
  return ops.length ? [...new Set(ops as string[])] : null;
}

/** OKMS service keys: material generated or imported here, stored only wrapped under the domain KEK. */
export class ServiceKeyService {
  /**
   * Unwrapped keys, kept for at most a second: a change made on this node (rename, state, delete) drops the
   * entry at once; one made on another node sharing the store is seen within the second.
   */
  private readonly unwrapped = new TtlCache<{ key: ServiceKeyRecord; secret: Buffer }>(1000, () => this.deps.clock().getTime());

  constructor(private readonly deps: { store: Pick<Repositories, 'serviceKeys'>; keys: KeyHierarchy; clock: () => Date }) {}

  async create(domain: DomainRecord, input: CreateServiceKeyInput): Promise<ServiceKeyRecord> {
    const imported = input.wrappedKeys?.length ? await this.unwrapImport(domain, input.wrappedKeys[0]!) : input.keys?.length ? input.keys[0]! : undefined;
    const material = imported
      ? importMaterial(imported)
      : await (async () => {
          const spec = resolveKeySpec({ type: input.type, size: input.size, curve: input.curve, operations: input.operations });
          return generateMaterial(spec.type, spec.size, spec.curve);
        })();
    // okms-cli sends "operations": [] without --usage (the type's defaults apply); an imported JWK's key_ops say what it may do.
    let operations = input.operations?.length ? input.operations : imported ? keyOpsOf(imported) : null;
    if (material.keyClass === 'PUBLIC_KEY') {
      operations ??= PUBLIC_KEY_OPERATIONS.filter((op) => material.type === 'RSA' || op === 'verify');
      const refused = operations.find((op) => !PUBLIC_KEY_OPERATIONS.includes(op));
      if (refused) throw new OkmsError('ERR_VALIDATION', `operations: a public-only key cannot ${refused} (it may ${PUBLIC_KEY_OPERATIONS.join(', ')})`, { field: 'operations' });
    }
    const spec = resolveKeySpec({ type: material.type, size: material.size, curve: material.curve, operations });
    const extractable = input.extractable ?? material.keyClass === 'PUBLIC_KEY';
    const id = input.id ?? randomUUID();
    const now = this.deps.clock().toISOString();
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    const record: ServiceKeyRecord = {
      domainId: domain.id, id, name: input.name, type: spec.type, size: spec.size, curve: spec.curve, operations: [...spec.operations],
      context: input.context ?? '', state: input.initialState ?? 'active', deactivationReason: null, keyClass: material.keyClass, extractable, neverExtractable: !extractable,
      wrappedMaterial: material.keyClass === 'PUBLIC_KEY' ? '' : this.deps.keys.wrapUnderKek(kek, domain.id, purpose(id), material.secret),
      publicKey: material.spki ? material.spki.toString('base64') : null,
      createdAt: now, updatedAt: now, activatedAt: input.initialState === 'pre_active' ? null : now, deactivatedAt: null, version: 1,
    };
    kek.fill(0);
    material.secret.fill(0);
    await this.deps.store.serviceKeys.create(record);
    return record;
  }

  async get(domain: DomainRecord, id: string): Promise<ServiceKeyRecord> {
    const key = await this.deps.store.serviceKeys.get(domain.id, id);
    if (!key) throw notFound(id);
    return key;
  }

  list(domain: DomainRecord, page: PageRequest, state?: ServiceKeyRecord['state']): Promise<Page<ServiceKeyRecord>> {
    return this.deps.store.serviceKeys.list(domain.id, page, state);
  }

  /** PATCH: the name, and `extractable` (once true, the key is never again "never extractable"). */
  async update(domain: DomainRecord, id: string, input: { name?: string; extractable?: boolean | null }): Promise<ServiceKeyRecord> {
    return this.change(domain, id, (key) => ({
      ...key,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.extractable !== undefined && input.extractable !== null ? { extractable: input.extractable, neverExtractable: (key.neverExtractable ?? !key.extractable) && !input.extractable } : {}),
    }));
  }

  /**
   * BYOK export: the key's material in `format`, wrapped for the holder of transport key `wrappingKeyId`'s private half.
   * The key must be extractable; the transport key an active RSA key of the domain that may wrapKey.
   */
  async exportWrapped(domain: DomainRecord, id: string, wrappingKeyId: string, format: KeyFormat, algorithm: WrappingAlgorithm): Promise<{ keyFormatType: KeyFormat; wrappingKeyId: string; ciphertext: string }> {
    const { key, secret } = await this.loaded(domain, id);
    if (!key.extractable) throw new OkmsError('ERR_VALIDATION', `keyId: service key ${id} is not extractable (PATCH it with "extractable": true first)`, { field: 'keyId' });
    const transport = await this.transport(domain, wrappingKeyId, 'wrapKey', 'wrappingKeyId');
    const ciphertext = wrapMaterial(materialIn(format, key.type, secret), Buffer.from(transport.publicKey!, 'base64'), transport.id, algorithm, format);
    return { keyFormatType: format, wrappingKeyId: transport.id, ciphertext };
  }

  /** The key's material in the clear (KMIP Get): only an extractable key's. Raw AES bytes, or PKCS#8 DER. */
  async exportMaterial(domain: DomainRecord, id: string): Promise<{ key: ServiceKeyRecord; secret: Buffer }> {
    const { key, secret } = await this.loaded(domain, id);
    if (!key.extractable) throw new OkmsError('ERR_FORBIDDEN', `keyId: service key ${id} is not extractable`, { field: 'keyId', reason: 'not_extractable' });
    return { key, secret: Buffer.from(secret) };
  }

  /** The transport key of a BYOK call: an active RSA service key of the domain allowed `operation`. */
  private async transport(domain: DomainRecord, id: string, operation: 'wrapKey' | 'unwrapKey', field: string): Promise<ServiceKeyRecord> {
    const key = await this.deps.store.serviceKeys.get(domain.id, id);
    if (!key) throw new OkmsError('ERR_NOT_FOUND', `${field}: no transport key ${id} in this domain`, { field });
    if (key.type !== 'RSA' || !key.operations.includes(operation)) throw new OkmsError('ERR_VALIDATION', `${field}: ${id} is not an RSA key allowed to ${operation}`, { field });
    if (key.state !== 'active') throw new OkmsError('ERR_CONFLICT', `${field}: transport key ${id} is ${key.state}`, { field });
    return key;
  }

  /** BYOK import: the JWK that the wrapped material stands for, unwrapped with the transport key's private half. */
  private async unwrapImport(domain: DomainRecord, entry: { keyFormatType: string; wrappingKeyId: string; ciphertext: string }): Promise<Record<string, unknown>> {
    const format = entry.keyFormatType as KeyFormat;
    if (!KEY_FORMATS.includes(format)) throw new OkmsError('ERR_VALIDATION', `wrappedKeys[0].keyFormatType: must be one of ${KEY_FORMATS.join(', ')}`, { field: 'wrappedKeys[0].keyFormatType' });
    const transport = await this.transport(domain, entry.wrappingKeyId, 'unwrapKey', 'wrappedKeys[0].wrappingKeyId');
    if (!transport.wrappedMaterial) throw new OkmsError('ERR_VALIDATION', 'wrappedKeys[0].wrappingKeyId: a public-only key cannot unwrap', { field: 'wrappedKeys[0].wrappingKeyId' });
    const { secret } = await this.loaded(domain, transport.id);
    const material = unwrapMaterial(entry.ciphertext, createPrivateKey({ key: secret, format: 'der', type: 'pkcs8' }), 'wrappedKeys[0].ciphertext');
    try {
      return jwkOfMaterial(format, material);
    } finally {
      material.fill(0);
    }
  }

  /** Activates a pre-active or deactivated key (an active one is left as it is, its activation date kept). */
  async activate(domain: DomainRecord, id: string): Promise<void> {
    const key = await this.get(domain, id);
    if (key.state === 'active') return;
    if (key.state !== 'deactivated' && key.state !== 'pre_active') throw stateConflict(key, 'activated');
    const now = this.deps.clock().toISOString();
    await this.change(domain, id, (current) => ({ ...current, state: 'active', activatedAt: now, deactivationReason: null }), key);
  }

  /**
   * Deactivates a key: `key_compromise` makes it compromised (for good: it is never activated again), as OKMS
   * does. A deactivated key may still be marked compromised; a compromised or destroyed one changes no more.
   */
  async deactivate(domain: DomainRecord, id: string, reason = 'unspecified'): Promise<void> {
    const key = await this.get(domain, id);
    const compromised = reason === 'key_compromise';
    if (key.state === 'deactivated' && !compromised) return;
    if (key.state !== 'active' && key.state !== 'pre_active' && key.state !== 'deactivated') throw stateConflict(key, 'deactivated');
    const now = this.deps.clock().toISOString();
    await this.change(domain, id, (current) => ({
      ...current, state: compromised ? 'compromised' : 'deactivated', deactivatedAt: current.deactivatedAt && current.state === 'deactivated' ? current.deactivatedAt : now,
      deactivationReason: reason, ...(compromised ? { compromisedAt: now } : {}),
    }), key);
  }

  /**
   * Destroys a key that is not in use (as OKMS: okms-cli --force deactivates first): its material is erased from the
   * store and the record stays, reading as destroyed (destroyed_compromised for a compromised key).
   */
  async delete(domain: DomainRecord, id: string): Promise<void> {
    const key = await this.get(domain, id);
    if (key.state === 'active') throw new OkmsError('ERR_CONFLICT', `keyId: service key ${id} is active; deactivate it first`, { field: 'keyId' });
    if (key.state === 'destroyed' || key.state === 'destroyed_compromised') throw stateConflict(key, 'deleted');
    const now = this.deps.clock().toISOString();
    await this.change(domain, id, (current) => ({ ...current, state: current.state === 'compromised' ? 'destroyed_compromised' : 'destroyed', wrappedMaterial: '', destroyedAt: now }), key);
  }

  async encrypt(domain: DomainRecord, id: string, plaintext: Buffer, context?: string | null, kind: JweKind = 'ciphertext'): Promise<string> {
    const { key, secret } = await this.usable(domain, id, kind === 'datakey' ? 'wrapKey' : 'encrypt');
    symmetricOnly(key); // an RSA transport key's wrapKey is BYOK's, not a data key's
    return jweEncrypt(secret, key.id, kind, plaintext, context ?? undefined);
  }

  async decrypt(domain: DomainRecord, id: string, token: string, context?: string | null, kind: JweKind = 'ciphertext'): Promise<Buffer> {
    const { key, secret } = await this.usable(domain, id, kind === 'datakey' ? 'unwrapKey' : 'decrypt');
    symmetricOnly(key);
    try {
      return jweDecrypt(secret, key.id, kind, token, context ?? undefined);
    } catch (error) {
      if (error instanceof DecryptionFailed) {
        throw new OkmsError('ERR_VALIDATION', 'ciphertext: decryption failed (wrong key, wrong context or tampered data)', { field: kind === 'datakey' ? 'key' : 'ciphertext' });
      }
      throw error;
    }
  }

  async sign(domain: DomainRecord, id: string, alg: SignatureAlgorithm, message: Buffer, isDigest: boolean): Promise<Buffer> {
    const { key, secret } = await this.usable(domain, id, 'sign');
    checkAlgorithmFits(alg, key.type as 'RSA' | 'EC', key.curve);
    return signMessage(alg, secret, message, isDigest);
  }

  async verify(domain: DomainRecord, id: string, alg: SignatureAlgorithm, message: Buffer, signature: Buffer, isDigest: boolean): Promise<boolean> {
    const key = await this.checkUsable(domain, id, 'verify');
    checkAlgorithmFits(alg, key.type as 'RSA' | 'EC', key.curve);
    return verifySignature(alg, Buffer.from(key.publicKey!, 'base64'), message, signature, isDigest);
  }

  private checkAllowed(key: ServiceKeyRecord, operation: string): ServiceKeyRecord {
    if (key.state !== 'active') throw new OkmsError('ERR_CONFLICT', `keyId: service key ${key.id} is ${key.state}`, { field: 'keyId' });
    // wrapKey/unwrapKey (data keys) are also allowed to keys that may encrypt/decrypt.
    const allowed = key.operations.includes(operation) || (operation === 'wrapKey' && key.operations.includes('encrypt')) || (operation === 'unwrapKey' && key.operations.includes('decrypt'));
    if (!allowed) throw new OkmsError('ERR_VALIDATION', `keyId: service key ${key.id} does not allow ${operation} (it allows ${key.operations.join(', ')})`, { field: 'keyId' });
    return key;
  }

  /** A public operation (verify): the record is enough, nothing is unwrapped. */
  private async checkUsable(domain: DomainRecord, id: string, operation: string): Promise<ServiceKeyRecord> {
    return this.checkAllowed(this.unwrapped.get(`${domain.id}/${id}`)?.key ?? (await this.get(domain, id)), operation);
  }

  private async usable(domain: DomainRecord, id: string, operation: string): Promise<{ key: ServiceKeyRecord; secret: Buffer }> {
    await this.checkUsable(domain, id, operation); // refused before anything is unwrapped
    return this.loaded(domain, id);
  }

  private async loaded(domain: DomainRecord, id: string): Promise<{ key: ServiceKeyRecord; secret: Buffer }> {
    const cacheKey = `${domain.id}/${id}`;
    const cached = this.unwrapped.get(cacheKey);
    if (cached) return cached;
    const key = await this.get(domain, id);
    if (!key.wrappedMaterial) {
      // Destroyed (the material is gone), or public-only (there never was private material).
      throw key.keyClass === 'PUBLIC_KEY' ? new OkmsError('ERR_VALIDATION', `keyId: service key ${id} is public-only: it holds no private material`, { field: 'keyId' }) : stateConflict(key, 'used');
    }
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      const loaded = { key, secret: this.deps.keys.unwrapUnderKek(kek, domain.id, purpose(key.id), key.wrappedMaterial) };
      this.unwrapped.set(cacheKey, loaded);
      return loaded;
    } finally {
      kek.fill(0);
    }
  }

  private async change(domain: DomainRecord, id: string, apply: (key: ServiceKeyRecord) => ServiceKeyRecord, read?: ServiceKeyRecord): Promise<ServiceKeyRecord> {
    const key = read ?? (await this.get(domain, id));
    const next = { ...apply(key), updatedAt: this.deps.clock().toISOString(), version: key.version + 1 };
    this.unwrapped.delete(`${domain.id}/${id}`);
    const replaced = await this.deps.store.serviceKeys.replace(next, key.version);
    this.unwrapped.delete(`${domain.id}/${id}`); // again: a read during the write may have cached the old record
    if (!replaced) throw new OkmsError('ERR_CONFLICT', `keyId: service key ${id} changed meanwhile; retry`, { field: 'keyId' });
    return next;
  }
}
