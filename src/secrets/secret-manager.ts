import { OkmsError } from '../domain/errors';
import { TtlCache } from '../domain/ttl-cache';
import type { SecretConfigRecord, SecretPathRecord, SecretVersionRecord, SecretVersionState } from '../domain/records';
import type { DomainRecord } from '../domain/types';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { Repositories } from '../storage/ports';
import {
  casRequiredOf, checkCustomMetadata, checkDuration, checkMaxVersions, DEFAULT_CONFIG, invalid, keptVersions, maxVersionsOf, versionAt,
} from './secret-manager-rules';

export interface SecretMetadataInput {
  readonly casRequired?: boolean | null;
  readonly customMetadata?: Readonly<Record<string, unknown>> | null;
  readonly deactivateVersionAfter?: string | null;
  readonly maxVersions?: number | null;
}

const configKey = (domainId: string) => `secret-config/${domainId}`;
const purpose = (path: string, version: number) => `secret-manager/${path}#${version}`;
const notFound = (path: string) => new OkmsError('ERR_NOT_FOUND', `path: no secret at "${path}"`, { field: 'path' });
/** Writes that lose a compare-and-set to a concurrent one read again and retry (a caller's cas is checked each time). */
const ATTEMPTS = 5;

/**
 * The OKMS Secret Manager (and, over the same records, the Vault KV v2 API): versioned secrets under paths, each
 * version's data wrapped under the domain KEK and bound to its path and number, check-and-set, maxVersions,
 * deactivateVersionAfter, version states, custom metadata and the domain's secretConfig. Dialect-free: the OKMS
 * and Vault routes present the same records in their own shapes.
 */
export class SecretManager {
  /**
   * Records, settings and opened data, kept for at most a second (the bound every node's caches keep: a change made
   * on another node sharing the store is seen within it); a change made here drops the entry at once. Reads of a
   * hot secret then cost no store read and no unwrapping.
   */
  private readonly records = new TtlCache<SecretPathRecord>(1000, () => this.deps.clock().getTime());
  private readonly configs = new TtlCache<SecretConfigRecord>(1000, () => this.deps.clock().getTime());
  private readonly opened = new TtlCache<Record<string, unknown>>(1000, () => this.deps.clock().getTime());

  constructor(private readonly deps: { store: Pick<Repositories, 'secretPaths' | 'meta'>; keys: KeyHierarchy; clock: () => Date }) {}

  async config(domainId: string): Promise<SecretConfigRecord> {
    const cached = this.configs.get(domainId);
    if (cached) return cached;
    const stored = await this.deps.store.meta.get(configKey(domainId));
    const config = stored === undefined ? DEFAULT_CONFIG : { ...DEFAULT_CONFIG, ...(JSON.parse(stored) as Partial<SecretConfigRecord>) };
    this.configs.set(domainId, config);
    return config;
  }

  async setConfig(domainId: string, input: { casRequired?: boolean | null; deactivateVersionAfter?: string | null; maxVersions?: number | null }): Promise<SecretConfigRecord> {
    const current = await this.config(domainId);
    const next: SecretConfigRecord = {
      casRequired: input.casRequired ?? current.casRequired,
      deactivateVersionAfter: input.deactivateVersionAfter === undefined ? current.deactivateVersionAfter : checkDuration(input.deactivateVersionAfter, 'deactivateVersionAfter'),
      maxVersions: input.maxVersions === undefined || input.maxVersions === null ? current.maxVersions : checkMaxVersions(input.maxVersions) || DEFAULT_CONFIG.maxVersions,
    };
    this.configs.delete(domainId);
    await this.deps.store.meta.put(configKey(domainId), JSON.stringify(next));
    this.configs.delete(domainId);
    return next;
  }

  async find(domainId: string, path: string): Promise<SecretPathRecord | undefined> {
    const key = `${domainId}/${path}`;
    const cached = this.records.get(key);
    if (cached) return cached;
    const secret = await this.deps.store.secretPaths.get(domainId, path);
    if (secret) this.records.set(key, secret);
    return secret;
  }

  /** Every write goes through here: the cached record is dropped before and after (a read during it may cache the old one). */
  private async written<T>(domainId: string, path: string, write: () => Promise<T>): Promise<T> {
    this.records.delete(`${domainId}/${path}`);
    try {
      return await write();
    } finally {
      this.records.delete(`${domainId}/${path}`);
    }
  }

