import type { DomainRecord } from '../domain/types';
import type { CaSigner } from './ca-signer';
import { generationId, trustedCas } from './ca-generation';
import type { DomainService } from './domain-service';
import type { ServerCaService } from './server-ca';

/** One CA of a domain as relying parties meet it: its id (in CRL URLs), certificate, and signer (for CRLs, OCSP). */
export interface DomainCa {
  readonly id: string;
  readonly kind: 'client-auth' | 'server';
  readonly pem: string;
  signer(): Promise<CaSigner>;
}

/**
 * Every CA of a domain that publishes revocation: the client-auth CAs it trusts now (the issuing one first, then a
 * staged successor or a previous one in its overlap), then its TLS server CA once it has a name policy.
 */
export async function domainCas(domain: DomainRecord, now: Date, deps: { domains: DomainService; serverCas: ServerCaService }): Promise<DomainCa[]> {
  const clientAuth = trustedCas(domain, now).map((generation): DomainCa => ({
    id: generationId(generation), kind: 'client-auth', pem: generation.caCertificatePEM, signer: () => deps.domains.signerOf(domain, generation),
  }));
  const server = await deps.serverCas.get(domain.id);
  if (!server) return clientAuth;
  const serverCa: DomainCa = {
    id: generationId({ caCertificatePEM: server.certificatePEM }), kind: 'server', pem: server.certificatePEM,
    signer: async () => (await deps.serverCas.signer(domain))!.signer,
  };
  return [...clientAuth, serverCa];
}
