import { randomUUID } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { Account, CaGeneration, CaKeyAlgorithm, DomainRecord, Page, PageRequest } from '../domain/types';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { Repositories } from '../storage/ports';
import { loadCaSigner, type CaSigner } from './ca-signer';
import { generationId } from './ca-generation';
import { createDomainCa } from './create-domain-ca';

export interface CreateDomainInput {
  readonly name: string;
  readonly region?: string;
  readonly caKeyAlgorithm?: CaKeyAlgorithm;
}

export const CA_KEY_PURPOSE = 'ca-key';

/** Domains (OKMS "resources") and their issuing CAs. An account only ever sees its own domains. */
export class DomainService {
  private readonly signers = new Map<string, Promise<CaSigner>>();

  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'domains'>;
      keys: KeyHierarchy;
      crypto: Crypto;
      clock: () => Date;
      defaultRegion: string;
    },
  ) {}

  async create(account: Account, input: CreateDomainInput): Promise<DomainRecord> {
    const { store, keys, crypto, clock } = this.deps;
    const id = randomUUID();
    const now = clock();
    const algorithm = input.caKeyAlgorithm ?? 'P-256';
    const ca = await createDomainCa(id, algorithm, now, crypto);
    const { kek, wrappedKek } = keys.newDomainKek(id);
    const record: DomainRecord = {
      id,
      accountId: account.id,
      name: input.name,
      region: input.region ?? this.deps.defaultRegion,
      caKeyAlgorithm: algorithm,
      caCertificatePEM: ca.certificatePEM,
      caNotAfter: ca.notAfter.toISOString(),
      wrappedKek,
      wrappedCaKey: keys.wrapUnderKek(kek, id, CA_KEY_PURPOSE, ca.pkcs8),
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      version: 1,
    };
    ca.pkcs8.fill(0);
    kek.fill(0);
    await store.domains.create(record);
    return record;
  }

  /** The domain if it exists and belongs to `account`; another account's domain is indistinguishable from none. */
  async getForAccount(account: Account, id: string): Promise<DomainRecord> {
    const domain = await this.deps.store.domains.get(id);
    if (!domain || domain.accountId !== account.id) {
      throw new OkmsError('ERR_NOT_FOUND', `okmsId: domain ${id} not found`, { field: 'okmsId' });
    }
    return domain;
  }

  list(account: Account, page: PageRequest): Promise<Page<DomainRecord>> {
    return this.deps.store.domains.listForAccount(account.id, page);
  }

  /** The domain's issuing CA (after a switch: the successor), unwrapped once per process and kept as a Node KeyObject. */
  signer(domain: DomainRecord): Promise<CaSigner> {
    return this.signerOf(domain, domain);
  }

  /** The signer of one CA generation of the domain (the previous CA still signs its own CRL and OCSP answers). */
  signerOf(domain: DomainRecord, generation: CaGeneration): Promise<CaSigner> {
    const key = `${domain.id}/${generationId(generation)}`;
    let signer = this.signers.get(key);
    if (!signer) {
      signer = this.loadSigner(domain, generation);
      signer.catch(() => this.signers.delete(key));
      if (this.signers.size > 10_000) this.signers.clear();
      this.signers.set(key, signer);
    }
    return signer;
  }

  private async loadSigner(domain: DomainRecord, generation: CaGeneration): Promise<CaSigner> {
    const { keys } = this.deps;
    const kek = keys.openDomainKek(domain.id, domain.wrappedKek);
    const pkcs8 = keys.unwrapUnderKek(kek, domain.id, CA_KEY_PURPOSE, generation.wrappedCaKey);
    try {
      return loadCaSigner(generation.caCertificatePEM, pkcs8, domain.caKeyAlgorithm);
    } finally {
      pkcs8.fill(0);
      kek.fill(0);
    }
  }
}