  async get(domainId: string, path: string): Promise<SecretPathRecord> {
    const secret = await this.find(domainId, path);
    if (!secret) throw notFound(path);
    return secret;
  }

  list(domainId: string, query: { prefix?: string; after?: string; limit: number }) {
    return this.deps.store.secretPaths.list(domainId, query);
  }

  /** OKMS POST /v2/secret: a new secret with its first version; 409 when the path is taken. */
  async create(domain: DomainRecord, path: string, data: Buffer, metadata: SecretMetadataInput = {}): Promise<SecretPathRecord> {
    const now = this.deps.clock().toISOString();
    const base = applyMetadata(emptySecret(domain.id, path, now), metadata);
    const secret = { ...base, currentVersion: 1, versions: [this.sealed(domain, path, 1, data, now)] };
    await this.written(domain.id, path, () => this.deps.store.secretPaths.create(secret));
    return secret;
  }

  /**
   * A new version (OKMS PUT/POST version, Vault POST/PATCH data). `cas`: the write happens only if the current
   * version is that one (0: only if the secret does not exist yet); required when casRequired says so.
   */
  async addVersion(
    domain: DomainRecord, path: string, data: Buffer | ((current: SecretPathRecord | undefined) => Promise<Buffer>),
    options: { cas?: number; createIfMissing: boolean; metadata?: SecretMetadataInput },
  ): Promise<{ secret: SecretPathRecord; version: SecretVersionRecord }> {
    const config = await this.config(domain.id);
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const current = await this.find(domain.id, path);
      if (!current && !options.createIfMissing) throw notFound(path);
      checkCas(current, config, options.cas);
      const now = this.deps.clock().toISOString();
      const base = applyMetadata(current ?? emptySecret(domain.id, path, now), options.metadata ?? {});
      const id = base.currentVersion + 1;
      const version = this.sealed(domain, path, id, typeof data === 'function' ? await data(current) : data, now);
      const next: SecretPathRecord = {
        ...base, currentVersion: id, versions: keptVersions([...base.versions, version], maxVersionsOf(base, config)), updatedAt: now, version: base.version + (current ? 1 : 0),
      };
      if (await this.written(domain.id, path, () => (current ? this.deps.store.secretPaths.replace(next, current.version) : this.createIfAbsent(next)))) return { secret: next, version };
    }
    throw new OkmsError('ERR_CONFLICT', `path: "${path}" is being written concurrently; retry`, { field: 'path' });
  }

  /** Settings only (OKMS PUT without a version, Vault metadata POST/PATCH); creates the secret without versions for Vault. */
  async updateMetadata(domainId: string, path: string, metadata: SecretMetadataInput, options: { cas?: number; createIfMissing?: boolean } = {}): Promise<SecretPathRecord> {
    const config = await this.config(domainId);
    return this.change(domainId, path, (current) => {
      if (options.cas !== undefined) checkCas(current, config, options.cas);
      return applyMetadata(current, metadata);
    }, options.createIfMissing === true);
  }

  /**
   * Versions change state: deactivated (Vault delete: the data kept), active again (undelete), deleted (destroyed:
   * the data erased, for good). `latest` is the current version. A deleted version stays deleted.
   */
  async setStates(domainId: string, path: string, ids: readonly number[] | 'latest', state: SecretVersionState): Promise<SecretPathRecord> {
    return this.change(domainId, path, (current) => {
      const wanted = new Set(ids === 'latest' ? [current.currentVersion] : ids);
      const now = this.deps.clock().toISOString();
      const versions = current.versions.map((v) => {
        if (!wanted.has(v.id) || v.state === 'deleted' || v.state === state) return v;
        if (state === 'deleted') return { ...v, state, data: null, deactivatedAt: v.deactivatedAt ?? now };
        return state === 'deactivated' ? { ...v, state, deactivatedAt: now } : { ...v, state, deactivatedAt: null };
      });
      return { ...current, versions };
    });
  }

  async delete(domainId: string, path: string): Promise<void> {
    if (!(await this.written(domainId, path, () => this.deps.store.secretPaths.delete(domainId, path)))) throw notFound(path);
  }

  /** One version as it stands now (the current one when `id` is absent); 404 naming `version` when it is not kept. */
  versionOf(secret: SecretPathRecord, config: SecretConfigRecord, id?: number): SecretVersionRecord {
    const wanted = id === undefined || id === 0 ? secret.currentVersion : id;
    const version = secret.versions.find((v) => v.id === wanted);
    if (!version) throw new OkmsError('ERR_NOT_FOUND', `version: "${secret.path}" has no version ${wanted}`, { field: 'version' });
    return versionAt(version, secret, config, this.deps.clock());
  }

  /** Every kept version as it stands now, oldest first. */
  versionsOf(secret: SecretPathRecord, config: SecretConfigRecord): SecretVersionRecord[] {
    const now = this.deps.clock();
    return secret.versions.map((v) => versionAt(v, secret, config, now));
  }

  /** A version's data, unwrapped (null once deleted). */
  open(domain: DomainRecord, secret: SecretPathRecord, version: SecretVersionRecord): Record<string, unknown> | null {
    if (!version.data) return null;
    // Keyed by the record's version too: a destroyed or rewritten version never answers from here.
    const key = `${domain.id}/${secret.path}#${version.id}@${secret.version}`;
    const cached = this.opened.get(key);
    if (cached) return cached;
    const data = this.unwrapData(domain, secret.path, version.id, version.data);
    this.opened.set(key, data);
    return data;
  }

  private unwrapData(domain: DomainRecord, path: string, id: number, wrapped: string): Record<string, unknown> {
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      const json = this.deps.keys.unwrapUnderKek(kek, domain.id, purpose(path, id), wrapped);
      try {
        return JSON.parse(json.toString('utf8')) as Record<string, unknown>;
      } finally {
        json.fill(0);
      }
    } finally {
      kek.fill(0);
    }
  }

  private sealed(domain: DomainRecord, path: string, id: number, data: Buffer, now: string): SecretVersionRecord {
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      return { id, state: 'active', createdAt: now, deactivatedAt: null, data: this.deps.keys.wrapUnderKek(kek, domain.id, purpose(path, id), data), bytes: data.length };
    } finally {
      kek.fill(0);
      data.fill(0);
    }
  }

  private async createIfAbsent(secret: SecretPathRecord): Promise<boolean> {
    try {
      await this.deps.store.secretPaths.create(secret);
      return true;
    } catch (error) {
      if (error instanceof OkmsError && error.code === 'ERR_CONFLICT') return false; // created meanwhile: read it again
      throw error;
    }
  }

  private async change(domainId: string, path: string, apply: (current: SecretPathRecord) => SecretPathRecord, createIfMissing = false): Promise<SecretPathRecord> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const current = await this.find(domainId, path);
      const now = this.deps.clock().toISOString();
      if (!current && !createIfMissing) throw notFound(path);
      const next = { ...apply(current ?? emptySecret(domainId, path, now)), updatedAt: now };
      if (await this.written(domainId, path, () => (current ? this.deps.store.secretPaths.replace({ ...next, version: current.version + 1 }, current.version) : this.createIfAbsent(next)))) {
        return current ? { ...next, version: current.version + 1 } : next;
      }
    }
    throw new OkmsError('ERR_CONFLICT', `path: "${path}" is being written concurrently; retry`, { field: 'path' });
  }
}

