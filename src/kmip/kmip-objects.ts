import { randomUUID } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { ServiceKeyRecord, ServiceKeyState } from '../domain/records';
import type { DomainRecord } from '../domain/types';
import type { ServiceKeyService } from '../kms/service-key-service';
import type { SecretManager } from '../secrets/secret-manager';
import { ALGORITHM, CURVE, REVOCATION_REASON, STATE, USAGE_OPERATIONS, type ObjectTypeName } from './kmip-tags';

/**
 * KMIP's managed objects over okmsd's one key store: a symmetric key or a key pair is a service key (usable over
 * REST too; the public half of a pair is `{keyId}.public`), secret data and opaque objects are Secret Manager
 * secrets under `kmip/{uid}` (wrapped under the domain KEK like every secret). States map one to one.
 */
export interface KmipObject {
  readonly uid: string;
  readonly objectType: ObjectTypeName;
  readonly name?: string;
  readonly state: number;
  readonly algorithm?: number;
  readonly length?: number;
  readonly usageMask: number;
  readonly createdAt: string;
  readonly activatedAt?: string;
  readonly deactivatedAt?: string;
  readonly extractable: boolean;
}

export class KmipFailure extends Error {
  constructor(readonly reason: 'ItemNotFound' | 'InvalidField' | 'PermissionDenied' | 'NotExtractable' | 'IllegalOperation' | 'OperationNotSupported' | 'MissingData' | 'KeyFormatTypeNotSupported', message: string) {
    super(message);
    this.name = 'KmipFailure';
  }
}

const PUBLIC_SUFFIX = '.public';
const SECRET_PREFIX = 'kmip/';
const STATE_OF: Record<ServiceKeyState, number> = {
  pre_active: STATE.PreActive, active: STATE.Active, deactivated: STATE.Deactivated, compromised: STATE.Compromised, destroyed: STATE.Destroyed, destroyed_compromised: STATE.DestroyedCompromised,
};
const STATE_NAME = new Map<number, string>(Object.entries(STATE_OF).map(([name, code]) => [code, name]));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CURVE_LENGTH: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521 };
export const CURVE_OF: Record<number, string> = { [CURVE.P256]: 'P-256', [CURVE.P384]: 'P-384', [CURVE.P521]: 'P-521' };

export const maskOf = (operations: readonly string[]): number => USAGE_OPERATIONS.reduce((mask, [bit, op]) => (operations.includes(op) ? mask | bit : mask), 0);
export const operationsOf = (mask: number): string[] => USAGE_OPERATIONS.filter(([bit]) => (mask & bit) !== 0).map(([, op]) => op);

/** KMIP names are free text; a service key's name is at most 32 characters: a longer one is refused, naming the field. */
function keyName(name: string | undefined): string {
  if (name === undefined) return 'kmip';
  if (name.length < 1 || name.length > 32) throw new KmipFailure('InvalidField', 'Name: a name of 1 to 32 characters');
  return name;
}

function fromKey(key: ServiceKeyRecord, half: 'private' | 'public' | 'symmetric'): KmipObject {
  return {
    uid: half === 'public' ? `${key.id}${PUBLIC_SUFFIX}` : key.id,
    objectType: half === 'symmetric' ? 'SymmetricKey' : half === 'public' ? 'PublicKey' : 'PrivateKey',
    name: key.name,
    state: STATE_OF[key.state],
    algorithm: key.type === 'oct' ? ALGORITHM.AES : key.type === 'RSA' ? ALGORITHM.RSA : ALGORITHM.ECDSA,
    ...(key.type === 'EC' ? { length: CURVE_LENGTH[key.curve ?? ''] ?? 0 } : key.size ? { length: key.size } : {}),
    usageMask: maskOf(half === 'public' ? key.operations.filter((op) => op === 'verify' || op === 'wrapKey') : key.operations),
    createdAt: key.createdAt,
    ...(key.activatedAt ? { activatedAt: key.activatedAt } : {}),
    ...(key.deactivatedAt ? { deactivatedAt: key.deactivatedAt } : {}),
    extractable: half === 'public' || key.extractable === true,
  };
}

export class KmipObjects {
  constructor(private readonly deps: { keys: ServiceKeyService; secrets: SecretManager }) {}

