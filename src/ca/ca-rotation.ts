import { OkmsError } from '../domain/errors';
import type { CaGeneration, DomainRecord } from '../domain/types';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { Repositories } from '../storage/ports';
import { createDomainCa } from './create-domain-ca';
import { CA_KEY_PURPOSE } from './domain-service';

/** The default overlap after a switch: long enough for every relying party to fetch the new CA (30 days). */
export const DEFAULT_OVERLAP_SECONDS = 30 * 86_400;

/**
 * CA rotation without mTLS downtime, in two steps an admin takes:
 * 1. stage: a successor CA is made; the gateway trusts it beside the current one and the CA bundle lists both,
 *    so relying parties can add it before anything is signed by it;
 * 2. switch: the successor issues every new credential; the old CA stops issuing and stays trusted (gateway, bundle,
 *    its CRL and OCSP answers) for the overlap, so certificates it issued keep working until they are renewed.
 */
export class CaRotation {
  constructor(private readonly deps: { store: Pick<Repositories, 'domains'>; keys: KeyHierarchy; crypto: Crypto; clock: () => Date }) {}

  async stage(domain: DomainRecord): Promise<DomainRecord> {
    if (domain.caSuccessor) throw new OkmsError('ERR_CONFLICT', 'okmsId: a successor CA is staged already; switch to it first', { field: 'okmsId' });
    const now = this.deps.clock();
    const ca = await createDomainCa(domain.id, domain.caKeyAlgorithm, now, this.deps.crypto);
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      const successor: CaGeneration = { caCertificatePEM: ca.certificatePEM, wrappedCaKey: this.deps.keys.wrapUnderKek(kek, domain.id, CA_KEY_PURPOSE, ca.pkcs8), caNotAfter: ca.notAfter.toISOString() };
      return await this.replace(domain, { ...domain, caSuccessor: successor });
    } finally {
      kek.fill(0);
      ca.pkcs8.fill(0);
    }
  }

  async switchOver(domain: DomainRecord, overlapSeconds = DEFAULT_OVERLAP_SECONDS): Promise<DomainRecord> {
    const successor = domain.caSuccessor;
    if (!successor) throw new OkmsError('ERR_CONFLICT', 'okmsId: no successor CA is staged; stage one first', { field: 'okmsId' });
    const now = this.deps.clock();
    if (domain.caPrevious && Date.parse(domain.caPrevious.retiresAt) > now.getTime()) {
      throw new OkmsError('ERR_CONFLICT', `okmsId: the previous CA is trusted until ${domain.caPrevious.retiresAt}; switch again after that`, { field: 'okmsId' });
    }
    const retiresAt = new Date(now.getTime() + overlapSeconds * 1000).toISOString();
    return this.replace(domain, {
      ...domain,
      ...successor,
      caSuccessor: null,
      caPrevious: { caCertificatePEM: domain.caCertificatePEM, wrappedCaKey: domain.wrappedCaKey, caNotAfter: domain.caNotAfter, retiresAt },
    });
  }

  private async replace(domain: DomainRecord, next: DomainRecord): Promise<DomainRecord> {
    const record = { ...next, updatedAt: this.deps.clock().toISOString(), version: domain.version + 1 };
    if (!(await this.deps.store.domains.replace(record, domain.version))) throw new OkmsError('ERR_CONFLICT', 'okmsId: the domain changed meanwhile; read it again and retry', { field: 'okmsId' });
    return record;
  }
}