function emptySecret(domainId: string, path: string, now: string): SecretPathRecord {
  return { domainId, path, casRequired: null, customMetadata: {}, deactivateVersionAfter: null, maxVersions: null, currentVersion: 0, versions: [], createdAt: now, updatedAt: now, version: 1 };
}

function applyMetadata(secret: SecretPathRecord, input: SecretMetadataInput): SecretPathRecord {
  return {
    ...secret,
    ...(input.casRequired !== undefined ? { casRequired: input.casRequired } : {}),
    ...(input.customMetadata !== undefined ? { customMetadata: input.customMetadata === null ? {} : checkCustomMetadata(input.customMetadata) } : {}),
    ...(input.deactivateVersionAfter !== undefined ? { deactivateVersionAfter: checkDuration(input.deactivateVersionAfter, 'deactivateVersionAfter') } : {}),
    ...(input.maxVersions !== undefined ? { maxVersions: input.maxVersions === null ? null : checkMaxVersions(input.maxVersions) } : {}),
  };
}

function checkCas(current: SecretPathRecord | undefined, config: SecretConfigRecord, cas: number | undefined): void {
  if (cas === undefined) {
    if (current && casRequiredOf(current, config)) throw invalid('cas', 'check-and-set is required for this secret: give the current version as cas');
    return;
  }
  if (!Number.isInteger(cas) || cas < 0) throw invalid('cas', 'must be a version number (0: only if the secret does not exist)');
  const actual = current?.currentVersion ?? 0;
  if (cas !== actual) throw invalid('cas', `check-and-set parameter did not match the current version (${actual})`);
}