  async find(domain: DomainRecord, uid: string): Promise<{ object: KmipObject; key?: ServiceKeyRecord }> {
    const keyId = uid.endsWith(PUBLIC_SUFFIX) ? uid.slice(0, -PUBLIC_SUFFIX.length) : uid;
    if (UUID.test(keyId)) {
      const key = await this.deps.keys.get(domain, keyId).catch(() => undefined);
      if (key && !(uid.endsWith(PUBLIC_SUFFIX) && key.type === 'oct')) {
        return { object: fromKey(key, key.type === 'oct' ? 'symmetric' : uid.endsWith(PUBLIC_SUFFIX) ? 'public' : 'private'), key };
      }
      const secret = await this.deps.secrets.find(domain.id, `${SECRET_PREFIX}${uid}`);
      if (secret) {
        const meta = secret.customMetadata;
        const name = meta.kmip_name ? Buffer.from(meta.kmip_name, 'base64url').toString('utf8') : undefined;
        return {
          object: {
            uid, objectType: (meta.kmip_type as ObjectTypeName | undefined) ?? 'SecretData', ...(name ? { name } : {}), state: Number(meta.kmip_state ?? STATE.PreActive),
            usageMask: Number(meta.kmip_usage ?? 0), createdAt: secret.createdAt, ...(meta.kmip_activated ? { activatedAt: meta.kmip_activated } : {}), extractable: true,
          },
        };
      }
    }
    throw new KmipFailure('ItemNotFound', `no object ${uid.slice(0, 80)} in this domain`);
  }

