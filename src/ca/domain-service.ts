import { randomUUID } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import type { Account, CaKeyAlgorithm, DomainRecord, Page, PageRequest } from '../domain/types';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { Repositories } from '../storage/ports';
import { loadCaSigner, type CaSigner } from './ca-signer';
import { createDomainCa } from './create-domain-ca';

export interface CreateDomainInput {
  readonly name: string;
  readonly region?: string;
  readonly caKeyAlgorithm?: CaKeyAlgorithm;
}

const CA_KEY_PURPOSE = 'ca-key';

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

  /** The domain's CA, unwrapped once per process and kept as a Node KeyObject (the PKCS#8 bytes are zeroed after import). */
  signer(domain: DomainRecord): Promise<CaSigner> {
    let signer = this.signers.get(domain.id);
    if (!signer) {
      signer = this.loadSigner(domain);
      signer.catch(() => this.signers.delete(domain.id));
      this.signers.set(domain.id, signer);
    }
    return signer;
  }

  private async loadSigner(domain: DomainRecord): Promise<CaSigner> {
    const { keys } = this.deps;
    const kek = keys.openDomainKek(domain.id, domain.wrappedKek);
    const pkcs8 = keys.unwrapUnderKek(kek, domain.id, CA_KEY_PURPOSE, domain.wrappedCaKey);
    try {
      return loadCaSigner(domain.caCertificatePEM, pkcs8, domain.caKeyAlgorithm);
    } finally {
      pkcs8.fill(0);
      kek.fill(0);
    }
  }
}