  async createSymmetric(domain: DomainRecord, input: { algorithm?: number; length?: number; usageMask?: number; name?: string }): Promise<string> {
    if (input.algorithm !== undefined && input.algorithm !== ALGORITHM.AES) throw new KmipFailure('InvalidField', 'Cryptographic Algorithm: symmetric keys are AES');
    if (input.length !== undefined && ![128, 192, 256].includes(input.length)) throw new KmipFailure('InvalidField', 'Cryptographic Length: AES keys are 128, 192 or 256 bits');
    const key = await this.keyCall(() => this.deps.keys.create(domain, {
      name: keyName(input.name), type: 'oct', size: input.length ?? 256, operations: operationsOf(input.usageMask ?? 0).filter((op) => ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'].includes(op)), extractable: true, initialState: 'pre_active',
    }));
    return key.id;
  }

  /** Re-key: a new AES key with the old one's length, usage and name; active at once if the old one is active. */
  async rekey(domain: DomainRecord, found: { object: KmipObject; key?: ServiceKeyRecord }): Promise<string> {
    const { object, key } = found;
    if (!key || object.objectType !== 'SymmetricKey') throw new KmipFailure('InvalidField', 'Unique Identifier: Re-key replaces symmetric keys (Re-key Key Pair is not served)');
    if (object.state === STATE.Destroyed || object.state === STATE.DestroyedCompromised || object.state === STATE.Compromised) throw new KmipFailure('PermissionDenied', `${object.uid} is ${stateName(object.state)}`);
    const uid = await this.createSymmetric(domain, { ...(object.length !== undefined ? { length: object.length } : {}), usageMask: object.usageMask, name: key.name });
    if (object.state === STATE.Active) await this.keyCall(() => this.deps.keys.activate(domain, uid));
    return uid;
  }

  async createKeyPair(domain: DomainRecord, input: { algorithm?: number; length?: number; curve?: number; usageMask?: number; name?: string }): Promise<{ privateUid: string; publicUid: string }> {
    const rsa = input.algorithm === ALGORITHM.RSA;
    if (!rsa && input.algorithm !== ALGORITHM.ECDSA) throw new KmipFailure('InvalidField', 'Cryptographic Algorithm: key pairs are RSA or ECDSA');
    const curve = rsa ? undefined : input.curve !== undefined ? CURVE_OF[input.curve] : ({ 256: 'P-256', 384: 'P-384', 521: 'P-521' } as Record<number, string>)[input.length ?? 256];
    if (!rsa && !curve) throw new KmipFailure('InvalidField', 'Recommended Curve: P-256, P-384 or P-521');
    const key = await this.keyCall(() => this.deps.keys.create(domain, {
      name: keyName(input.name), type: rsa ? 'RSA' : 'EC', ...(rsa ? { size: input.length ?? 2048 } : { curve: curve! }),
      operations: operationsOf(input.usageMask ?? 0).filter((op) => ['sign', 'verify', ...(rsa ? ['wrapKey', 'unwrapKey'] : [])].includes(op)), extractable: true, initialState: 'pre_active',
    }));
    return { privateUid: key.id, publicUid: `${key.id}${PUBLIC_SUFFIX}` };
  }

  async registerSymmetric(domain: DomainRecord, raw: Buffer, input: { usageMask?: number; name?: string }): Promise<string> {
    if (![16, 24, 32].includes(raw.length)) throw new KmipFailure('InvalidField', 'Key Material: an AES key of 16, 24 or 32 bytes');
    const key = await this.keyCall(() => this.deps.keys.create(domain, {
      name: keyName(input.name), keys: [{ kty: 'oct', k: raw.toString('base64url') }], operations: operationsOf(input.usageMask ?? 0).filter((op) => ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'].includes(op)), extractable: true, initialState: 'pre_active',
    }));
    return key.id;
  }

  /** Secret data and opaque objects: a Secret Manager secret under kmip/{uid}, its bytes wrapped like any secret's. */
  async registerData(domain: DomainRecord, objectType: 'SecretData' | 'OpaqueObject', dataType: number, value: Buffer, input: { usageMask?: number; name?: string }): Promise<string> {
    if (value.length === 0 || value.length > 32 * 1024) throw new KmipFailure('InvalidField', 'Key Material: 1 byte to 32 KiB');
    const uid = randomUUID();
    const meta: Record<string, string> = { kmip_type: objectType, kmip_state: String(STATE.PreActive), kmip_usage: String(input.usageMask ?? 0), kmip_data_type: String(dataType) };
    if (input.name) meta.kmip_name = Buffer.from(input.name, 'utf8').toString('base64url').slice(0, 512);
    await this.deps.secrets.create(domain, `${SECRET_PREFIX}${uid}`, Buffer.from(JSON.stringify({ value: value.toString('base64') })), { customMetadata: meta });
    return uid;
  }

  /** What Get returns: an extractable key's material (Raw AES, PKCS#8 private, SPKI public), or the data's bytes. */
  async material(domain: DomainRecord, found: { object: KmipObject; key?: ServiceKeyRecord }): Promise<{ bytes: Buffer; dataType?: number }> {
    const { object, key } = found;
    if (object.state === STATE.Destroyed || object.state === STATE.DestroyedCompromised) throw new KmipFailure('ItemNotFound', `${object.uid} is destroyed`);
    if (key) {
      if (object.objectType === 'PublicKey') return { bytes: Buffer.from(key.publicKey!, 'base64') };
      if (!key.extractable) throw new KmipFailure('NotExtractable', `${object.uid} is not extractable`);
      return { bytes: (await this.deps.keys.exportMaterial(domain, key.id)).secret };
    }
    const secret = await this.deps.secrets.get(domain.id, `${SECRET_PREFIX}${object.uid}`);
    const config = await this.deps.secrets.config(domain.id);
    const data = this.deps.secrets.open(domain, secret, this.deps.secrets.versionOf(secret, config)) as { value: string } | null;
    if (!data) throw new KmipFailure('ItemNotFound', `${object.uid} holds no data`);
    return { bytes: Buffer.from(data.value, 'base64'), dataType: Number(secret.customMetadata.kmip_data_type ?? 1) };
  }

  async activate(domain: DomainRecord, found: { object: KmipObject; key?: ServiceKeyRecord }): Promise<void> {
    if (found.object.state !== STATE.PreActive) throw new KmipFailure('PermissionDenied', `${found.object.uid} is not pre-active`);
    if (found.key) await this.keyCall(() => this.deps.keys.activate(domain, found.key!.id));
    else await this.setDataState(domain, found.object, STATE.Active, { kmip_activated: new Date().toISOString() });
  }

  async revoke(domain: DomainRecord, found: { object: KmipObject; key?: ServiceKeyRecord }, reasonCode: number): Promise<void> {
    const compromised = reasonCode === REVOCATION_REASON.KeyCompromise || reasonCode === REVOCATION_REASON.CACompromise;
    if (found.key) {
      if (found.object.state === STATE.Deactivated && !compromised) return;
      await this.keyCall(() => this.deps.keys.deactivate(domain, found.key!.id, compromised ? 'key_compromise' : REASONS[reasonCode] ?? 'unspecified'));
    } else {
      await this.setDataState(domain, found.object, compromised ? STATE.Compromised : STATE.Deactivated);
    }
  }

  /** Destroy: never an active object (KMIP: revoke it first); a key's material is erased, its record stays destroyed. */
  async destroy(domain: DomainRecord, found: { object: KmipObject; key?: ServiceKeyRecord }): Promise<void> {
    if (found.object.state === STATE.Active) throw new KmipFailure('PermissionDenied', `${found.object.uid} is active: revoke it first`);
    if (found.key) await this.keyCall(() => this.deps.keys.delete(domain, found.key!.id));
    else await this.deps.secrets.delete(domain.id, `${SECRET_PREFIX}${found.object.uid}`);
  }

  async rename(domain: DomainRecord, found: { object: KmipObject; key?: ServiceKeyRecord }, name: string): Promise<void> {
    if (found.key) await this.keyCall(() => this.deps.keys.update(domain, found.key!.id, { name: keyName(name) }));
    else await this.setDataState(domain, found.object, found.object.state, { kmip_name: Buffer.from(name, 'utf8').toString('base64url').slice(0, 512) });
  }

  /** Every object of the domain that matches, at most `max`: service keys first, then secret data, in store order. */
  async locate(domain: DomainRecord, matches: (object: KmipObject) => boolean, max: number): Promise<string[]> {
    const found: string[] = [];
    let after: { createdAt: string; id: string } | undefined;
    for (let pages = 0; pages < 100 && found.length < max; pages += 1) {
      const page = await this.deps.keys.list(domain, after ? { after, limit: 100 } : { limit: 100 });
      for (const key of page.items) {
        const halves = key.type === 'oct' ? [fromKey(key, 'symmetric')] : [fromKey(key, 'private'), fromKey(key, 'public')];
        for (const object of halves) if (found.length < max && matches(object)) found.push(object.uid);
      }
      if (!page.next) break;
      after = page.next;
    }
    let afterPath: string | undefined;
    for (let pages = 0; pages < 100 && found.length < max; pages += 1) {
      const page = await this.deps.secrets.list(domain.id, { prefix: SECRET_PREFIX, ...(afterPath ? { after: afterPath } : {}), limit: 100 });
      for (const secret of page.items) {
        const { object } = await this.find(domain, secret.path.slice(SECRET_PREFIX.length));
        if (found.length < max && matches(object)) found.push(object.uid);
      }
      if (!page.next) break;
      afterPath = page.next;
    }
    return found;
  }

  private async setDataState(domain: DomainRecord, object: KmipObject, state: number, extra: Record<string, string> = {}): Promise<void> {
    const path = `${SECRET_PREFIX}${object.uid}`;
    const secret = await this.deps.secrets.get(domain.id, path);
    await this.deps.secrets.updateMetadata(domain.id, path, { customMetadata: { ...secret.customMetadata, kmip_state: String(state), ...extra } });
  }

  /** A service-key refusal in KMIP's terms. */
  private async keyCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof OkmsError && error.expose) {
        throw new KmipFailure(error.status === 404 ? 'ItemNotFound' : error.status === 409 ? 'PermissionDenied' : error.status === 403 ? 'NotExtractable' : 'InvalidField', error.message);
      }
      throw error;
    }
  }
}

const REASONS: Record<number, string> = {
  [REVOCATION_REASON.Unspecified]: 'unspecified', [REVOCATION_REASON.AffiliationChanged]: 'affiliation_changed', [REVOCATION_REASON.Superseded]: 'superseded',
  [REVOCATION_REASON.CessationOfOperation]: 'cessation_of_operation', [REVOCATION_REASON.PrivilegeWithdrawn]: 'privilege_withdrawn',
};

const stateName = (state: number): string => STATE_NAME.get(state) ?? 'unknown';
